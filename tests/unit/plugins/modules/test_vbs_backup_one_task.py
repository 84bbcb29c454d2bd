# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup without snapshot_id: a backup in one task, at the wire.

The module snapshots the disk (marked), backs the snapshot up and deletes it; a later run of the
task deletes the marked snapshots whose backups are done, and never an unmarked one.
"""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup import main
from ansible_collections.vbs.cloud.tests.unit.wire import PROJECT_ID, VBS_ROOT, writes

VOLUME_ROOT = VBS_ROOT  # the fake catalog has one block-storage v2 endpoint for both roots
VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAP = "0e5d3a57-6b8c-4f8c-9d55-111111111111"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
MARKER = {"vbs.cloud": "made-for-backup"}
TASK = {"volume_id": VOLUME, "name": "backup1"}
P = "/v2/%s" % PROJECT_ID.lower()


def snap(status="available", id=SNAP, metadata=None, **extra):
    return dict(id=id, status=status, volume_id=VOLUME, name="backup1-vbs-cloud-snap",
                metadata=dict(MARKER if metadata is None else metadata), **extra)


def backup(status="available", id=BACKUP, snapshot_id=SNAP, name="backup1"):
    return dict(id=id, name=name, status=status, volume_id=VOLUME, snapshot_id=snapshot_id,
                fail_reason=None)


@pytest.fixture
def api(cloud):
    """An empty disk: a snapshot becomes available after one poll, a backup after two, and a
    deleted snapshot is gone at the first look."""
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    cloud.post(VOLUME_ROOT + "/snapshots", status_code=202, json={"snapshot": snap("creating")})
    cloud.get(VOLUME_ROOT + "/snapshots/" + SNAP, [{"json": {"snapshot": snap("creating")}},
                                                   {"json": {"snapshot": snap()}}])
    cloud.post(VBS_ROOT + "/backups", status_code=202,
               json={"backup": {"id": BACKUP, "name": "backup1", "links": []}})
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": {"backup": backup("creating")}}] * 2
              + [{"json": {"backup": backup()}}])
    cloud.delete(VOLUME_ROOT + "/snapshots/" + SNAP, status_code=202)
    cloud.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": []})
    return cloud


def warnings(result):
    """The warning texts (ansible-core 2.19 returns them as structured events)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def calls(mock):
    return [(r.method, r.path.replace(P, "")) for r in mock.request_history]


def test_one_task_snapshots_backs_up_and_deletes_the_snapshot_in_order(api, run_module):
    result = run_module(main, dict(TASK, description="nightly"))

    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert result["backup"]["status"] == "available"
    assert result["snapshot"] == {"id": SNAP, "name": "backup1-vbs-cloud-snap",
                                  "made_by_task": True, "removed": True, "status": "deleted"}
    assert "snapshots_removed" not in result and not warnings(result), warnings(result)
    assert calls(api) == [
        ("POST", "/v3/auth/tokens"),
        ("GET", "/backups/detail"),
        ("POST", "/snapshots"),
        ("GET", "/snapshots/" + SNAP), ("GET", "/snapshots/" + SNAP),
        ("POST", "/backups"),
        ("GET", "/backups/" + BACKUP), ("GET", "/backups/" + BACKUP),
        ("GET", "/backups/" + BACKUP),
        ("DELETE", "/snapshots/" + SNAP),
        ("GET", "/snapshots/detail"),
    ]
    posted = writes(api)
    assert posted[0].json() == {"snapshot": {
        "volume_id": VOLUME, "name": "backup1-vbs-cloud-snap", "metadata": MARKER,
        "description": "Made by vbs.cloud for backup backup1; deleted once the backup is done"}}
    assert posted[1].json()["backup"] == dict(volume_id=VOLUME, snapshot_id=SNAP, name="backup1",
                                              description="nightly")
    assert api.request_history[-1].qs == {"volume_id": [VOLUME]}


def test_the_task_waits_until_the_deleted_snapshot_is_gone(api, run_module, no_sleep):
    api.get(VOLUME_ROOT + "/snapshots/detail", [
        {"json": {"snapshots": [snap("deleting")]}}, {"json": {"snapshots": [snap("deleting")]}},
        {"json": {"snapshots": []}}])
    result = run_module(main, TASK)
    assert result["snapshot"]["removed"] is True and result["snapshot"]["status"] == "deleted"
    assert calls(api)[-3:] == [("GET", "/snapshots/detail")] * 3


