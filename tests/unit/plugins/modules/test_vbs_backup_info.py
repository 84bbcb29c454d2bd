# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vbs_backup_info driven through its real openstacksdk session, with HTTP faked at the wire."""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup_info import main
from ansible_collections.vbs.cloud.tests.unit.wire import PROJECT_ID, VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
DETAIL = VBS_ROOT + "/backups/detail"


def backup(backup_id=BACKUP, name="backup1", status="available", volume_id=VOLUME, **extra):
    return dict(dict(id=backup_id, name=name, status=status, volume_id=volume_id, size=1,
                     fail_reason=None), **extra)


def page(backups, next_query=None):
    answer = {"backups": backups}
    if next_query:
        answer["backups_links"] = [{"rel": "next", "href": DETAIL + "?" + next_query}]
    return answer


def reads(mock):
    """The (method, path, query) of every request to the VBS API."""
    return [(r.method, r.path, r.qs) for r in mock.request_history if "/v2/" in r.path]


def test_filters_are_sent_as_query_and_nothing_changes(cloud, run_module):
    cloud.get(DETAIL, json=page([backup()]))
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, status="available"))
    assert result["changed"] is False
    assert [b["id"] for b in result["backups"]] == [BACKUP]
    assert reads(cloud) == [("GET", "/v2/%s/backups/detail" % PROJECT_ID,
                             {"name": ["backup1"], "volume_id": [VOLUME],
                              "status": ["available"]})]


def test_without_filters_every_backup_of_the_project_is_listed(cloud, run_module):
    cloud.get(DETAIL, json=page([backup(backup_id="a"), backup(backup_id="b", volume_id="other")]))
    result = run_module(main, {})
    assert [b["id"] for b in result["backups"]] == ["a", "b"]
    assert cloud.request_history[-1].qs == {}


def test_three_pages_all_come_back(cloud, run_module):
    cloud.get(DETAIL, [
        {"json": page([backup(backup_id="a"), backup(backup_id="b")],
                      "volume_id=%s&marker=b" % VOLUME)},
        {"json": page([backup(backup_id="c"), backup(backup_id="d")],
                      "volume_id=%s&marker=d" % VOLUME)},
        {"json": page([backup(backup_id="e")])},
    ])
    result = run_module(main, dict(volume_id=VOLUME))
    assert [b["id"] for b in result["backups"]] == ["a", "b", "c", "d", "e"]
    queries = [call[2] for call in reads(cloud)]
    assert queries == [{"volume_id": [VOLUME]},
                       {"volume_id": [VOLUME], "marker": ["b"]},
                       {"volume_id": [VOLUME], "marker": ["d"]}]


def test_filters_are_applied_again_when_the_service_ignores_them(cloud, run_module):
    cloud.get(DETAIL, json=page([backup(backup_id="a"), backup(backup_id="b", name="backup10"),
                                 backup(backup_id="c", status="error"),
                                 backup(backup_id="d", volume_id="other")]))
    result = run_module(main, dict(name="backup1", volume_id=VOLUME, status="available"))
    assert [b["id"] for b in result["backups"]] == ["a"]


def test_no_match_is_an_empty_list(cloud, run_module):
    cloud.get(DETAIL, json=page([]))
    result = run_module(main, dict(name="nothing"))
    assert result == dict(result, changed=False, backups=[])
    assert "failed" not in result


# --- service_metadata ------------------------------------------------------------------------

def test_service_metadata_is_decoded_left_alone_or_absent(cloud, run_module):
    cloud.get(DETAIL, json=page([
        backup(backup_id="full",
               service_metadata=' {"progress": "100", "Type": 0, "snap_id": "s1"} '),
        backup(backup_id="incr", service_metadata='{"progress": "42", "Type": 1}'),
        backup(backup_id="bad", service_metadata="{not json"),
        backup(backup_id="none"),
        backup(backup_id="null", service_metadata=None),
        backup(backup_id="list", service_metadata="[1, 2]"),
    ]))
    result = run_module(main, {})
    meta = dict((b["id"], b.get("service_metadata", "absent")) for b in result["backups"])
    assert meta == {
        "full": {"progress": "100", "Type": 0, "snap_id": "s1"},
        "incr": {"progress": "42", "Type": 1},
        "bad": "{not json",
        "none": "absent",
        "null": None,
        "list": "[1, 2]",
    }


# --- one backup by ID ------------------------------------------------------------------------

