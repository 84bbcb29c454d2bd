# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup_prune driven through its real openstacksdk session, with HTTP faked at the wire.

``Disk`` is a small fake of the service's backups of one disk: the listing (in pages, in the
order given, not by date), DELETE (the backup goes away, or does what a test scripts) and GET.
"""

from __future__ import annotations

import datetime
import re

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup_prune import main
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
OTHER_VOLUME = "0b8c3c5e-2f4d-4a8e-9d3b-6f1e2a7c9d10"
LISTING = VBS_ROOT + "/backups/detail"
ONE = re.compile(re.escape(VBS_ROOT) + r"/backups/(?P<id>[^/?]+)$")


def backup(backup_id, name, days=0.0, status="available", volume_id=VOLUME, **extra):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return dict(dict(id=backup_id, name=name, status=status, volume_id=volume_id,
                     created_at=when.strftime("%Y-%m-%dT%H:%M:%S.%f"), fail_reason=None),
                **extra)


class Disk:
    """The backups of the project as the service holds them; ``page`` records per listing page."""

    def __init__(self, mock, backups, page=1000):
        self.backups = list(backups)
        self.page = page
        self.refuse = {}  # id -> (status, body) of a refused DELETE
        mock.get(ONE, json=self.read)
        mock.delete(ONE, json=self.delete)
        mock.get(LISTING, json=self.listing)
        self.mock = mock

    def find(self, request):
        wanted = ONE.match(request.url.split("?")[0]).group("id")
        return next((b for b in self.backups if b["id"] == wanted), None)

    def listing(self, request, context):
        marker = request.qs.get("marker", [None])[0]
        start = 0 if marker is None else [b["id"] for b in self.backups].index(marker) + 1
        chunk = self.backups[start:start + self.page]
        answer = {"backups": [dict(b) for b in chunk]}
        if start + self.page < len(self.backups):
            answer["backups_links"] = [{"rel": "next", "href": "%s?volume_id=%s&marker=%s" % (
                LISTING, VOLUME, chunk[-1]["id"])}]
        return answer

    def read(self, request, context):
        found = self.find(request)
        if found is None:
            context.status_code = 404
            return {"itemNotFound": {"code": 404, "message": "gone"}}
        return {"backup": dict(found)}

    def delete(self, request, context):
        found = self.find(request)
        if found is None:
            context.status_code = 404
            return {"itemNotFound": {"code": 404, "message": "gone"}}
        if found["id"] in self.refuse:
            context.status_code, body = self.refuse[found["id"]]
            return body
        self.backups.remove(found)
        context.status_code = 202
        return None

    def ids(self):
        return sorted(b["id"] for b in self.backups)

    def deletes(self):
        return [ONE.match(r.url).group("id") for r in self.mock.request_history
                if r.method == "DELETE"]


def ids(records):
    return [b["id"] for b in records]


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(main, dict(dict(volume_id=VOLUME, name_pattern="nightly-*"), **args),
                      check_mode=check_mode, diff=diff)


# --- which backups go ---------------------------------------------------------------------------

def test_the_newest_by_created_at_are_kept_whatever_the_listing_order(cloud, run_module):
    disk = Disk(cloud, [backup("b3", "nightly-3", 3), backup("b1", "nightly-1", 5),
                        backup("b5", "nightly-5", 1), backup("b2", "nightly-2", 4),
                        backup("b4", "nightly-4", 2)])
    result = run(run_module, keep=2)
    assert result["changed"] is True
    assert ids(result["deleted"]) == ["b3", "b2", "b1"]  # newest first
    assert ids(result["kept"]) == ["b5", "b4"]
    assert disk.ids() == ["b4", "b5"] and disk.deletes() == ["b3", "b2", "b1"]


def test_created_at_with_a_zone_is_honoured(cloud, run_module):
    # 01:30+02:00 is 23:30 UTC the day before: older than 23:45 UTC.
    Disk(cloud, [backup("late", "nightly-a", created_at="2026-11-27T23:45:00.000000"),
                 backup("early", "nightly-b", created_at="2026-11-28T01:30:00+02:00")])
    result = run(run_module, keep=1)
    assert ids(result["kept"]) == ["late"] and ids(result["deleted"]) == ["early"]


def test_same_creation_time_is_ordered_by_id(cloud, run_module):
    same = "2026-11-28T02:00:00.000000"
    Disk(cloud, [backup("a", "nightly-1", created_at=same),
                 backup("c", "nightly-2", created_at=same),
                 backup("b", "nightly-3", created_at=same)])
    result = run(run_module, keep=1, check_mode=True)
    assert ids(result["kept"]) == ["c"] and ids(result["deleted"]) == ["b", "a"]


@pytest.mark.parametrize("pattern, matched", [
    ("nightly-*", ["nightly-1", "nightly-"]),
    ("nightly-?", ["nightly-1"]),
    ("*-1", ["nightly-1", "weekly-1", "Nightly-1"]),
    ("[nw]*-1", ["nightly-1", "weekly-1"]),
    ("[!n]*", ["weekly-1", "Nightly-1"]),
    ("Nightly-*", ["Nightly-1"]),
    ("nightly-1", ["nightly-1"]),
    ("*", ["nightly-1", "nightly-", "nightly", "weekly-1", "Nightly-1"]),
])
def test_patterns_are_shell_style_whole_name_and_case_sensitive(
        cloud, run_module, pattern, matched):
    names = ["nightly-1", "nightly-", "nightly", "weekly-1", "Nightly-1"]
    disk = Disk(cloud, [backup("id-%s" % name, name, days=index + 1)
                        for index, name in enumerate(names)])
    result = run(run_module, name_pattern=pattern, keep=0)
    assert sorted(b["name"] for b in result["deleted"]) == sorted(matched)
    assert sorted(b["name"] for b in disk.backups) == sorted(set(names) - set(matched))


def test_keep_0_deletes_every_matching_backup(cloud, run_module):
    disk = Disk(cloud, [backup("n1", "nightly-1", 1), backup("n2", "nightly-2", 2),
                        backup("w1", "weekly-1", 3)])
    result = run(run_module, keep=0)
    assert ids(result["deleted"]) == ["n1", "n2"] and result["kept"] == []
    assert disk.ids() == ["w1"]


def test_keep_more_than_there_are_deletes_nothing(cloud, run_module):
    disk = Disk(cloud, [backup("n1", "nightly-1", 1), backup("n2", "nightly-2", 2)])
    result = run(run_module, keep=5)
    assert result["changed"] is False and result["deleted"] == []
    assert ids(result["kept"]) == ["n1", "n2"] and not disk.deletes()


def test_backups_of_other_disks_are_never_touched(cloud, run_module):
    """The service may not filter by volume_id: the answer is filtered again."""
    disk = Disk(cloud, [backup("mine", "nightly-1", 9),
                        backup("theirs", "nightly-1", 9, volume_id=OTHER_VOLUME)])
    result = run(run_module, keep=0)
    assert ids(result["deleted"]) == ["mine"] and disk.ids() == ["theirs"]
    assert cloud.request_history[1].qs["volume_id"] == [VOLUME]


# --- older_than -------------------------------------------------------------------------------

def test_older_than_deletes_only_older_backups(cloud, run_module):
    disk = Disk(cloud, [backup("d1", "nightly-1", 1), backup("d6", "nightly-6", 6),
                        backup("d8", "nightly-8", 8), backup("d30", "nightly-30", 30)])
    result = run(run_module, keep=0, older_than="7d")
    assert ids(result["deleted"]) == ["d8", "d30"] and ids(result["kept"]) == ["d1", "d6"]
    assert disk.ids() == ["d1", "d6"]


def test_keep_and_older_than_must_both_allow_a_deletion(cloud, run_module):
    # Newest first: d1, d2, d8, d30. keep: 1 keeps d1; older_than: 7d keeps d2; d8 and d30 go.
    Disk(cloud, [backup("d8", "nightly-8", 8), backup("d1", "nightly-1", 1),
                 backup("d30", "nightly-30", 30), backup("d2", "nightly-2", 2)])
    result = run(run_module, keep=1, older_than="7d")
    assert ids(result["kept"]) == ["d1", "d2"] and ids(result["deleted"]) == ["d8", "d30"]


def test_keep_wins_over_older_than_for_the_newest(cloud, run_module):
    Disk(cloud, [backup("d8", "nightly-8", 8), backup("d9", "nightly-9", 9),
                 backup("d10", "nightly-10", 10)])
    result = run(run_module, keep=2, older_than="1d")
    assert ids(result["kept"]) == ["d8", "d9"] and ids(result["deleted"]) == ["d10"]


@pytest.mark.parametrize("value, days_kept, days_deleted", [
    ("12h", 0.4, 0.6), ("90m", 0.05, 0.07), ("2w", 13, 15), ("1d12h", 1.4, 1.6),
    ("30s", 0.0001, 0.001), ("3600s", 0.04, 0.05), ("0s", None, 0.0001),
])
def test_older_than_units(cloud, run_module, value, days_kept, days_deleted):
    backups = [backup("old", "nightly-old", days_deleted)]
    if days_kept is not None:
        backups.append(backup("young", "nightly-young", days_kept))
    Disk(cloud, backups)
    result = run(run_module, keep=0, older_than=value)
    assert ids(result["deleted"]) == ["old"]
    assert ids(result["kept"]) == (["young"] if days_kept is not None else [])


@pytest.mark.parametrize("value", [
    "7", "7D", "7 d", "d", "-1d", "+1d", "1.5d", "7days", "1y", "1M", "7d ", " 7d", "", " ",
    "\u0667d", "\uff17d", "7d\n", "1d-2h", "1e3s", "x" * 40, "9" * 40 + "d", "[7d]",
])
def test_a_bad_older_than_fails_before_any_request(cloud, run_module, value):
    result = run(run_module, keep=1, older_than=value)
    assert result["failed"] and "'older_than'" in result["msg"]
    assert "7d, 12h or 90m" in result["msg"] and "\n" not in result["msg"].strip()
    assert cloud.request_history == []


# --- statuses -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["creating", "restoring", "deleting", "error_deleting",
                                    "error_restoring", "something-new"])
def test_busy_statuses_are_never_deleted_and_never_counted_as_kept(cloud, run_module, status):
    disk = Disk(cloud, [backup("busy-new", "nightly-9", 0, status=status),
                        backup("a1", "nightly-1", 1), backup("a2", "nightly-2", 2),
                        backup("busy-old", "nightly-0", 30, status=status)])
    result = run(run_module, keep=1)
    assert ids(result["kept"]) == ["a1"]  # the busy newest one did not take the place
    assert ids(result["deleted"]) == ["a2"]
    assert ids(result["skipped"]) == ["busy-new", "busy-old"]
    assert disk.deletes() == ["a2"]


def test_a_backup_in_error_is_never_kept_and_is_deleted(cloud, run_module):
    disk = Disk(cloud, [backup("e0", "nightly-0", 0, status="error", fail_reason="disk gone"),
                        backup("a1", "nightly-1", 1), backup("a2", "nightly-2", 2)])
    result = run(run_module, keep=2)
    assert ids(result["kept"]) == ["a1", "a2"]
    assert ids(result["deleted"]) == ["e0"] and disk.ids() == ["a1", "a2"]


def test_a_young_backup_in_error_is_left_alone_with_older_than(cloud, run_module):
    Disk(cloud, [backup("e0", "nightly-0", 0, status="error"),
                 backup("e9", "nightly-9", 9, status="error"), backup("a1", "nightly-1", 1)])
    result = run(run_module, keep=0, older_than="7d")
    assert ids(result["deleted"]) == ["e9"]
    assert ids(result["skipped"]) == ["e0"] and ids(result["kept"]) == ["a1"]


def test_a_backup_without_a_readable_creation_time_is_never_deleted(cloud, run_module):
    Disk(cloud, [backup("x", "nightly-x", created_at="yesterday"),
                 backup("y", "nightly-y", created_at=None), backup("a1", "nightly-1", 1)])
    result = run(run_module, keep=0)
    assert ids(result["deleted"]) == ["a1"] and sorted(ids(result["skipped"])) == ["x", "y"]


# --- check mode, diff, re-runs ------------------------------------------------------------------

def five_and_one(cloud, page=1000):
    return Disk(cloud, [backup("n%d" % n, "nightly-%d" % n, 10 - n) for n in range(1, 6)]
                + [backup("other", "manual-1", 20)], page=page)


def test_check_mode_lists_what_would_be_deleted_and_deletes_nothing(cloud, run_module):
    disk = five_and_one(cloud)
    result = run(run_module, keep=2, check_mode=True, diff=True)
    assert result["changed"] is True
    assert ids(result["deleted"]) == ["n3", "n2", "n1"] and ids(result["kept"]) == ["n5", "n4"]
    assert not disk.deletes() and len(disk.backups) == 6
    before, after = result["diff"]["before"].splitlines(), result["diff"]["after"].splitlines()
    assert len(before) == 5 and len(after) == 2
    assert all(" nightly-%d n%d available" % (n, n) in line
               for n, line in zip((5, 4), after))


def test_diff_after_a_prune(cloud, run_module):
    five_and_one(cloud)
    result = run(run_module, keep=2, diff=True)
    assert [line.split()[1] for line in result["diff"]["before"].splitlines()] == [
        "nightly-5", "nightly-4", "nightly-3", "nightly-2", "nightly-1"]
    assert [line.split()[1] for line in result["diff"]["after"].splitlines()] == [
        "nightly-5", "nightly-4"]


def test_a_rerun_after_a_prune_changes_nothing(cloud, run_module):
    disk = five_and_one(cloud)
    first = run(run_module, keep=2)
    second = run(run_module, keep=2)
    assert first["changed"] is True and second["changed"] is False
    assert second["deleted"] == [] and ids(second["kept"]) == ["n5", "n4"]
    assert disk.deletes() == ["n3", "n2", "n1"]
    assert disk.ids() == ["n4", "n5", "other"]


def test_deletes_wait_for_each_backup_to_be_gone(cloud, run_module):
    disk = five_and_one(cloud)
    run(run_module, keep=3)
    calls = [(r.method, ONE.match(r.url).group("id")) for r in cloud.request_history
             if ONE.match(r.url) and "detail" not in r.url]
    assert calls == [("DELETE", "n2"), ("GET", "n2"), ("DELETE", "n1"), ("GET", "n1")]
    assert disk.ids() == ["n3", "n4", "n5", "other"]


def test_without_wait_deletes_are_sent_without_polling(cloud, run_module):
    disk = five_and_one(cloud)
    result = run(run_module, keep=3, wait=False)
    assert result["changed"] is True and disk.deletes() == ["n2", "n1"]
    assert not [r for r in cloud.request_history if r.method == "GET" and ONE.match(r.url)
                and "detail" not in r.url]


# --- pagination ---------------------------------------------------------------------------------

def test_listing_follows_every_page(cloud, run_module):
    disk = five_and_one(cloud, page=2)
    result = run(run_module, keep=2)
    listings = [r for r in cloud.request_history if r.url.split("?")[0] == LISTING]
    assert len(listings) == 3
    assert [r.qs.get("marker") for r in listings] == [None, ["n2"], ["n4"]]
    assert ids(result["deleted"]) == ["n3", "n2", "n1"]
    assert disk.ids() == ["n4", "n5", "other"]


# --- failures -----------------------------------------------------------------------------------

def test_a_refused_delete_half_way_reports_what_was_and_was_not_deleted(cloud, run_module):
    disk = five_and_one(cloud)
    disk.refuse["n2"] = (400, {"badRequest": {"code": "VolumeBackup.0113",
                                              "message": "The backup was used to create an image"}})
    result = run(run_module, keep=2)
    assert result["failed"]
    assert ids(result["deleted"]) == ["n3", "n1"]  # the others were still deleted
    assert ids(result["not_deleted"]) == ["n2"]
    assert ids(result["kept"]) == ["n5", "n4"] and result["skipped"] == []
    assert "VolumeBackup.0113" in result["not_deleted"][0]["reason"]
    assert result["error"]["code"] == "VolumeBackup.0113"
    msg = result["msg"]
    assert msg.startswith("Deleted 2 of 3 backups (n3, n1); not deleted: n2: ")
    assert "delete the image first" in msg and "\n" not in msg
    assert disk.ids() == ["n2", "n4", "n5", "other"]
    assert result["changed"] is True


def test_error_deleting_half_way_says_to_contact_support(cloud, run_module):
    disk = five_and_one(cloud)
    n3 = next(b for b in disk.backups if b["id"] == "n3")

    def stuck(request, context):
        n3["status"] = "error_deleting"
        context.headers["X-Openstack-Request-Id"] = "req-stuck"
        return None

    cloud.delete(VBS_ROOT + "/backups/n3", status_code=202, json=stuck)
    result = run(run_module, keep=2)
    assert result["failed"] and ids(result["deleted"]) == ["n2", "n1"]
    reason = result["not_deleted"][0]["reason"]
    assert "error_deleting" in reason and "contact the cloud provider's support" in reason
    assert "request ID req-stuck" in reason


def test_a_timeout_stops_the_run_and_names_the_backups_not_tried(cloud, run_module, no_sleep):
    disk = five_and_one(cloud)
    n3 = next(b for b in disk.backups if b["id"] == "n3")

    def slow(request, context):  # accepted, but the backup stays 'deleting'
        n3["status"] = "deleting"
        context.status_code = 202

    cloud.delete(VBS_ROOT + "/backups/n3", json=slow)
    result = run(run_module, keep=2, timeout=30)
    assert result["failed"] and result["deleted"] == []
    assert result["changed"] is True  # n3 took its DELETE
    assert [(b["id"], b["reason"][:9]) for b in result["not_deleted"]] == [
        ("n3", "Timed out"), ("n2", "not tried"), ("n1", "not tried")]
    assert disk.deletes() == ["n3"]  # nothing sent after the timeout
    assert sum(no_sleep) == pytest.approx(30)


def test_a_backup_back_to_available_is_deleted_again_and_reported(cloud, run_module):
    disk = five_and_one(cloud)
    n3 = next(b for b in disk.backups if b["id"] == "n3")
    refusals = []

    def flaky(request, context):  # the first DELETE is accepted but does not take
        context.status_code = 202
        if not refusals:
            refusals.append(1)
            return None
        disk.backups.remove(n3)
        return None

    cloud.delete(VBS_ROOT + "/backups/n3", json=flaky)
    result = run(run_module, keep=4)
    assert result["changed"] is True and ids(result["deleted"]) == ["n1"]
    result = run(run_module, keep=2)
    assert ids(result["deleted"]) == ["n3", "n2"]
    assert result["retries"][0]["operation"] == "Deleting backup n3"
    assert "went back to status 'available'" in result["retries"][0]["reason"]
    assert disk.ids() == ["n4", "n5", "other"]


# --- bad input: nothing is sent -----------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (dict(keep=-1), ["'keep'", "negative"]),
    (dict(keep="two"), ["keep"]),
    (dict(keep=None), ["keep"]),
    (dict(keep=2, name_pattern=""), ["'name_pattern'", "empty"]),
    (dict(keep=2, name_pattern="  "), ["'name_pattern'", "empty"]),
    (dict(keep=2, name_pattern=" nightly-*"), ["'name_pattern'", "white space"]),
    (dict(keep=2, name_pattern="nightly-\n*"), ["'name_pattern'", "control"]),
    (dict(keep=2, name_pattern="n" * 256), ["'name_pattern'", "256 characters"]),
    (dict(keep=2, name_pattern=None), ["name_pattern"]),
    (dict(keep=2, volume_id=None), ["volume_id"]),
    (dict(keep=2, volume_id="a/b"), ["'volume_id'"]),
    (dict(keep=2, timeout=-1), ["'timeout'", "negative"]),
])
def test_bad_input_fails_before_any_request(cloud, run_module, args, words):
    result = run(run_module, **args)
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert cloud.request_history == []