def test_force_is_sent_with_the_snapshot_and_the_backup(api, run_module):
    run_module(main, dict(TASK, force=True))
    snapshot_post, backup_post = writes(api)[:2]
    assert snapshot_post.json()["snapshot"]["force"] is True
    assert backup_post.json()["backup"]["force"] is True


def test_without_force_none_is_sent(api, run_module):
    run_module(main, TASK)
    assert "force" not in writes(api)[0].json()["snapshot"]


def test_a_backup_going_to_error_still_deletes_the_snapshot(api, run_module):
    api.get(VBS_ROOT + "/backups/" + BACKUP,
            json={"backup": dict(backup("error"), fail_reason="disk read failed")})
    result = run_module(main, TASK)

    assert result["failed"] and result["changed"] is True
    assert "status 'error'" in result["msg"] and "disk read failed" in result["msg"]
    assert "The snapshot %s made for the backup was deleted." % SNAP in result["msg"]
    assert "\n" not in result["msg"]
    assert result["snapshot"]["removed"] is True and result["snapshot"]["made_by_task"] is True
    assert [(r.method, r.path.replace(P, "")) for r in writes(api)] == [
        ("POST", "/snapshots"), ("POST", "/backups"), ("DELETE", "/snapshots/" + SNAP)]
    assert calls(api)[-1] == ("GET", "/snapshots/detail")  # seen gone


def test_a_refused_backup_deletes_the_snapshot_and_changes_nothing(api, run_module):
    api.post(VBS_ROOT + "/backups", status_code=400, json={"badRequest": {
        "code": "VolumeBackup.0012", "message": "Disk unavailable"}})
    result = run_module(main, dict(TASK, wait=False))
    assert result["failed"] and result["changed"] is False
    assert result["msg"].startswith("Creating the backup failed: HTTP 400")
    assert "snapshot %s made for the backup was deleted" % SNAP in result["msg"]
    assert writes(api)[-1].method == "DELETE"


def test_a_backup_still_creating_at_the_timeout_keeps_its_snapshot(api, run_module):
    api.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": backup("creating")})
    result = run_module(main, dict(TASK, timeout=30))
    assert result["failed"] and result["changed"] is True
    assert "last status is 'creating'" in result["msg"]
    assert "is kept while backup %s is being created" % BACKUP in result["msg"]
    assert result["snapshot"]["removed"] is False and "next run" in result["snapshot"]["removal"]
    assert [r.method for r in writes(api)] == ["POST", "POST"]


def test_a_snapshot_that_fails_is_deleted_and_no_backup_is_made(api, run_module):
    api.get(VOLUME_ROOT + "/snapshots/" + SNAP, json={"snapshot": snap("error")})
    result = run_module(main, TASK)
    assert result["failed"] and result["changed"] is False
    assert "Snapshot %s went to status 'error'" % SNAP in result["msg"]
    assert [(r.method, r.path.replace(P, "")) for r in writes(api)] == [
        ("POST", "/snapshots"), ("DELETE", "/snapshots/" + SNAP)]


def test_wait_false_leaves_the_snapshot_and_says_how_it_goes(api, run_module):
    api.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": [snap()]})
    result = run_module(main, dict(TASK, wait=False))

    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert result["snapshot"]["id"] == SNAP and result["snapshot"]["removed"] is False
    assert result["snapshot"]["made_by_task"] is True
    removal = result["snapshot"]["removal"]
    assert "next run" in removal and VOLUME in removal and "made-for-backup" in removal
    assert [r.method for r in writes(api)] == ["POST", "POST"]  # no DELETE
    assert calls(api)[-1] == ("GET", "/snapshots/detail")  # the sweep of earlier leftovers


def test_the_next_run_removes_marked_snapshots_of_done_backups_and_never_unmarked_ones(
        cloud, run_module):
    done = snap(id="s-done")
    errored = snap(id="s-errored")
    unmarked = snap(id="s-user", metadata={"owner": "someone"})
    unmarked_named = snap(id="s-lookalike", metadata={})  # our name, but no marker
    busy = snap(id="s-busy")
    orphan = snap(id="s-orphan")
    creating = snap("creating", id="s-creating")
    cloud.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": [
        done, errored, unmarked, unmarked_named, busy, orphan, creating]})
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [
        backup(snapshot_id="s-done"),
        backup("error", id="b-2", name="other", snapshot_id="s-errored"),
        backup(id="b-3", name="mine", snapshot_id="s-user"),
        backup(id="b-4", name="other2", snapshot_id="s-lookalike"),
        backup("creating", id="b-5", name="running", snapshot_id="s-busy")]})
    for snapshot_id in ("s-done", "s-errored"):
        cloud.delete(VOLUME_ROOT + "/snapshots/" + snapshot_id, status_code=202)

    result = run_module(main, dict(TASK, wait=False))  # backup1 exists: nothing is made

    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert sorted(result["snapshots_removed"]) == ["s-done", "s-errored"]
    assert result["snapshots_kept"] == ["s-orphan"]
    assert [(r.method, r.path.replace(P, "")) for r in writes(cloud)] == [
        ("DELETE", "/snapshots/s-done"), ("DELETE", "/snapshots/s-errored")]
    assert result["snapshot"]["id"] == "s-done" and result["snapshot"]["removed"] is True
    assert result["snapshot"]["status"] == "deleting"  # wait: false, not waited until gone
    assert result["snapshot"]["made_by_task"] is False
    assert any("s-orphan" in w and "delete them by hand" in w for w in warnings(result))


