# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup driven through its real openstacksdk session, with HTTP faked at the wire."""

from __future__ import annotations

import json

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup import main
from ansible_collections.vbs.cloud.tests.unit.wire import PASSWORD, PROJECT_ID, VBS_ROOT, writes

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
CREATE = {"volume_id": VOLUME, "snapshot_id": SNAPSHOT}
CREATED = {"backup": {"id": BACKUP, "name": "backup1", "links": [
    {"href": VBS_ROOT + "/backups/" + BACKUP, "rel": "self"}]}}


def record(status="available", **extra):
    return {"backup": dict(dict(id=BACKUP, name="backup1", status=status, volume_id=VOLUME,
                                snapshot_id=SNAPSHOT, fail_reason=None), **extra)}


def listing(*backups):
    return {"backups": list(backups)}


@pytest.fixture
def api(cloud):
    """An empty project: no backups of any name; creates answer 202."""
    cloud.get(VBS_ROOT + "/backups/detail", json=listing())
    cloud.post(VBS_ROOT + "/backups", status_code=202, json=CREATED)
    return cloud


def test_create_sends_only_the_fields_set_and_reports_the_id(api, run_module):
    result = run_module(main, dict(CREATE, name="backup1", description="Backup_Demo", wait=False))

    assert result["changed"] is True
    assert result["backup_id"] == BACKUP
    # no request to read it: the answer, the record fields sent, and the status it starts in
    assert result["backup"] == dict(CREATED["backup"], volume_id=VOLUME, snapshot_id=SNAPSHOT,
                                    description="Backup_Demo", status="creating")
    assert writes(api)[0].json() == {"backup": dict(CREATE, name="backup1",
                                                    description="Backup_Demo")}


def test_create_without_wait_costs_three_requests_with_a_v3_auth_url(api, run_module):
    run_module(main, dict(CREATE, name="backup1", wait=False))
    assert [(r.method, r.path) for r in api.request_history] == [
        ("POST", "/v3/auth/tokens"),
        ("GET", "/v2/%s/backups/detail" % PROJECT_ID.lower()),
        ("POST", "/v2/%s/backups" % PROJECT_ID.lower()),
    ]


def test_every_option_reaches_the_request(api, run_module):
    run_module(main, dict(CREATE, name="b-1_x", description="", container="bucket",
                          incremental=True, force=True, project_id=PROJECT_ID, wait=False))
    assert writes(api)[0].json()["backup"] == dict(
        CREATE, name="b-1_x", description="", container="bucket", incremental=True, force=True,
        project_id=PROJECT_ID)


def test_without_a_name_every_run_creates_and_nothing_is_looked_up(api, run_module):
    run_module(main, dict(CREATE, wait=False))
    run_module(main, dict(CREATE, wait=False))
    assert len(writes(api)) == 2
    assert not [r for r in api.request_history if "/backups" in r.path and r.method == "GET"]


def test_project_id_replaces_the_token_project_in_the_url(cloud, run_module):
    other = "0123456789abcdef0123456789abcdef"
    cloud.post("http://volume.test/v2/%s/backups" % other, status_code=202, json=CREATED)
    result = run_module(main, dict(CREATE, project_id=other, wait=False))
    assert result["changed"] is True


def test_endpoint_override_and_service_type(cloud, run_module):
    cloud.post("https://vbs.example.com/v2/%s/backups" % PROJECT_ID, status_code=202, json=CREATED)
    result = run_module(main, dict(CREATE, wait=False,
                                   endpoint_override="https://vbs.example.com/v2/%(project_id)s"))
    assert result["backup_id"] == BACKUP

    result = run_module(main, dict(CREATE, wait=False, service_type="vbs"))
    assert result["failed"] and "has no 'vbs' endpoint" in result["msg"]
    assert "region 'RegionOne'" in result["msg"]
    assert "endpoint_override" in result["msg"]


# --- idempotency ------------------------------------------------------------------------------

def test_existing_backup_of_that_name_is_returned_unchanged(cloud, run_module):
    existing = record("available")["backup"]
    cloud.get(VBS_ROOT + "/backups/detail", json=listing(existing))

    result = run_module(main, dict(CREATE, name="backup1"))

    assert result["changed"] is False
    assert result["backup_id"] == BACKUP
    assert result["backup"]["status"] == "available"
    assert not writes(cloud)
    query = cloud.request_history[-1].qs
    assert query == {"name": ["backup1"], "volume_id": [VOLUME]}


