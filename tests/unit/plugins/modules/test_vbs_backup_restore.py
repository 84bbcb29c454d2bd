# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup_restore driven through its real openstacksdk session, with HTTP faked at the wire."""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup_restore import main
from ansible_collections.vbs.cloud.tests.unit.wire import PROJECT_ID, VBS_ROOT, writes

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
TARGET = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
BACKUP_URL = VBS_ROOT + "/backups/" + BACKUP
RESTORE_URL = BACKUP_URL + "/restore"
VOLUME_URL = VBS_ROOT + "/volumes/" + TARGET
ANSWER = {"restore": {"backup_id": BACKUP, "volume_id": TARGET, "volume_name": "spare"}}
ARGS = dict(backup_id=BACKUP, target_volume_id=TARGET)


def backup(status="available", **extra):
    return dict(dict(id=BACKUP, name="backup1", status=status, volume_id=VOLUME, size=10,
                     fail_reason=None, service_metadata='{"progress": "100", "Type": 0}'),
                **extra)


def volume(status="available", **extra):
    return dict(dict(id=TARGET, name="spare", status=status, size=20), **extra)


def backups(*statuses):
    return [{"json": {"backup": backup(status)}} for status in statuses]


def volumes(*statuses):
    return [{"json": {"volume": volume(status)}} for status in statuses]


def calls(mock):
    """(method, path) of every request to the VBS API."""
    return [(r.method, r.path.replace("/v2/%s" % PROJECT_ID, ""))
            for r in mock.request_history if "/v2/" in r.path]


@pytest.fixture
def api(cloud):
    """An available backup, an available larger target disk, and restores answered with 202."""
    cloud.get(BACKUP_URL, json={"backup": backup()})
    cloud.get(VOLUME_URL, json={"volume": volume()})
    cloud.post(RESTORE_URL, status_code=202, json=ANSWER)
    return cloud


# --- restoring -------------------------------------------------------------------------------

def test_restore_waits_for_the_backup_and_the_disk(api, run_module, no_sleep):
    api.get(BACKUP_URL, backups("available", "restoring", "restoring", "available"))
    api.get(VOLUME_URL, volumes("available", "restoring-backup", "available"))

    result = run_module(main, ARGS)

    assert result["changed"] is True
    assert result["restore"] == ANSWER["restore"]
    assert writes(api)[0].json() == {"restore": {"volume_id": TARGET}}
    assert result["backup"]["status"] == "available"
    assert result["backup"]["service_metadata"] == {"progress": "100", "Type": 0}
    assert result["volume"] == volume("available")
    assert result["msg"] == "Restored backup %s (backup1) onto volume %s (spare)." % (
        BACKUP, TARGET)
    assert calls(api) == [
        ("GET", "/backups/" + BACKUP),
        ("GET", "/volumes/" + TARGET),
        ("POST", "/backups/%s/restore" % BACKUP),
        ("GET", "/backups/" + BACKUP),
        ("GET", "/backups/" + BACKUP),
        ("GET", "/backups/" + BACKUP),
        ("GET", "/volumes/" + TARGET),
        ("GET", "/volumes/" + TARGET),
    ]
    assert no_sleep == sorted(no_sleep) and len(no_sleep) == 4


def test_without_wait_the_answer_comes_back_at_once(api, run_module, no_sleep):
    result = run_module(main, dict(ARGS, wait=False))
    assert result["changed"] is True and result["restore"] == ANSWER["restore"]
    assert result["backup"]["status"] == "available"
    assert "not waiting" in result["msg"]
    assert calls(api)[-1] == ("POST", "/backups/%s/restore" % BACKUP)
    assert no_sleep == []


def test_restore_by_name_and_the_backed_up_disk(api, run_module, no_sleep):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [backup()]})
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, target_volume_id=TARGET,
                                   wait=False))
    assert result["restore"]["backup_id"] == BACKUP
    detail = [r for r in api.request_history if r.path.endswith("/detail")]
    assert detail[0].qs == {"name": ["backup1"], "volume_id": [VOLUME]}
    assert len(writes(api)) == 1


def test_by_name_backups_that_failed_are_passed_over(api, run_module):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [
        backup("error", id="failed-one"), backup(), backup("deleting", id="going")]})
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, target_volume_id=TARGET,
                                   wait=False))
    assert result["restore"]["backup_id"] == BACKUP
    assert writes(api)[0].url == RESTORE_URL


