# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup state=absent as the real service needs it, with HTTP faked at the wire.

A backup that goes back to ``available`` after a DELETE gets the DELETE again (at most 3 more
times, each in ``retries``); ``error_deleting`` says to contact the provider's support with the
backup ID and the request ID of the DELETE, never to delete it again.
"""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup import main
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
URL = VBS_ROOT + "/backups/" + BACKUP
ABSENT = {"state": "absent", "backup_id": BACKUP}
GONE = {"status_code": 404, "json": {"itemNotFound": {"code": 404, "message": "not found"}}}


def record(status="available", **extra):
    return {"json": {"backup": dict(dict(id=BACKUP, name="nightly-1", status=status,
                                         volume_id=VOLUME, fail_reason=None), **extra)}}


def deletes(mock):
    return [r for r in mock.request_history if r.method == "DELETE"]


def accepted(request_id):
    return {"status_code": 202, "headers": {"X-Openstack-Request-Id": request_id}}


def test_a_backup_back_to_available_gets_the_delete_again(cloud, run_module):
    cloud.get(URL, [record(), record("deleting"), record("available"), record("deleting"), GONE])
    cloud.delete(URL, [accepted("req-1"), accepted("req-2")])

    result = run_module(main, ABSENT)

    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(deletes(cloud)) == 2
    assert result["retries"] == [{
        "operation": "Deleting backup %s" % BACKUP, "attempt": 1, "delay": 0,
        "reason": "the backup went back to status 'available' after the DELETE; sending it again"}]


def test_a_backup_back_to_error_gets_the_delete_again(cloud, run_module):
    cloud.get(URL, [record("error"), record("error"), GONE])
    cloud.delete(URL, status_code=202)
    result = run_module(main, ABSENT)
    assert result["changed"] is True and len(deletes(cloud)) == 2
    assert "status 'error'" in result["retries"][0]["reason"]


def test_the_delete_is_sent_again_at_most_three_times(cloud, run_module):
    cloud.get(URL, **record())
    cloud.delete(URL, [accepted("req-%d" % n) for n in range(1, 5)])

    result = run_module(main, ABSENT)

    assert result["failed"]
    assert len(deletes(cloud)) == 4
    assert [r["attempt"] for r in result["retries"]] == [1, 2, 3]
    msg = result["msg"]
    assert "Backup %s went back to status 'available' after 4 DELETE requests" % BACKUP in msg
    assert "contact the cloud provider's support" in msg
    assert "request ID req-4" in msg and "\n" not in msg
    assert result["backup_id"] == BACKUP


def test_error_deleting_says_to_contact_support_with_the_request_id(cloud, run_module):
    cloud.get(URL, [record(), record("error_deleting", fail_reason="storage unreachable")])
    cloud.delete(URL, **accepted("req-del-7"))

    result = run_module(main, ABSENT)

    assert result["failed"]
    msg = result["msg"]
    assert "went to status 'error_deleting' while being deleted: storage unreachable" in msg
    assert "contact the cloud provider's support" in msg
    assert BACKUP in msg and "request ID req-del-7 of the DELETE" in msg
    assert "delete it and" not in msg and "deleting it again does not help" in msg
    assert len(deletes(cloud)) == 1  # never sent again
    assert "retries" not in result


def test_a_backup_already_in_error_deleting_is_not_sent_a_delete(cloud, run_module):
    cloud.get(URL, **record("error_deleting"))
    cloud.delete(URL, status_code=202)
    result = run_module(main, ABSENT)
    assert result["failed"] and "'error_deleting'" in result["msg"]
    assert "contact the cloud provider's support" in result["msg"] and BACKUP in result["msg"]
    assert not deletes(cloud)


def test_a_second_delete_refused_because_the_first_took_is_fine(cloud, run_module):
    # The service was slow to show 'deleting': the resend finds the backup being deleted.
    cloud.get(URL, [record(), record("available"), record("deleting"), GONE])
    cloud.delete(URL, [{"status_code": 202}, {"status_code": 400, "json": {"badRequest": {
        "code": 400, "message": "Invalid backup: Backup status must be available or error"}}}])
    result = run_module(main, ABSENT)
    assert result["changed"] is True and "failed" not in result
    assert len(deletes(cloud)) == 2


def test_a_second_delete_refused_for_another_reason_fails_with_it(cloud, run_module):
    cloud.get(URL, [record(), record("available"), record("available")])
    cloud.delete(URL, [{"status_code": 202}, {"status_code": 400, "json": {"badRequest": {
        "code": "VolumeBackup.0113", "message": "The backup was used to create an image"}}}])
    result = run_module(main, ABSENT)
    assert result["failed"] and "VolumeBackup.0113" in result["msg"]


def test_a_backup_already_being_deleted_is_waited_for_without_a_delete(cloud, run_module):
    cloud.get(URL, [record("deleting"), record("deleting"), GONE])
    cloud.delete(URL, status_code=202)
    result = run_module(main, ABSENT)
    assert result["changed"] is False and not deletes(cloud)
    assert len([r for r in cloud.request_history if r.method == "GET" and r.url == URL]) == 3


def test_without_wait_one_delete_and_no_polling(cloud, run_module):
    cloud.get(URL, **record())
    cloud.delete(URL, status_code=202)
    result = run_module(main, dict(ABSENT, wait=False))
    assert result["changed"] is True and len(deletes(cloud)) == 1
    assert len([r for r in cloud.request_history if r.method == "GET" and r.url == URL]) == 1


def test_the_wait_for_a_delete_times_out_naming_the_backup(cloud, run_module, no_sleep):
    cloud.get(URL, [record()] + [record("deleting")] * 100)
    cloud.delete(URL, status_code=202)
    result = run_module(main, dict(ABSENT, timeout=20))
    assert result["failed"] and BACKUP in result["msg"]
    assert "last status is 'deleting'" in result["msg"]
    assert sum(no_sleep) == pytest.approx(20)


def test_check_mode_predicts_the_failure_of_error_deleting(cloud, run_module):
    cloud.get(URL, **record("error_deleting"))
    result = run_module(main, ABSENT, check_mode=True)
    assert result["failed"] and "contact the cloud provider's support" in result["msg"]
    assert not deletes(cloud)


def test_check_mode_predicts_no_change_for_a_backup_already_being_deleted(cloud, run_module):
    cloud.get(URL, **record("deleting"))
    result = run_module(main, ABSENT, check_mode=True)
    assert result["changed"] is False and not deletes(cloud)
