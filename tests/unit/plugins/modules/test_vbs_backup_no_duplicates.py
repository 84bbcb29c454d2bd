# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""No duplicate backup, ever, and results that tell the truth (issue 11), at the wire.

A create whose POST may have reached the service is looked up by name for a grace period of
max(2 x api_timeout, 30 s) before it is sent again; every POST is numbered across the create;
failures say how many times the request was sent and what was found; a create, delete or
restore the service accepted is reported as changed, with the id, also when the task fails.
"""

from __future__ import annotations

import re

import pytest
import requests
import urllib3

from ansible_collections.vbs.cloud.plugins.module_utils import client as client_module
from ansible_collections.vbs.cloud.plugins.modules import vbs_backup, vbs_backup_restore
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT

main = vbs_backup.main
VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
OTHER_VOLUME = "0d6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c99"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
SECOND = "0b8d0a2e-5a0e-4bd8-9d0f-6d7c1c0a8f31"
ARGS = {"volume_id": VOLUME, "snapshot_id": SNAPSHOT, "name": "nightly", "wait": False}
CREATED = {"json": {"backup": {"id": BACKUP, "name": "nightly", "links": []}}, "status_code": 202}
MADE = {"id": BACKUP, "name": "nightly", "volume_id": VOLUME, "status": "creating"}
LISTS = VBS_ROOT + "/backups/detail"
POSTS = VBS_ROOT + "/backups"
BACKUP_URL = VBS_ROOT + "/backups/" + BACKUP
VOLUME_URL = VBS_ROOT + "/volumes/" + VOLUME
SNAPSHOT_URL = VBS_ROOT + "/snapshots/" + SNAPSHOT

READ_TIMEOUT = requests.exceptions.ReadTimeout("Read timed out. (read timeout=3)")
CONNECT_TIMEOUT = requests.exceptions.ConnectTimeout(urllib3.exceptions.ConnectTimeoutError(
    None, "Connection to volume.test timed out. (connect timeout=3)"))
CUT = requests.exceptions.ChunkedEncodingError(urllib3.exceptions.ProtocolError(
    "Connection broken: IncompleteRead(142 bytes read, 143 more expected)"))
UNAVAILABLE = {"status_code": 503,
               "json": {"serviceUnavailable": {"code": 503, "message": "try later."}}}
GATEWAY_TIMEOUT = {"status_code": 504, "text": "<html><body>504 Gateway Time-out</body></html>"}
BUSY = {"status_code": 400, "json": {"badRequest": {
    "code": "VolumeBackup.0013", "message": "The previous backup of the disk is not complete."}}}
THROTTLED = {"status_code": 429, "headers": {"Retry-After": "1"}, "json": {
    "error_code": "APIG.0308",
    "error_msg": "The throttling threshold has been reached: policy ip over ratelimit"}}


def now():
    return client_module.time.monotonic()


def posts(mock):
    return [r for r in mock.request_history if r.method == "POST" and r.url == POSTS]


def lists(mock):
    return [r for r in mock.request_history if r.url.startswith(LISTS)]


def creates(result):
    return [r for r in result.get("retries", []) if r["operation"] == "Creating the backup"]


def sequence(mock):
    """The VBS calls in order: 'L' a listing, 'P' a create, 'G' another read."""
    marks = []
    for r in mock.request_history:
        if r.url.startswith(LISTS):
            marks.append("L")
        elif r.method == "POST" and r.url == POSTS:
            marks.append("P")
        elif "/v2/" in r.url and r.method == "GET":
            marks.append("G")
    return "".join(marks)


def warnings(result):
    """The texts of the task's warnings (ansible-core 2.19 wraps each in an event)."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def listing_after(mock, count, backups):
    """A listing callback: empty until ``count`` POSTs were sent, then ``backups``."""
    def answer(request, context):
        return {"backups": backups if len(posts(mock)) >= count else []}
    return answer


# --- 1. the grace period: a slow gateway never makes a second backup -----------------------

