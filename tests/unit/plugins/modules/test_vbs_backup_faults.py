# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults at the wire: retries, lost answers that must not make a second backup, busy disks."""

from __future__ import annotations

import pytest
import requests
import urllib3

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup import main
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
ARGS = {"volume_id": VOLUME, "snapshot_id": SNAPSHOT, "name": "nightly", "wait": False}
CREATED = {"json": {"backup": {"id": BACKUP, "name": "nightly", "links": []}}, "status_code": 202}
MADE = {"id": BACKUP, "name": "nightly", "volume_id": VOLUME, "status": "creating"}
LISTS = VBS_ROOT + "/backups/detail"
POSTS = VBS_ROOT + "/backups"

REFUSED = requests.exceptions.ConnectionError(urllib3.exceptions.NewConnectionError(
    None, "Failed to establish a new connection: [Errno 111] Connection refused"))
RESET = requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
    "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))
READ_TIMEOUT = requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)")
UNAVAILABLE = {"status_code": 503,
               "json": {"serviceUnavailable": {"code": 503, "message": "try later"}}}


def posts(mock):
    return [r for r in mock.request_history if r.method == "POST" and r.url.startswith(POSTS)]


def test_a_create_answered_503_is_looked_up_then_sent_again_once(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [UNAVAILABLE, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 2
    assert result["retries"][0]["reason"] == ("HTTP 503; no backup named nightly appeared in "
                                              "30 s, sending again")


@pytest.mark.parametrize("lost", [RESET, READ_TIMEOUT], ids=["reset", "read-timeout"])
def test_a_lost_answer_adopts_the_backup_the_server_made(cloud, run_module, lost):
    cloud.get(LISTS, [{"json": {"backups": []}}, {"json": {"backups": [MADE]}}])
    cloud.post(POSTS, exc=lost)
    result = run_module(main, ARGS)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 1
    assert "adopted backup %s" % BACKUP in result["retries"][0]["reason"]


@pytest.mark.parametrize("fault", [{"exc": RESET}, {"exc": READ_TIMEOUT}, UNAVAILABLE],
                         ids=["reset", "read-timeout", "503"])
def test_without_a_name_a_create_of_unknown_fate_is_not_sent_again(cloud, run_module, fault):
    cloud.post(POSTS, **fault)
    result = run_module(main, dict(ARGS, name=None))
    assert result["failed"] and len(posts(cloud)) == 1
    assert "unknown" in result["msg"] and "not sent again" in result["msg"]
    assert "vbs_backup_info with volume_id %s" % VOLUME in result["msg"]


def test_a_refused_connection_sent_nothing_and_is_retried_even_without_a_name(
        cloud, run_module, no_sleep):
    cloud.post(POSTS, [{"exc": REFUSED}, CREATED])
    result = run_module(main, dict(ARGS, name=None))
    assert result["changed"] is True and len(posts(cloud)) == 2
    assert result["retries"][0]["reason"] == "ConnectFailure" and no_sleep


def test_429_honours_retry_after(cloud, run_module, no_sleep):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [{"status_code": 429, "headers": {"Retry-After": "7"}, "json": {}}, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True
    assert no_sleep == [7.0] and result["retries"] == [
        {"operation": "Creating the backup", "attempt": 1, "reason": "HTTP 429", "delay": 7.0}]


def test_reads_are_retried_with_growing_backoff(cloud, run_module, no_sleep):
    cloud.get(LISTS, [UNAVAILABLE, {"exc": RESET}, {"status_code": 502, "json": {}},
                      {"json": {"backups": []}}])
    cloud.post(POSTS, **CREATED)
    result = run_module(main, ARGS)
    assert result["changed"] is True
    assert [r["reason"] for r in result["retries"]] == ["HTTP 503", "ConnectFailure", "HTTP 502"]
    assert no_sleep[0] < no_sleep[-1]


def test_retries_are_bounded(cloud, run_module, no_sleep):
    cloud.get(LISTS, **UNAVAILABLE)
    result = run_module(main, dict(ARGS, timeout=3600))
    assert result["failed"] and "Listing backups failed: HTTP 503" in result["msg"]
    assert len([r for r in cloud.request_history if r.url.startswith(LISTS)]) == 5
    assert len(result["retries"]) == 4 and not posts(cloud)


def test_retries_stay_within_the_timeout(cloud, run_module, no_sleep):
    cloud.get(LISTS, **UNAVAILABLE)
    result = run_module(main, dict(ARGS, timeout=5))
    assert result["failed"] and sum(no_sleep) <= 5


BUSY_CINDER = {"status_code": 400, "json": {"badRequest": {"code": 400, "message": (
    'Invalid volume: Volume to be backed up must be available or in-use, but the current '
    'status is "backing-up".')}}}
BUSY_VBS = {"status_code": 400, "json": {"badRequest": {
    "code": "VolumeBackup.0013", "message": "The previous backup of the disk is not complete"}}}


@pytest.mark.parametrize("busy", [BUSY_CINDER, BUSY_VBS, {"status_code": 409, "json": {}}],
                         ids=["cinder", "vbs", "409"])
def test_a_busy_disk_is_waited_for_with_wait(cloud, run_module, busy):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [busy, busy, CREATED])
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": dict(MADE, status="available")})
    result = run_module(main, dict(ARGS, wait=True))
    assert result["changed"] is True and result["backup"]["status"] == "available"
    assert len(posts(cloud)) == 3
    assert result["retries"][0]["reason"].startswith("disk busy with a previous backup")


def test_a_busy_disk_fails_with_the_reason_without_wait(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **BUSY_VBS)
    result = run_module(main, ARGS)
    assert result["failed"] and len(posts(cloud)) == 1
    assert "VolumeBackup.0013" in result["msg"] and "previous backup is still running" in result["msg"]


def test_a_busy_disk_gives_up_at_the_timeout(cloud, run_module, no_sleep):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **BUSY_VBS)
    result = run_module(main, dict(ARGS, wait=True, timeout=20))
    assert result["failed"] and "VolumeBackup.0013" in result["msg"]
    assert sum(no_sleep) == pytest.approx(20)


def test_a_delete_whose_answer_was_lost_is_retried_and_reports_the_change(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, [{"json": {"backup": dict(MADE, status="available")}},
                                                {"status_code": 404, "json": {}}])
    cloud.delete(VBS_ROOT + "/backups/" + BACKUP, [{"exc": RESET}, {"status_code": 404, "json": {}}])
    result = run_module(main, {"state": "absent", "backup_id": BACKUP})
    assert result["changed"] is True and result["retries"][0]["reason"] == "ConnectFailure"


# An answer cut off half-way (found with tests/faults/proxy.py, action cut_body): requests raises
# ChunkedEncodingError, which keystoneauth passes on as UnknownConnectionError.
CUT = requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError(
    "Connection broken: IncompleteRead(142 bytes read, 143 more expected)"))


def test_a_create_whose_answer_was_cut_off_adopts_the_backup(cloud, run_module):
    cloud.get(LISTS, [{"json": {"backups": []}}, {"json": {"backups": [MADE]}}])
    cloud.post(POSTS, exc=CUT)
    result = run_module(main, ARGS)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 1
    assert "the answer was cut off (ChunkedEncodingError); adopted backup %s" % BACKUP in (
        result["retries"][0]["reason"])


def test_without_a_name_a_create_whose_answer_was_cut_off_is_not_sent_again(cloud, run_module):
    cloud.post(POSTS, exc=CUT)
    result = run_module(main, dict(ARGS, name=None))
    assert result["failed"] and len(posts(cloud)) == 1
    assert "Whether the service carried it out is unknown" in result["msg"]


def test_a_read_whose_answer_was_cut_off_is_read_again(cloud, run_module):
    cloud.get(LISTS, [{"exc": CUT}, {"json": {"backups": [dict(MADE, status="available")]}}])
    result = run_module(main, ARGS)
    assert result["changed"] is False and result["backup_id"] == BACKUP
    assert result["retries"][0]["reason"] == "the answer was cut off (ChunkedEncodingError)"
    assert not posts(cloud)