@pytest.mark.parametrize("status", ["error", "deleting", "error_deleting"])
def test_backups_that_are_going_away_do_not_count(api, run_module, status):
    api.get(VBS_ROOT + "/backups/detail", json=listing(record(status)["backup"]))
    result = run_module(main, dict(CREATE, name="backup1", wait=False))
    assert result["changed"] is True and len(writes(api)) == 1


def test_same_name_on_another_volume_or_a_longer_name_does_not_count(api, run_module):
    api.get(VBS_ROOT + "/backups/detail", json=listing(
        record(volume_id="another")["backup"], record(name="backup10")["backup"]))
    result = run_module(main, dict(CREATE, name="backup1", wait=False))
    assert result["changed"] is True


def test_several_backups_of_that_name_fail_listing_their_ids(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json=listing(
        record(id="id-2")["backup"], record(id="id-1", status="creating")["backup"]))
    result = run_module(main, dict(CREATE, name="backup1"))
    assert result["failed"]
    assert "2 backups named 'backup1'" in result["msg"] and "id-1 (creating), id-2 (available)" in result["msg"]
    assert not writes(cloud)


def test_lookup_follows_pagination(api, run_module):
    first = {"backups": [record(id="x", name="other")["backup"]],
             "backups_links": [{"rel": "next", "href": VBS_ROOT + "/backups/detail?marker=x"}]}
    api.get(VBS_ROOT + "/backups/detail", [{"json": first}, {"json": listing(record()["backup"])}])
    result = run_module(main, dict(CREATE, name="backup1"))
    assert result["changed"] is False and result["backup_id"] == BACKUP
    assert api.request_history[-1].qs["marker"] == ["x"]


def test_found_backup_still_creating_is_waited_for(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/detail", json=listing(record("creating")["backup"]))
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": record("creating")},
                                                {"json": record("available")}])
    result = run_module(main, dict(CREATE, name="backup1"))
    assert result["changed"] is False and result["backup"]["status"] == "available"


def test_backup_id_with_state_present_returns_it_or_fails(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json=record())
    result = run_module(main, dict(backup_id=BACKUP))
    assert result["changed"] is False and result["backup"]["status"] == "available"

    cloud.get(VBS_ROOT + "/backups/missing", status_code=404,
              json={"itemNotFound": {"code": 404, "message": "Backup missing could not be found."}})
    result = run_module(main, dict(backup_id="missing"))
    assert result["failed"] and "Backup missing does not exist" in result["msg"]


# --- wait ------------------------------------------------------------------------------------

def test_wait_polls_with_a_growing_interval_until_available(api, run_module, no_sleep):
    api.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": record("creating")}] * 4
            + [{"json": record("available", size=1)}])
    result = run_module(main, dict(CREATE, name="backup1"))
    assert result["changed"] is True
    assert result["backup"]["status"] == "available" and result["backup"]["size"] == 1
    assert no_sleep == sorted(no_sleep) and no_sleep[0] < no_sleep[-1]


def test_wait_fails_with_the_fail_reason_on_error(api, run_module, no_sleep):
    api.get(VBS_ROOT + "/backups/" + BACKUP, json=record("error", fail_reason="disk read failed"))
    result = run_module(main, dict(CREATE, name="backup1"))
    assert result["failed"]
    assert "status 'error'" in result["msg"] and "disk read failed" in result["msg"]
    assert result["backup_id"] == BACKUP


def test_wait_times_out_naming_the_backup_and_its_last_status(api, run_module, no_sleep):
    api.get(VBS_ROOT + "/backups/" + BACKUP, json=record("creating"))
    result = run_module(main, dict(CREATE, name="backup1", timeout=30))
    assert result["failed"]
    assert BACKUP in result["msg"] and "last status is 'creating'" in result["msg"]
    assert sum(no_sleep) == pytest.approx(30)


# --- check and diff mode ---------------------------------------------------------------------

def test_check_mode_sends_no_write_and_predicts_the_backup(api, run_module):
    api.get(VBS_ROOT + "/volumes/" + VOLUME, json={"volume": {"id": VOLUME,
                                                              "status": "available"}})
    api.get(VBS_ROOT + "/snapshots/" + SNAPSHOT, json={"snapshot": {
        "id": SNAPSHOT, "volume_id": VOLUME, "status": "available"}})
    result = run_module(main, dict(CREATE, name="backup1"), check_mode=True, diff=True)
    assert result["changed"] is True and result["backup_id"] is None
    assert result["backup"] == dict(CREATE, name="backup1", id=None)
    assert result["diff"] == {"before": {}, "after": result["backup"]}
    assert not writes(api)