def test_a_read_timeout_is_followed_by_a_look_over_the_grace_period_and_the_backup_adopted(
        cloud, run_module):
    """The issue's slow gateway: the backup appears 8 s after the POST timed out."""
    appears = []

    def listing(request, context):
        if posts(cloud) and not appears:
            appears.append(now() + 8)
        return {"backups": [MADE] if appears and now() >= appears[0] else []}

    cloud.get(LISTS, json=listing)
    cloud.post(POSTS, exc=READ_TIMEOUT)
    result = run_module(main, dict(ARGS, api_timeout=3))
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 1
    assert len(lists(cloud)) > 2  # looked several times, not once right after the timeout
    [entry] = creates(result)
    assert entry["attempt"] == 1
    assert entry["reason"].startswith("ReadTimeout; adopted backup %s made by that request "
                                      "(found after " % BACKUP)


@pytest.mark.parametrize("api_timeout, grace", [(None, 30), (3, 30), (20, 40)])
def test_the_post_is_sent_again_only_after_the_whole_grace_period(cloud, run_module,
                                                                  api_timeout, grace):
    stamps = []

    def created(request, context):
        stamps.append(now())
        if len(stamps) == 1:
            raise READ_TIMEOUT
        context.status_code = 202
        return CREATED["json"]

    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, json=created)
    args = dict(ARGS) if api_timeout is None else dict(ARGS, api_timeout=api_timeout)
    result = run_module(main, args)
    assert result["changed"] is True and len(stamps) == 2
    assert stamps[1] - stamps[0] >= grace
    # the task's lookup, POST 1, the grace look (the last one right before POST 2), POST 2,
    # then one count of the name's backups (a resend after a POST of unknown fate)
    assert re.fullmatch("LPL{3,}PL", sequence(cloud)), sequence(cloud)
    [entry] = creates(result)
    assert entry == {"operation": "Creating the backup", "attempt": 1, "delay": grace,
                     "reason": "ReadTimeout; no backup named nightly appeared in %d s, "
                               "sending again" % grace}


@pytest.mark.parametrize("fault", [GATEWAY_TIMEOUT, {"status_code": 502, "json": {}},
                                   {"status_code": 500, "json": {}}, UNAVAILABLE,
                                   {"exc": CUT}, {"exc": READ_TIMEOUT}],
                         ids=["504", "502", "500", "503", "cut-off", "read-timeout"])