def test_ambiguous_name_fails_listing_the_ids_and_restores_nothing(api, run_module):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [
        backup(id="id-2"), backup("creating", id="id-1"), backup(name="backup10", id="other")]})
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, target_volume_id=TARGET))
    assert result["failed"]
    assert "2 backups named 'backup1'" in result["msg"]
    assert "id-1 (creating), id-2 (available)" in result["msg"]
    assert "backup_id" in result["msg"]
    assert not writes(api)


def test_no_backup_of_that_name_fails(api, run_module):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, target_volume_id=TARGET))
    assert result["failed"] and "No backup named 'backup1'" in result["msg"]
    assert not writes(api)


def test_a_backup_id_that_does_not_exist_fails(api, run_module):
    api.get(BACKUP_URL, status_code=404, json={"itemNotFound": {"code": 404, "message": "gone"}})
    result = run_module(main, ARGS)
    assert result["failed"] and "Backup %s does not exist" % BACKUP in result["msg"]
    assert not writes(api)


@pytest.mark.parametrize("args, word", [
    (dict(volume_id="another-disk"), "volume_id is '%s', not 'another-disk'" % VOLUME),
    (dict(name="backup2"), "name is 'backup1', not 'backup2'"),
])
def test_a_backup_id_that_contradicts_name_or_volume_fails(api, run_module, args, word):
    result = run_module(main, dict(ARGS, **args))
    assert result["failed"] and word in result["msg"]
    assert not writes(api)


# --- refusing up front -----------------------------------------------------------------------

@pytest.mark.parametrize("status", ["creating", "restoring", "error", "error_restoring",
                                    "deleting", "error_deleting"])
@pytest.mark.parametrize("check_mode", [False, True])
def test_a_backup_that_is_not_available_is_refused(api, run_module, status, check_mode):
    api.get(BACKUP_URL, json={"backup": backup(status)})
    result = run_module(main, ARGS, check_mode=check_mode)
    assert result["failed"]
    assert "status '%s', not 'available'" % status in result["msg"]
    assert "What to do" in result["msg"]
    assert result["backup_id"] == BACKUP
    assert not writes(api)


@pytest.mark.parametrize("status, words", [
    ("in-use", "detach the disk"),
    ("restoring-backup", "another restore"),
    ("error", "must be 'available'"),
])
def test_a_target_disk_that_is_not_available_is_refused(api, run_module, status, words):
    api.get(VOLUME_URL, json={"volume": volume(status)})
    result = run_module(main, ARGS)
    assert result["failed"]
    assert "Volume %s (spare) is in status '%s'" % (TARGET, status) in result["msg"]
    assert words in result["msg"]
    assert result["volume"]["status"] == status
    assert not writes(api)


def test_a_target_disk_that_does_not_exist_is_refused(api, run_module):
    api.get(VOLUME_URL, status_code=404, json={"itemNotFound": {"code": 404, "message": "no"}})
    result = run_module(main, ARGS)
    assert result["failed"] and "Volume %s (target_volume_id) does not exist" % TARGET \
        in result["msg"]
    assert not writes(api)


def test_a_target_disk_smaller_than_the_backup_is_refused(api, run_module):
    api.get(VOLUME_URL, json={"volume": volume(size=5)})
    result = run_module(main, ARGS)
    assert result["failed"] and "has 5 GB, less than the 10 GB" in result["msg"]
    assert not writes(api)


# --- check mode ------------------------------------------------------------------------------

def test_check_mode_sends_no_restore_and_says_what_would_go_where(api, run_module):
    result = run_module(main, ARGS, check_mode=True)
    assert result["changed"] is True
    assert result["restore"] == ANSWER["restore"]
    assert result["msg"] == ("Would restore backup %s (backup1) onto volume %s (spare), "
                             "replacing its data." % (BACKUP, TARGET))
    assert not writes(api)
    assert [call[0] for call in calls(api)] == ["GET", "GET"]


# --- failures while waiting ------------------------------------------------------------------

def test_error_restoring_on_the_backup_fails_with_the_reason(api, run_module, no_sleep):
    api.get(BACKUP_URL, [{"json": {"backup": backup()}}, {"json": {"backup": backup("restoring")}},
                         {"json": {"backup": backup("error_restoring",
                                                    fail_reason="OBS unreachable")}}])
    result = run_module(main, ARGS)
    assert result["failed"]
    assert "Backup %s went to status 'error_restoring'" % BACKUP in result["msg"]
    assert "OBS unreachable" in result["msg"]
    assert result["backup"]["status"] == "error_restoring"