def test_check_mode_with_an_existing_backup_predicts_no_change(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json=listing(record()["backup"]))
    result = run_module(main, dict(CREATE, name="backup1"), check_mode=True, diff=True)
    assert result["changed"] is False and result["backup_id"] == BACKUP
    assert result["diff"]["before"] == result["diff"]["after"]


def test_diff_after_a_create(api, run_module):
    result = run_module(main, dict(CREATE, name="backup1", wait=False), diff=True)
    assert result["diff"] == {"before": {}, "after": result["backup"]}
    assert result["backup"]["id"] == BACKUP and result["backup"]["status"] == "creating"


# --- validation: nothing is sent -------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "A" * 64, "back_up-1", "0auto", "Aut1", "au"])
def test_valid_names(api, run_module, name):
    result = run_module(main, dict(CREATE, name=name, wait=False))
    assert result["changed"] is True


@pytest.mark.parametrize("args, words", [
    (dict(name="A" * 65), ["'name'", "65 characters", "1 to 64"]),
    (dict(name=""), ["'name'", "empty"]),
    (dict(name="auto"), ["'name'", "starts with 'auto'"]),
    (dict(name="autobackup"), ["'name'", "starts with 'auto'"]),
    (dict(name="AutoBackup1"), ["'name'", "starts with 'Auto'", "in any case"]),
    (dict(name="AUTO-x"), ["'name'", "starts with 'AUTO'", "in any case"]),
    (dict(name="my backup"), ["'name'", "' '", "letters, digits"]),
    (dict(name="b\u0430ckup"), ["'name'", "'\u0430'"]),  # Cyrillic a
    (dict(name="x.y"), ["'name'", "'.'"]),
    (dict(description="d" * 256), ["'description'", "256 characters", "0 to 255"]),
    (dict(description="<b>"), ["'description'", "'<' or '>'"]),
    (dict(description="a > b"), ["'description'", "'<' or '>'"]),
    (dict(volume_id=""), ["'volume_id'", "empty"]),
    (dict(volume_id="  "), ["'volume_id'", "empty"]),
    (dict(snapshot_id="a/../b"), ["'snapshot_id'", "URL delimiters"]),
    (dict(project_id=""), ["'project_id'", "empty"]),
    (dict(timeout=-1), ["'timeout'", "negative"]),
])
def test_invalid_values_fail_before_any_request(cloud, run_module, args, words):
    result = run_module(main, dict(CREATE, **args))
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert cloud.request_history == []


def test_description_of_255_characters_is_accepted(api, run_module):
    assert run_module(main, dict(CREATE, description="d" * 255, wait=False))["changed"]


@pytest.mark.parametrize("missing", ["volume_id"])  # without snapshot_id the task makes one
def test_ids_are_required_to_create(cloud, run_module, missing):
    args = dict(CREATE)
    del args[missing]
    result = run_module(main, args)
    assert result["failed"] and "'%s'" % missing in result["msg"]
    assert cloud.request_history == []


# --- errors from the API ---------------------------------------------------------------------

STATUS_CODES = [400, 401, 403, 404, 405, 406, 407, 408, 409, 500, 501, 502, 503, 504]


@pytest.mark.parametrize("status", STATUS_CODES)
def test_every_error_status_of_the_api_page_fails_clearly(api, run_module, status):
    api.post(VBS_ROOT + "/backups", status_code=status,
             headers={"X-Openstack-Request-Id": "req-42"},
             json={"badRequest": {"code": "VolumeBackup.0012", "message": "Disk unavailable"}})
    result = run_module(main, dict(CREATE, wait=False))
    assert result["failed"]
    msg = result["msg"]
    assert msg.startswith("Creating the backup failed: HTTP %d" % status)
    assert "VolumeBackup.0012: Disk unavailable" in msg and "req-42" in msg
    assert "What to do:" in msg and "\n" not in msg
    assert result["error"] == {"status": status, "code": "VolumeBackup.0012",
                               "message": "Disk unavailable", "request_id": "req-42"}