def test_every_answer_of_unknown_fate_is_looked_up_before_a_resend(cloud, run_module, fault):
    cloud.get(LISTS, json=listing_after(cloud, 1, [MADE]))
    cloud.post(POSTS, [fault, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 1 and "adopted backup" in creates(result)[0]["reason"]


@pytest.mark.parametrize("fault", [GATEWAY_TIMEOUT, {"status_code": 502, "json": {}},
                                   {"exc": READ_TIMEOUT}], ids=["504", "502", "read-timeout"])
def test_without_a_name_nothing_is_looked_up_and_nothing_sent_again(cloud, run_module, fault):
    cloud.post(POSTS, **fault)
    result = run_module(main, dict(ARGS, name=None))
    assert result["failed"] and not result.get("changed")
    assert len(posts(cloud)) == 1 and not lists(cloud)
    assert "Whether the service carried it out is unknown, so it was not sent again" in (
        result["msg"])


def test_without_a_name_a_throttled_post_is_sent_again_and_the_count_is_said(cloud, run_module):
    cloud.post(POSTS, [THROTTLED, GATEWAY_TIMEOUT])
    result = run_module(main, dict(ARGS, name=None))
    assert result["failed"] and len(posts(cloud)) == 2
    assert "The request was sent 2 times" in result["msg"]
    assert creates(result)[0]["attempt"] == 1


def test_504_then_busy_looks_the_name_up_again_before_sending_again(cloud, run_module):
    """The issue's second gap: after a 504 and a busy disk, the first POST's backup appears."""
    cloud.get(LISTS, json=listing_after(cloud, 2, [MADE]))
    cloud.post(POSTS, [GATEWAY_TIMEOUT, BUSY, CREATED])
    cloud.get(BACKUP_URL, json={"backup": dict(MADE, status="available")})
    result = run_module(main, dict(ARGS, wait=True))
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert result["backup"]["status"] == "available"
    assert len(posts(cloud)) == 2  # the third POST, which made the duplicate, is never sent
    reasons = [(r["attempt"], r["reason"]) for r in creates(result)]
    assert reasons[0][0] == 1 and reasons[0][1].startswith(
        "HTTP 504; no backup named nightly appeared in 30 s")
    assert reasons[1][0] == 2 and reasons[1][1].startswith("disk busy with a previous backup: "
                                                           "The previous backup")
    assert reasons[2] == (2, "disk busy; adopted backup %s made by an earlier request of "
                             "unknown fate" % BACKUP)


def test_busy_without_an_earlier_unknown_post_looks_nothing_up(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [BUSY, BUSY, CREATED])
    cloud.get(BACKUP_URL, json={"backup": dict(MADE, status="available")})
    result = run_module(main, dict(ARGS, wait=True))
    assert result["changed"] is True and len(posts(cloud)) == 3
    assert len(lists(cloud)) == 1  # the task's own lookup by name, nothing more
    assert [r["attempt"] for r in creates(result)] == [1, 2]
    assert "duplicates" not in result


def test_a_refusal_after_an_unknown_post_looks_once_more_before_failing(cloud, run_module):
    cloud.get(LISTS, json=listing_after(cloud, 2, [MADE]))
    cloud.post(POSTS, [GATEWAY_TIMEOUT, BUSY])
    result = run_module(main, ARGS)  # wait: false, so busy is a refusal
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(posts(cloud)) == 2


# --- 2. attempts numbered truly; honest failure messages; the attempt cap ---------------------

def test_every_post_failing_503_within_a_short_timeout_is_sent_once_and_says_so(
        cloud, run_module):
    """The issue's run: timeout 12, every POST answered 503."""
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **UNAVAILABLE)
    result = run_module(main, dict(ARGS, timeout=12))
    assert result["failed"] and not result.get("changed")
    assert len(posts(cloud)) == 1
    msg = result["msg"]
    assert "not sent again" not in msg
    assert "The request was sent 1 time (HTTP 503)" in msg
    assert "no backup named nightly appeared on volume %s in the 12 s" % VOLUME in msg
    assert "cut short by the task's timeout, so one may still appear" in msg
    assert "raise timeout to look longer" in msg
    assert result["error"]["status"] == 503


def test_every_post_failing_503_stops_at_the_attempt_cap(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **UNAVAILABLE)
    result = run_module(main, dict(ARGS, timeout=3600))
    assert result["failed"] and len(posts(cloud)) == client_module.MAX_ATTEMPTS == 5
    assert [r["attempt"] for r in creates(result)] == [1, 2, 3, 4]
    assert "The request was sent 5 times (5 × HTTP 503); 5 of them may have reached" in (
        result["msg"])
    assert "in the 30 s it was looked for after the last one" in result["msg"]
    assert "vbs_backup_info with name nightly and volume_id %s" % VOLUME in result["msg"]
    assert ".." not in result["msg"]


def test_a_throttling_storm_on_the_create_stops_at_the_cap_and_says_nothing_was_made(
        cloud, run_module, no_sleep):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **THROTTLED)
    result = run_module(main, dict(ARGS, timeout=3600))
    assert result["failed"] and len(posts(cloud)) == 5
    assert len(lists(cloud)) == 1  # 429 is a refusal: nothing to look for
    assert [(r["attempt"], r["delay"]) for r in creates(result)] == [(n, 1) for n in (1, 2, 3, 4)]
    assert "service error APIG.0308" in result["msg"]
    assert "sent 5 times (5 × HTTP 429); none can have made a backup" in result["msg"]
    assert "What to do: too many requests" in result["msg"]