def test_backup_id_reads_one_full_record(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": backup(
        service_metadata='{"Type": 1}')})
    result = run_module(main, dict(backup_id=BACKUP))
    assert result["changed"] is False
    assert result["backups"] == [backup(service_metadata={"Type": 1})]
    assert [call[1] for call in reads(cloud)] == ["/v2/%s/backups/%s" % (PROJECT_ID, BACKUP)]


def test_a_backup_id_that_does_not_exist_gives_an_empty_list(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, status_code=404, json={"itemNotFound": {
        "code": 404, "message": "Backup %s could not be found." % BACKUP}})
    result = run_module(main, dict(backup_id=BACKUP))
    assert "failed" not in result and result["backups"] == [] and result["changed"] is False


@pytest.mark.parametrize("filters, found", [
    (dict(status="available"), True),
    (dict(status="creating"), False),
    (dict(volume_id=VOLUME, name="backup1"), True),
    (dict(volume_id="another-disk"), False),
])
def test_filters_given_with_a_backup_id_must_match_it(cloud, run_module, filters, found):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": backup()})
    result = run_module(main, dict(filters, backup_id=BACKUP))
    assert len(result["backups"]) == (1 if found else 0)
    assert not [r for r in cloud.request_history if "/detail" in r.path]


def test_check_mode_reads_all_the_same(cloud, run_module):
    cloud.get(DETAIL, json=page([backup()]))
    result = run_module(main, dict(volume_id=VOLUME), check_mode=True)
    assert result["changed"] is False and len(result["backups"]) == 1


# --- validation: nothing is sent -------------------------------------------------------------

@pytest.mark.parametrize("name", ["autobk_a8b1", "my backup", "x.y", "A" * 100, "auto"])
def test_names_a_create_would_refuse_can_still_be_looked_up(cloud, run_module, name):
    cloud.get(DETAIL, json=page([backup(name=name)]))
    result = run_module(main, dict(name=name))
    assert [b["name"] for b in result["backups"]] == [name]
    assert cloud.request_history[-1].qs["name"] == [name.lower()]  # requests-mock lowercases


@pytest.mark.parametrize("args, words", [
    (dict(name=""), ["'name'", "empty"]),
    (dict(backup_id=""), ["'backup_id'", "empty"]),
    (dict(backup_id="a/../b"), ["'backup_id'", "URL delimiters"]),
    (dict(volume_id="x y"), ["'volume_id'", "spaces"]),
    (dict(project_id=" "), ["'project_id'", "empty"]),
    (dict(status="availble"), ["status", "available"]),
])
def test_invalid_values_fail_before_any_request(cloud, run_module, args, words):
    result = run_module(main, args)
    assert result["failed"]
    for word in words:
        assert word in result["msg"]
    assert cloud.request_history == []


# --- errors from the API ---------------------------------------------------------------------

@pytest.mark.parametrize("status", [400, 403, 500, 503])
def test_an_error_status_fails_with_a_one_line_message_and_the_code(cloud, run_module, status):
    cloud.get(DETAIL, status_code=status, headers={"X-Openstack-Request-Id": "req-7"},
              json={"forbidden": {"code": "VolumeBackup.0041", "message": "No rights"}})
    result = run_module(main, dict(volume_id=VOLUME))
    assert result["failed"]
    assert result["msg"].startswith("Listing backups failed: HTTP %d" % status)
    assert "VolumeBackup.0041: No rights" in result["msg"] and "req-7" in result["msg"]
    assert "\n" not in result["msg"]
    assert result["error"]["code"] == "VolumeBackup.0041"


def test_an_error_on_a_later_page_fails_instead_of_returning_part(cloud, run_module):
    cloud.get(DETAIL, [{"json": page([backup(backup_id="a")], "marker=a")},
                       {"status_code": 500, "json": {"computeFault": {
                           "code": 500, "message": "boom"}}}])
    result = run_module(main, {})
    assert result["failed"] and "HTTP 500" in result["msg"] and "boom" in result["msg"]
    assert "backups" not in result


def test_reading_one_backup_fails_on_errors_other_than_404(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/" + BACKUP, status_code=403,
              json={"forbidden": {"message": "Policy doesn't allow it"}})
    result = run_module(main, dict(backup_id=BACKUP))
    assert result["failed"]
    assert result["msg"].startswith("Reading backup %s failed: HTTP 403" % BACKUP)