def test_an_existing_backup_by_name_means_no_snapshot_is_made(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [backup()]})
    cloud.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": []})
    result = run_module(main, TASK)
    assert result["changed"] is False and result["backup_id"] == BACKUP
    assert not writes(cloud)
    assert result["snapshot"] == {"id": SNAP, "made_by_task": False, "removed": False,
                                  "status": "deleted"}
    assert calls(cloud) == [("POST", "/v3/auth/tokens"), ("GET", "/backups/detail"),
                            ("GET", "/snapshots/detail")]


def test_a_rerun_waits_for_the_backup_then_removes_its_snapshot(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [backup("creating")]})
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": backup()})
    cloud.get(VOLUME_ROOT + "/snapshots/detail", [{"json": {"snapshots": [snap()]}},
                                                  {"json": {"snapshots": []}}])
    cloud.delete(VOLUME_ROOT + "/snapshots/" + SNAP, status_code=202)
    result = run_module(main, TASK)
    assert result["changed"] is True and result["snapshots_removed"] == [SNAP]
    assert result["snapshot"]["removed"] is True and result["snapshot"]["status"] == "deleted"


@pytest.mark.parametrize("existing", [[], [backup()]])
def test_check_mode_makes_nothing(cloud, run_module, existing):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": existing})
    cloud.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": [snap()]})
    cloud.get(VOLUME_ROOT + "/volumes/" + VOLUME, json={"volume": {
        "id": VOLUME, "status": "available", "size": 1}})
    result = run_module(main, TASK, check_mode=True)
    assert not writes(cloud)
    if existing:
        assert result["changed"] is True  # the leftover snapshot of backup1 would be deleted
        assert result["snapshots_removed"] == [SNAP] and result["backup_id"] == BACKUP
    else:
        assert result["changed"] is True and result["backup_id"] is None
        assert result["snapshot"] == {"id": None, "name": "backup1-vbs-cloud-snap",
                                      "made_by_task": True, "removed": True}


def test_a_refused_snapshot_fails_in_one_line_and_makes_no_backup(api, run_module):
    api.post(VOLUME_ROOT + "/snapshots", status_code=400,
             headers={"X-Openstack-Request-Id": "req-7"},
             json={"badRequest": {"code": 400, "message": (
                 "Invalid volume: Volume status must be available, but current status is: "
                 "in-use.")}})
    result = run_module(main, TASK)
    assert result["failed"] and result["changed"] is False
    msg = result["msg"]
    assert msg.startswith("Creating a snapshot of volume %s failed: HTTP 400" % VOLUME)
    assert "in-use" in msg and "req-7" in msg and "set force: true" in msg and "\n" not in msg
    assert [r.method for r in writes(api)] == ["POST"]
    assert result["error"]["status"] == 400


def test_a_snapshot_quota_error_says_so(api, run_module):
    api.post(VOLUME_ROOT + "/snapshots", status_code=413, json={"overLimit": {
        "code": 413,
        "message": "SnapshotLimitExceeded: Maximum number of snapshots allowed (10) exceeded"}})
    result = run_module(main, dict(TASK, force=True))
    assert result["failed"] and "a quota (of snapshots" in result["msg"]


def test_a_failed_snapshot_delete_after_a_good_backup_warns_and_the_task_succeeds(api, run_module):
    api.delete(VOLUME_ROOT + "/snapshots/" + SNAP, status_code=400, json={"badRequest": {
        "code": 400, "message": "Invalid snapshot: busy"}})
    api.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": [snap()]})
    result = run_module(main, TASK)
    assert result["changed"] is True and not result.get("failed")
    assert result["snapshot"]["removed"] is False and "next run" in result["snapshot"]["removal"]
    assert any(SNAP in w and "Invalid snapshot: busy" in w for w in warnings(result))