def test_error_restoring_on_the_disk_fails_with_the_reason(api, run_module, no_sleep):
    api.get(BACKUP_URL, [{"json": {"backup": backup()}},
                         {"json": {"backup": backup(fail_reason="checksum mismatch")}}])
    api.get(VOLUME_URL, volumes("available", "restoring-backup", "error_restoring"))
    result = run_module(main, ARGS)
    assert result["failed"]
    assert "Volume %s went to status 'error_restoring'" % TARGET in result["msg"]
    assert "checksum mismatch" in result["msg"]
    assert result["volume"]["status"] == "error_restoring"
    assert result["backup_id"] == BACKUP


def test_error_restoring_on_the_disk_without_a_reason_says_so(api, run_module, no_sleep):
    api.get(VOLUME_URL, volumes("available", "error_restoring"))
    result = run_module(main, ARGS)
    assert result["failed"] and "no reason given by the service" in result["msg"]


def test_timeout_while_the_backup_is_restoring(api, run_module, no_sleep):
    api.get(BACKUP_URL, backups("available") + backups("restoring"))
    result = run_module(main, dict(ARGS, timeout=60))
    assert result["failed"]
    assert "Timed out after 60s waiting for backup %s" % BACKUP in result["msg"]
    assert "last status is 'restoring'" in result["msg"]
    assert "would restore again" in result["msg"]
    assert sum(no_sleep) == pytest.approx(60)
    assert len(writes(api)) == 1


def test_one_deadline_covers_the_backup_and_the_disk(api, run_module, no_sleep):
    api.get(BACKUP_URL, backups("available", "restoring", "restoring", "available"))
    api.get(VOLUME_URL, volumes("available") + volumes("restoring-backup"))
    result = run_module(main, dict(ARGS, timeout=30))
    assert result["failed"]
    assert "waiting for volume %s" % TARGET in result["msg"]
    assert "last status is 'restoring-backup'" in result["msg"]
    assert sum(no_sleep) == pytest.approx(30)
    assert result["volume"]["status"] == "restoring-backup"


# --- validation: nothing is sent -------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (dict(target_volume_id=TARGET), ["'backup_id'", "missing", "name and volume_id"]),
    (dict(name="backup1", target_volume_id=TARGET), ["'volume_id'", "missing"]),
    (dict(backup_id=BACKUP), ["target_volume_id"]),
    (dict(ARGS, target_volume_id=""), ["'target_volume_id'", "empty"]),
    (dict(ARGS, target_volume_id="a/b"), ["'target_volume_id'", "URL delimiters"]),
    (dict(ARGS, backup_id="a b"), ["'backup_id'", "spaces"]),
    (dict(name="", volume_id=VOLUME, target_volume_id=TARGET), ["'name'", "empty"]),
    (dict(ARGS, timeout=-5), ["'timeout'", "negative"]),
])
def test_invalid_values_fail_before_any_request(cloud, run_module, args, words):
    result = run_module(main, args)
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert cloud.request_history == []


# --- errors from the API ---------------------------------------------------------------------

@pytest.mark.parametrize("status", [400, 403, 404, 409, 500, 503])
def test_an_error_status_of_the_restore_fails_with_a_one_line_message(api, run_module, status):
    api.post(RESTORE_URL, status_code=status, headers={"X-Openstack-Request-Id": "req-9"},
             json={"badRequest": {"code": "VolumeBackup.0206",
                                  "message": "A backup of the disk is being created"}})
    result = run_module(main, ARGS)
    assert result["failed"]
    msg = result["msg"]
    assert msg.startswith("Restoring backup %s failed: HTTP %d" % (BACKUP, status))
    assert "VolumeBackup.0206: A backup of the disk is being created" in msg and "req-9" in msg
    if status < 500:
        assert "What to do: a backup of the disk is being created" in msg
    else:  # the restore may have started: not sent again, and the advice says what to check
        assert "unknown" in msg and "What to do: check with vbs_backup_info" in msg
        assert len(writes(api)) == 1
    assert "\n" not in msg
    assert result["error"] == {"status": status, "code": "VolumeBackup.0206",
                               "message": "A backup of the disk is being created",
                               "request_id": "req-9"}


def test_an_error_reading_the_target_disk_fails_before_restoring(api, run_module):
    api.get(VOLUME_URL, status_code=403, json={"forbidden": {"message": "no rights"}})
    result = run_module(main, ARGS)
    assert result["failed"]
    assert result["msg"].startswith("Reading volume %s failed: HTTP 403" % TARGET)
    assert not writes(api)