def test_attempts_are_numbered_across_the_whole_create(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [THROTTLED, UNAVAILABLE, {"exc": READ_TIMEOUT}, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True and len(posts(cloud)) == 4
    assert [(r["attempt"], r["reason"].split(";")[0]) for r in creates(result)] == [
        (1, "HTTP 429"), (2, "HTTP 503"), (3, "ReadTimeout")]


def test_after_an_unknown_post_even_a_throttled_one_is_looked_up_before_a_resend(
        cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, [{"exc": READ_TIMEOUT}, THROTTLED, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True and len(posts(cloud)) == 3
    # the task's lookup, POST 1, the grace look, POST 2 (429), one look, POST 3, the count
    assert re.fullmatch("LPL{3,}PLPL", sequence(cloud)), sequence(cloud)


def test_a_failed_look_says_the_outcome_is_unknown_with_one_hint(cloud, run_module):
    cloud.get(LISTS, [{"json": {"backups": []}}, UNAVAILABLE])
    cloud.post(POSTS, exc=READ_TIMEOUT)
    result = run_module(main, ARGS)
    msg = result["msg"]
    assert result["failed"] and len(posts(cloud)) == 1
    assert msg.startswith("Creating the backup failed: ReadTimeout, and looking for the backup "
                          "it may have made failed too: Listing backups failed: HTTP 503")
    assert "The request was sent 1 time. What to do: list the disk's backups" in msg
    assert msg.count("What to do:") == 1 and ".." not in msg
    assert result["error"]["status"] == 503


# --- duplicates are reported, never hidden ---------------------------------------------------

def test_a_second_backup_of_the_name_after_a_resend_is_reported(cloud, run_module):
    late = dict(MADE, id=SECOND)

    def listing(request, context):
        return {"backups": [MADE, late] if len(posts(cloud)) >= 2 else []}

    cloud.get(LISTS, json=listing)
    cloud.post(POSTS, [{"exc": READ_TIMEOUT}, CREATED])
    result = run_module(main, ARGS)
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert result["duplicates"] == [SECOND]
    [warning] = [w for w in warnings(result) if "backups named nightly" in w]
    assert BACKUP in warning and SECOND in warning and "Delete the extra" in warning


def test_a_create_sent_once_pays_no_extra_request_for_duplicates(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **CREATED)
    result = run_module(main, ARGS)
    assert result["changed"] is True and sequence(cloud) == "LP"
    assert "duplicates" not in result


# --- 3. accepted writes are changed, with the id, also when the task fails ---------------------

@pytest.mark.parametrize("polls, timeout, words", [
    ([{"json": {"backup": dict(MADE, status="error", fail_reason="Disk read error.")}}], 600,
     "went to status 'error' while being created: Disk read error. What to do: "),
    ([{"json": {"backup": MADE}}], 10, "Timed out after 10s"),
    ([UNAVAILABLE], 600, "Reading backup %s failed: HTTP 503" % BACKUP),
], ids=["error", "timeout", "poll-fails"])
def test_a_created_backup_whose_wait_fails_is_reported_changed_with_its_id(
        cloud, run_module, polls, timeout, words):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **CREATED)
    cloud.get(BACKUP_URL, polls)
    result = run_module(main, dict(ARGS, wait=True, timeout=timeout))
    assert result["failed"] and words in result["msg"] and ".." not in result["msg"]
    assert result["changed"] is True and result["backup_id"] == BACKUP


def test_a_throttling_storm_on_the_polls_does_not_end_the_wait(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **CREATED)
    cloud.get(BACKUP_URL, [THROTTLED] * 6 + [UNAVAILABLE] * 5 + [
        {"json": {"backup": dict(MADE, status="available")}}])
    result = run_module(main, dict(ARGS, wait=True))
    assert result["changed"] is True and result["backup"]["status"] == "available"
    waits = [r for r in result["retries"] if "the wait goes on" in r["reason"]]
    assert [(r["attempt"], r["reason"].split(" after")[0]) for r in waits] == [
        (1, "HTTP 429"), (2, "HTTP 503")]


def test_a_poll_refused_for_good_still_ends_the_wait(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **CREATED)
    cloud.get(BACKUP_URL, status_code=403, json={"forbidden": {"code": 403, "message": "no"}})
    result = run_module(main, dict(ARGS, wait=True))
    assert result["failed"] and "HTTP 403" in result["msg"]
    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len([r for r in cloud.request_history if r.url == BACKUP_URL]) == 1


def test_an_adopted_backup_whose_wait_fails_is_reported_changed(cloud, run_module):
    cloud.get(LISTS, json=listing_after(cloud, 1, [MADE]))
    cloud.post(POSTS, exc=READ_TIMEOUT)
    cloud.get(BACKUP_URL, json={"backup": dict(MADE, status="error")})
    result = run_module(main, dict(ARGS, wait=True))
    assert result["failed"] and result["changed"] is True and result["backup_id"] == BACKUP


def test_a_refused_create_is_not_changed(cloud, run_module):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **BUSY)
    result = run_module(main, ARGS)
    assert result["failed"] and not result.get("changed")


def test_an_accepted_delete_whose_wait_fails_is_reported_changed_with_the_id(cloud, run_module):
    cloud.get(BACKUP_URL, [{"json": {"backup": dict(MADE, status="available")}},
                           {"json": {"backup": dict(MADE, status="error_deleting")}}])
    cloud.delete(BACKUP_URL, status_code=202)
    result = run_module(main, {"state": "absent", "backup_id": BACKUP})
    assert result["failed"] and "error_deleting" in result["msg"]
    assert result["changed"] is True and result["backup_id"] == BACKUP


def test_a_delete_that_timed_out_is_reported_changed(cloud, run_module):
    cloud.get(BACKUP_URL, [{"json": {"backup": dict(MADE, status="available")}},
                           {"json": {"backup": dict(MADE, status="deleting")}}])
    cloud.delete(BACKUP_URL, status_code=202)
    result = run_module(main, {"state": "absent", "backup_id": BACKUP, "timeout": 5})
    assert result["failed"] and "Timed out" in result["msg"]
    assert result["changed"] is True and result["backup_id"] == BACKUP


def test_an_accepted_restore_whose_wait_fails_is_reported_changed_with_the_id(cloud, run_module):
    target = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
    record = dict(MADE, status="available", size=10)
    cloud.get(BACKUP_URL, [{"json": {"backup": record}},
                           {"json": {"backup": dict(record, status="error_restoring")}}])
    cloud.get(VBS_ROOT + "/volumes/" + target,
              json={"volume": {"id": target, "status": "available", "size": 20}})
    cloud.post(BACKUP_URL + "/restore", status_code=202,
               json={"restore": {"backup_id": BACKUP, "volume_id": target}})
    result = run_module(vbs_backup_restore.main, {"backup_id": BACKUP,
                                                  "target_volume_id": target})
    assert result["failed"] and "error_restoring" in result["msg"]
    assert result["changed"] is True and result["backup"]["id"] == BACKUP
    assert result["restore"] == {"backup_id": BACKUP, "volume_id": target}


# --- 4. read timeouts named as such; a hint for every failure; no double full stop ------------

def test_a_read_timeout_is_named_read_timeout_and_a_connect_timeout_connect_timeout(
        cloud, run_module):
    cloud.get(LISTS, [{"exc": READ_TIMEOUT}, {"exc": CONNECT_TIMEOUT}, {"json": {"backups": []}}])
    cloud.post(POSTS, **CREATED)
    result = run_module(main, ARGS)
    assert [r["reason"] for r in result["retries"]] == ["ReadTimeout", "ConnectTimeout"]


@pytest.mark.parametrize("fault, kind, hint", [
    ({"exc": READ_TIMEOUT}, "ReadTimeout", "the service did not answer in time"),
    ({"exc": CUT}, "UnknownConnectionError", "the connection broke while the answer was read"),
    (UNAVAILABLE, "HTTP 503", "the service is unavailable"),
    (THROTTLED, "HTTP 429", "too many requests"),
    (GATEWAY_TIMEOUT, "HTTP 504", "a gateway timed out"),
], ids=["read-timeout", "cut-off", "503", "throttled", "504"])
def test_every_fault_of_the_scenarios_ends_in_one_line_with_a_hint(cloud, run_module, fault,
                                                                   kind, hint):
    cloud.get(LISTS, **fault)
    result = run_module(main, ARGS)
    msg = result["msg"]
    assert result["failed"] and kind in msg and "What to do: " + hint in msg, msg
    assert ".." not in msg and len(msg.splitlines()) == 1


@pytest.mark.parametrize("fault", [{"exc": READ_TIMEOUT}, {"exc": CUT}, UNAVAILABLE, THROTTLED,
                                   GATEWAY_TIMEOUT, BUSY],
                         ids=["read-timeout", "cut-off", "503", "throttled", "504", "busy"])
@pytest.mark.parametrize("name", ["nightly", None], ids=["named", "unnamed"])
def test_every_failed_create_says_what_to_do_in_one_line(cloud, run_module, fault, name):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **fault)
    result = run_module(main, dict(ARGS, name=name, timeout=60))
    msg = result["msg"]
    assert result["failed"] and "What to do: " in msg and msg.endswith("."), msg
    assert ".." not in msg and len(msg.splitlines()) == 1


# --- 5. check mode predicts what it can, and only check mode pays for it --------------------

def volume(status="available"):
    return {"json": {"volume": {"id": VOLUME, "status": status}}}


def snapshot(volume_id=VOLUME, status="available"):
    return {"json": {"snapshot": {"id": SNAPSHOT, "volume_id": volume_id, "status": status}}}


@pytest.fixture
def disk(cloud):
    cloud.get(LISTS, json={"backups": []})
    cloud.post(POSTS, **CREATED)
    cloud.get(VOLUME_URL, **volume())
    cloud.get(SNAPSHOT_URL, **snapshot())
    return cloud


def reads_of_disk(mock):
    return [r.url for r in mock.request_history if r.url in (VOLUME_URL, SNAPSHOT_URL)]


def test_check_mode_reads_the_disk_and_the_snapshot_and_predicts_the_create(disk, run_module):
    result = run_module(main, ARGS, check_mode=True)
    assert result["changed"] is True and result["backup_id"] is None
    assert reads_of_disk(disk) == [VOLUME_URL, SNAPSHOT_URL] and not posts(disk)


def test_only_check_mode_pays_for_the_reads(disk, run_module):
    result = run_module(main, ARGS)
    assert result["changed"] is True and reads_of_disk(disk) == [] and sequence(disk) == "LP"


def test_check_mode_with_a_backup_of_the_name_reads_nothing_more(disk, run_module):
    disk.get(LISTS, json={"backups": [dict(MADE, status="available")]})
    result = run_module(main, ARGS, check_mode=True)
    assert result["changed"] is False and reads_of_disk(disk) == []


@pytest.mark.parametrize("answers, args, words", [
    ({VOLUME_URL: {"status_code": 404, "json": {"itemNotFound": {"code": 404}}}}, {},
     ["volume %s does not exist" % VOLUME, "check volume_id"]),
    ({VOLUME_URL: volume("in-use")}, {},
     ["attached to a server (status 'in-use')", "force: true"]),
    ({VOLUME_URL: volume("error")}, {}, ["volume %s is in status 'error'" % VOLUME]),
    ({VOLUME_URL: volume("backing-up")}, {"wait": False},
     ["status 'backing-up'", "wait: true"]),
    ({SNAPSHOT_URL: {"status_code": 404, "json": {}}}, {},
     ["snapshot %s does not exist" % SNAPSHOT]),
    ({SNAPSHOT_URL: snapshot(OTHER_VOLUME)}, {},
     ["snapshot %s is a snapshot of volume %s, not of volume %s" % (SNAPSHOT, OTHER_VOLUME,
                                                                    VOLUME)]),
    ({SNAPSHOT_URL: snapshot(status="creating")}, {}, ["status 'creating'"]),
], ids=["no-disk", "in-use", "error", "busy-no-wait", "no-snapshot", "other-disk",
        "snapshot-creating"])
def test_check_mode_fails_as_the_create_would(disk, run_module, answers, args, words):
    for url, answer in answers.items():
        disk.get(url, **answer)
    result = run_module(main, dict(ARGS, **args), check_mode=True)
    assert result["failed"] and result["msg"].startswith("Creating the backup would fail: ")
    for word in words:
        assert word in result["msg"]
    assert "What to do: " in result["msg"] and ".." not in result["msg"]
    assert not posts(disk)


@pytest.mark.parametrize("status, args", [("in-use", {"force": True}),
                                          ("backing-up", {"wait": True})])
def test_check_mode_predicts_a_create_the_real_run_would_make(disk, run_module, status, args):
    disk.get(VOLUME_URL, **volume(status))
    result = run_module(main, dict(ARGS, **args), check_mode=True)
    assert result["changed"] is True and not posts(disk)