def test_a_snapshot_still_creating_at_the_timeout_is_reported_for_deletion_by_hand(api, run_module):
    api.get(VOLUME_ROOT + "/snapshots/" + SNAP, json={"snapshot": snap("creating")})
    api.delete(VOLUME_ROOT + "/snapshots/" + SNAP, status_code=400, json={"badRequest": {
        "code": 400, "message": "Invalid snapshot: status must be available or error"}})
    result = run_module(main, dict(TASK, timeout=20))
    assert result["failed"] and result["changed"] is True
    assert "last status is 'creating'" in result["msg"]
    assert "Deleting the snapshot %s made for the backup failed too" % SNAP in result["msg"]
    assert "delete it by hand" in result["msg"] and "\n" not in result["msg"]
    assert result["snapshot"]["removed"] is False
    assert [r.method for r in writes(api)] == ["POST", "DELETE"]  # no backup


def test_a_snapshot_stuck_in_error_deleting_is_reported(api, run_module, no_sleep):
    api.get(VOLUME_ROOT + "/snapshots/detail", json={"snapshots": [snap("error_deleting")]})
    result = run_module(main, TASK)
    assert result["changed"] is True and not result.get("failed")
    assert result["snapshot"]["removed"] is False
    assert any("error_deleting" in w and "support" in w for w in warnings(result))
    assert sum(1 for c in calls(api) if c == ("GET", "/snapshots/detail")) == 1  # not polled on


def test_a_snapshot_post_with_a_lost_answer_is_not_resent(api, run_module):
    api.post(VOLUME_ROOT + "/snapshots", status_code=503, json={})
    result = run_module(main, TASK)
    assert result["failed"] and result["changed"] is True
    assert "not sent again" in result["msg"] and "backup1-vbs-cloud-snap" in result["msg"]
    assert [r.method for r in writes(api)] == ["POST"]


# --- requests: a one-task backup costs the snapshot's create, polls and delete more --------------

def test_a_one_task_backup_costs_the_snapshot_calls_more_than_a_given_snapshot(
        api, run_module, requests_mock):
    run_module(main, dict(TASK, snapshot_id=SNAP))
    given = calls(api)
    requests_mock.reset_mock()
    api.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": {"backup": backup("creating")}}] * 2
            + [{"json": {"backup": backup()}}])

    run_module(main, TASK)
    one_task = calls(api)

    snapshot_calls = [c for c in one_task if c[1].startswith("/snapshots")]
    assert [c for c in one_task if c not in snapshot_calls] == given
    assert snapshot_calls == [("POST", "/snapshots"), ("GET", "/snapshots/" + SNAP),
                              ("GET", "/snapshots/" + SNAP), ("DELETE", "/snapshots/" + SNAP),
                              ("GET", "/snapshots/detail")]
    assert (len(given), len(one_task)) == (6, 11)


def test_the_sweep_follows_the_pages_of_the_snapshot_list(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [backup()]})
    first = {"snapshots": [snap(id="s-user", metadata={})], "snapshots_links": [
        {"rel": "next", "href": VOLUME_ROOT + "/snapshots/detail?volume_id=%s&marker=s-user"
                                              % VOLUME}]}
    cloud.get(VOLUME_ROOT + "/snapshots/detail", [
        {"json": first}, {"json": {"snapshots": [snap()]}}, {"json": {"snapshots": []}}])
    cloud.delete(VOLUME_ROOT + "/snapshots/" + SNAP, status_code=202)
    result = run_module(main, dict(TASK, wait=False))
    assert result["snapshots_removed"] == [SNAP]
    listings = [r for r in cloud.request_history if r.path.endswith("/snapshots/detail")]
    assert listings[1].qs == {"volume_id": [VOLUME], "marker": ["s-user"]}
    assert [(r.method, r.path.replace(P, "")) for r in writes(cloud)] == [
        ("DELETE", "/snapshots/" + SNAP)]


def test_without_a_name_nothing_is_looked_up_and_the_snapshot_has_a_fixed_name(api, run_module):
    result = run_module(main, {"volume_id": VOLUME})
    assert result["changed"] is True
    sent = writes(api)[0].json()["snapshot"]
    assert sent["name"] == "vbs-cloud-snap" and sent["metadata"] == MARKER
    assert sent["description"] == (
        "Made by vbs.cloud for backup (unnamed); deleted once the backup is done")
    assert ("GET", "/backups/detail") not in calls(api)
    assert result["snapshot"]["removed"] is True