@pytest.mark.parametrize("status, body, code, message", [
    (400, {"badRequest": {"code": 400, "message": "Invalid volume"}}, "badRequest", "Invalid volume"),
    (404, {"itemNotFound": {"code": 404, "message": "Volume x could not be found."}},
     "itemNotFound", "Volume x could not be found."),
    (403, {"forbidden": {"message": "Policy doesn't allow it"}}, "forbidden", "Policy doesn't allow it"),
    (429, {"error_code": "APIGW.0308", "error_msg": "Too many requests"}, "APIGW.0308",
     "Too many requests"),
])
def test_error_envelopes_keep_the_service_code(api, run_module, status, body, code, message):
    api.post(VBS_ROOT + "/backups", status_code=status, json=body)
    result = run_module(main, dict(CREATE, wait=False))
    assert result["error"]["code"] == code and result["error"]["message"] == message
    assert "%s: %s" % (code, message) in result["msg"]


def test_a_busy_disk_says_what_to_do(api, run_module):
    api.post(VBS_ROOT + "/backups", status_code=400, json={"badRequest": {
        "code": "VolumeBackup.0013", "message": "The previous backup is not complete"}})
    result = run_module(main, dict(CREATE, wait=False))
    assert "previous backup is still running" in result["msg"]


def test_a_non_json_error_page_is_summarised(api, run_module):
    api.post(VBS_ROOT + "/backups", status_code=502, text="<html>\n<h1>Bad Gateway</h1>\n</html>")
    result = run_module(main, dict(CREATE, wait=False))
    assert "HTTP 502" in result["msg"] and "Bad Gateway" in result["msg"]


def test_authentication_failure_says_so_without_the_password(cloud, run_module):
    cloud.post("http://keystone.test/v3/auth/tokens", status_code=401, json={"error": {
        "code": 401, "title": "Unauthorized",
        "message": "The request you have made requires authentication."}})
    result = run_module(main, dict(CREATE, wait=False))
    assert result["failed"] and "HTTP 401" in result["msg"]
    assert "credentials" in result["msg"]
    assert PASSWORD not in json.dumps(result)


def test_a_password_in_a_cloud_dict_is_masked(api, run_module):
    cloud_dict = {"auth": {"auth_url": "http://keystone.test/v3", "username": "demo",
                           "password": PASSWORD, "project_name": "demo",
                           "user_domain_name": "Default", "project_domain_name": "Default"}}
    result = run_module(main, dict(CREATE, cloud=cloud_dict, wait=False))
    assert result["changed"] is True
    assert PASSWORD not in json.dumps(result)


def test_an_unreachable_endpoint_fails_with_what_to_check(cloud, run_module):
    import requests

    cloud.post(VBS_ROOT + "/backups", exc=requests.exceptions.ConnectionError("refused"))
    result = run_module(main, dict(CREATE, wait=False))
    assert result["failed"] and "Creating the backup failed" in result["msg"]
    assert "What to do" in result["msg"]


# --- state=absent ----------------------------------------------------------------------------

def test_delete_by_name_waits_until_gone(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/detail", json=listing(record()["backup"]))
    cloud.delete(VBS_ROOT + "/backups/" + BACKUP, status_code=202)
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": record("deleting")},
                                                {"status_code": 404, "json": {}}])
    result = run_module(main, dict(state="absent", volume_id=VOLUME, name="backup1"), diff=True)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert result["diff"] == {"before": record()["backup"], "after": {}}


def test_delete_of_an_absent_backup_reports_no_change(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, status_code=404, json={})
    result = run_module(main, dict(state="absent", backup_id=BACKUP))
    assert result["changed"] is False and not writes(cloud)


def test_delete_in_check_mode_deletes_nothing(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json=record())
    result = run_module(main, dict(state="absent", backup_id=BACKUP), check_mode=True)
    assert result["changed"] is True and not writes(cloud)


def test_delete_fails_on_error_deleting(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": record()},
                                                {"json": record("error_deleting", fail_reason="busy")}])
    cloud.delete(VBS_ROOT + "/backups/" + BACKUP, status_code=202)
    result = run_module(main, dict(state="absent", backup_id=BACKUP))
    assert result["failed"] and "error_deleting" in result["msg"] and "busy" in result["msg"]


def test_delete_needs_an_id_or_a_name_and_volume(cloud, run_module):
    result = run_module(main, dict(state="absent", name="backup1"))
    assert result["failed"] and "backup_id" in result["msg"]
    assert cloud.request_history == []
