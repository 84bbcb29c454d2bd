# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``volume``, ``snapshot`` and ``target_volume``: a name or an ID, as openstack.cloud's
``volume_backup`` takes them, resolved through the block-storage API. HTTP faked at the wire."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.vbs.cloud.plugins.modules import (
    vbs_backup, vbs_backup_info, vbs_backup_restore,
)
from ansible_collections.vbs.cloud.tests.unit.wire import (
    AUTH_URL, OTC_EVS, OTC_VBS, PROJECT_ID, TOKEN, VBS_ROOT, shape_catalog, token_body, writes,
)

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
OTHER_VOLUME = "9e8a7b6c-5d4e-4f30-a2b1-c0d9e8f7a6b5"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
OTHER_SNAPSHOT = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
TARGET = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
CREATED = {"backup": {"id": BACKUP, "name": "nightly", "links": []}}


def vol(volume_id=VOLUME, name="db01-data", status="available", size=10):
    return dict(id=volume_id, name=name, status=status, size=size)


def snap(snapshot_id=SNAPSHOT, name="db01-snap", volume_id=VOLUME, status="available"):
    return dict(id=snapshot_id, name=name, volume_id=volume_id, status=status)


def calls(mock):
    """(method, path, query) of every request but the token's, the project left out."""
    return [(r.method, urlsplit(r.url).path.replace("/v2/" + PROJECT_ID, ""),
             dict((k, v[0]) for k, v in parse_qs(urlsplit(r.url).query).items()))
            for r in mock.request_history if "/auth/tokens" not in r.url]


@pytest.fixture
def api(cloud):
    """No backups; creates answer 202; one volume db01-data with one snapshot db01-snap."""
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    cloud.post(VBS_ROOT + "/backups", status_code=202, json=CREATED)
    cloud.get(VBS_ROOT + "/volumes/detail", json={"volumes": [vol()]})
    cloud.get(VBS_ROOT + "/volumes/" + VOLUME, json={"volume": vol()})
    cloud.get(VBS_ROOT + "/snapshots/detail", json={"snapshots": [snap()]})
    cloud.get(VBS_ROOT + "/snapshots/" + SNAPSHOT, json={"snapshot": snap()})
    return cloud


# --- vbs_backup ------------------------------------------------------------------------------

def test_volume_and_snapshot_by_name_become_ids_in_the_create(api, run_module):
    result = run_module(vbs_backup.main, dict(volume="db01-data", snapshot="db01-snap",
                                              name="nightly", wait=False))
    assert result["changed"] and result["backup_id"] == BACKUP
    assert writes(api)[0].json() == {"backup": {"volume_id": VOLUME, "snapshot_id": SNAPSHOT,
                                                "name": "nightly"}}
    # one listing by name each (the snapshot among the disk's), then the usual lookup and POST
    assert calls(api) == [
        ("GET", "/volumes/detail", {"name": "db01-data"}),
        ("GET", "/snapshots/detail", {"name": "db01-snap", "volume_id": VOLUME}),
        ("GET", "/backups/detail", {"name": "nightly", "volume_id": VOLUME}),
        ("POST", "/backups", {}),
    ]
    assert result["snapshot"]["id"] == SNAPSHOT and result["snapshot"]["made_by_task"] is False


def test_an_id_in_volume_costs_one_get_and_no_listing(api, run_module):
    run_module(vbs_backup.main, dict(volume=VOLUME, snapshot=SNAPSHOT, name="nightly",
                                     wait=False))
    assert calls(api)[:2] == [("GET", "/volumes/" + VOLUME, {}),
                              ("GET", "/snapshots/" + SNAPSHOT, {})]
    assert writes(api)[0].json()["backup"]["volume_id"] == VOLUME


def test_ids_in_volume_id_and_snapshot_id_cost_nothing_extra(api, run_module):
    run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot_id=SNAPSHOT, name="nightly",
                                     wait=False))
    assert [c[1] for c in calls(api)] == ["/backups/detail", "/backups"]


def test_an_id_shaped_name_of_no_id_is_looked_up_as_a_name(api, run_module):
    """As openstacksdk's find: a value that looks like an ID but is none may be a name."""
    api.get(VBS_ROOT + "/volumes/" + OTHER_VOLUME, status_code=404,
            json={"itemNotFound": {"code": 404, "message": "not found"}})
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": [vol(name=OTHER_VOLUME)]})
    run_module(vbs_backup.main, dict(volume=OTHER_VOLUME, snapshot_id=SNAPSHOT, wait=False))
    assert calls(api)[:2] == [("GET", "/volumes/" + OTHER_VOLUME, {}),
                              ("GET", "/volumes/detail", {"name": OTHER_VOLUME})]
    assert writes(api)[0].json()["backup"]["volume_id"] == VOLUME


def test_a_name_of_no_volume_fails_clearly_and_creates_nothing(api, run_module):
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": []})
    result = run_module(vbs_backup.main, dict(volume="db02-data", snapshot_id=SNAPSHOT,
                                              name="nightly"))
    assert result["failed"]
    assert result["msg"] == (
        "No volume has the name or ID 'db02-data' (volume). Nothing was done. What to do: check "
        "volume: the name or the ID of an existing volume in this project and region.")
    assert writes(api) == []


def test_a_name_of_several_volumes_fails_listing_them(api, run_module):
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": [
        vol(OTHER_VOLUME, status="in-use"), vol(VOLUME)]})
    result = run_module(vbs_backup.main, dict(volume="db01-data", name="nightly"))
    assert result["failed"]
    assert result["msg"] == (
        "2 volumes are named 'db01-data' (volume): %s (in-use), %s (available). Nothing was "
        "done. What to do: give the ID of one of them in volume_id (or volume)."
        % (OTHER_VOLUME, VOLUME))
    assert writes(api) == []


def test_only_exact_names_count_when_the_service_does_not_filter(api, run_module):
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": [
        vol(OTHER_VOLUME, name="db01-data-old"), vol(TARGET, name="DB01-DATA"), vol(VOLUME)]})
    run_module(vbs_backup.main, dict(volume="db01-data", snapshot_id=SNAPSHOT, wait=False))
    assert writes(api)[0].json()["backup"]["volume_id"] == VOLUME


def test_the_name_lookup_follows_pagination(api, run_module):
    nxt = VBS_ROOT + "/volumes/detail?name=db01-data&marker=" + OTHER_VOLUME
    api.get(VBS_ROOT + "/volumes/detail", [
        {"json": {"volumes": [vol(OTHER_VOLUME, name="x")],
                  "volumes_links": [{"rel": "next", "href": nxt}]}},
        {"json": {"volumes": [vol()]}}])
    run_module(vbs_backup.main, dict(volume="db01-data", snapshot_id=SNAPSHOT, wait=False))
    assert [c[2] for c in calls(api)[:2]] == [
        {"name": "db01-data"}, {"name": "db01-data", "marker": OTHER_VOLUME}]
    assert writes(api)[0].json()["backup"]["volume_id"] == VOLUME


def test_a_snapshot_name_counts_only_among_the_disks_snapshots(api, run_module):
    api.get(VBS_ROOT + "/snapshots/detail", json={"snapshots": [
        snap(OTHER_SNAPSHOT, volume_id=OTHER_VOLUME), snap()]})
    run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot="db01-snap", wait=False))
    assert writes(api)[0].json()["backup"]["snapshot_id"] == SNAPSHOT


def test_a_snapshot_name_of_no_snapshot_of_the_disk_fails(api, run_module):
    api.get(VBS_ROOT + "/snapshots/detail", json={"snapshots": [
        snap(OTHER_SNAPSHOT, volume_id=OTHER_VOLUME)]})
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot="db01-snap"))
    assert result["failed"] and result["msg"].startswith(
        "No snapshot of volume %s has the name or ID 'db01-snap' (snapshot)." % VOLUME)
    assert writes(api) == []


def test_several_snapshots_of_the_name_fail(api, run_module):
    api.get(VBS_ROOT + "/snapshots/detail", json={"snapshots": [
        snap(), snap(OTHER_SNAPSHOT)]})
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot="db01-snap"))
    assert result["failed"] and "2 snapshots of volume %s are named 'db01-snap'" % VOLUME \
        in result["msg"] and "in snapshot_id (or snapshot)" in result["msg"]
    assert writes(api) == []


@pytest.mark.parametrize("args", [dict(volume="db01-data", volume_id=VOLUME),
                                  dict(volume_id=VOLUME, snapshot="s", snapshot_id=SNAPSHOT)])
def test_a_name_option_and_its_id_option_are_mutually_exclusive(cloud, run_module, args):
    result = run_module(vbs_backup.main, args)
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert cloud.request_history == []


def test_an_empty_volume_is_refused_before_any_request(cloud, run_module):
    result = run_module(vbs_backup.main, dict(volume=" ", snapshot_id=SNAPSHOT))
    assert result["failed"] and result["error"]["option"] == "volume"
    assert cloud.request_history == []


def test_volume_stands_for_volume_id_in_the_required_checks(cloud, run_module):
    result = run_module(vbs_backup.main, dict(state="absent"))
    assert result["failed"] and "name and volume_id (or volume)" in result["msg"]
    result = run_module(vbs_backup.main, dict(snapshot_id=SNAPSHOT))
    assert result["failed"] and "volume_id (or volume" in result["msg"]
    assert cloud.request_history == []


def test_delete_by_backup_name_and_volume_name(api, run_module):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [dict(
        CREATED["backup"], volume_id=VOLUME, status="available")]})
    api.delete(VBS_ROOT + "/backups/" + BACKUP, status_code=202)
    result = run_module(vbs_backup.main, dict(state="absent", volume="db01-data",
                                              name="nightly", wait=False))
    assert result["changed"] and result["backup_id"] == BACKUP
    assert [(w.method, urlsplit(w.url).path.rsplit("/", 1)[-1]) for w in writes(api)] == [
        ("DELETE", BACKUP)]


def test_check_mode_resolves_and_predicts(api, run_module):
    result = run_module(vbs_backup.main, dict(volume="db01-data", snapshot="db01-snap",
                                              name="nightly"), check_mode=True)
    assert result["changed"] and result["backup"]["volume_id"] == VOLUME
    assert result["backup"]["snapshot_id"] == SNAPSHOT
    assert writes(api) == []


def test_lookups_go_to_the_block_storage_root_on_a_public_cloud(cloud, run_module, tmp_path):
    """On OTC the VBS host serves only backups: names are resolved at EVS."""
    config = tmp_path / "clouds.yaml"
    config.write_text(config.read_text().replace('"RegionOne"', '"eu-de"'))
    cloud.post(AUTH_URL + "/auth/tokens", status_code=201, headers={"X-Subject-Token": TOKEN},
               json=token_body(catalog=shape_catalog("otc")))
    evs = OTC_EVS + "/v2/" + PROJECT_ID
    vbs = OTC_VBS + "/" + PROJECT_ID
    cloud.get(evs + "/volumes/detail", json={"volumes": [vol()]})
    cloud.get(vbs + "/backups/detail", json={"backups": []})
    cloud.post(vbs + "/backups", status_code=202, json=CREATED)
    result = run_module(vbs_backup.main, dict(volume="db01-data", snapshot_id=SNAPSHOT,
                                              name="nightly", wait=False))
    assert result.get("changed"), result
    assert [urlsplit(r.url).netloc for r in cloud.request_history
            if "/auth/" not in r.url] == ["evs.eu-de.otc.t-systems.com",
                                          "vbs.eu-de.otc.t-systems.com",
                                          "vbs.eu-de.otc.t-systems.com"]


# --- vbs_backup_info -------------------------------------------------------------------------

def test_info_volume_by_name_filters_by_its_id(api, run_module):
    listed = dict(CREATED["backup"], volume_id=VOLUME, status="available")
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [listed]})
    result = run_module(vbs_backup_info.main, dict(volume="db01-data"))
    assert [b["id"] for b in result["backups"]] == [BACKUP]
    assert calls(api) == [("GET", "/volumes/detail", {"name": "db01-data"}),
                          ("GET", "/backups/detail", {"volume_id": VOLUME})]


def test_info_volume_of_no_disk_fails(api, run_module):
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": []})
    result = run_module(vbs_backup_info.main, dict(volume="gone"))
    assert result["failed"] and "No volume has the name or ID 'gone' (volume)" in result["msg"]


def test_info_volume_and_volume_id_are_mutually_exclusive(cloud, run_module):
    result = run_module(vbs_backup_info.main, dict(volume="x", volume_id=VOLUME))
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert cloud.request_history == []


# --- vbs_backup_restore ----------------------------------------------------------------------

def restorable(api):
    api.get(VBS_ROOT + "/backups/detail", json={"backups": [dict(
        CREATED["backup"], volume_id=VOLUME, status="available", size=10)]})
    api.get(VBS_ROOT + "/backups/" + BACKUP, json={"backup": dict(
        CREATED["backup"], volume_id=VOLUME, status="available", size=10)})
    api.post(VBS_ROOT + "/backups/%s/restore" % BACKUP, status_code=202, json={"restore": {
        "backup_id": BACKUP, "volume_id": TARGET, "volume_name": "spare"}})


def test_restore_by_names_reads_the_target_once(api, run_module):
    restorable(api)
    api.get(VBS_ROOT + "/volumes/detail", [
        {"json": {"volumes": [vol()]}},  # volume: db01-data
        {"json": {"volumes": [vol(TARGET, name="spare", size=20)]}}])  # target_volume: spare
    result = run_module(vbs_backup_restore.main, dict(volume="db01-data", name="nightly",
                                                      target_volume="spare", wait=False))
    assert result["changed"] and result["volume"]["id"] == TARGET
    assert writes(api)[0].json() == {"restore": {"volume_id": TARGET}}
    assert [c[1] for c in calls(api)] == ["/volumes/detail", "/volumes/detail",
                                          "/backups/detail", "/backups/%s/restore" % BACKUP]


def test_restore_target_volume_of_several_disks_restores_nothing(api, run_module):
    restorable(api)
    api.get(VBS_ROOT + "/volumes/detail", json={"volumes": [
        vol(TARGET, name="spare"), vol(OTHER_VOLUME, name="spare")]})
    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume="spare"))
    assert result["failed"] and "2 volumes are named 'spare' (target_volume)" in result["msg"]
    assert "in target_volume_id (or target_volume)" in result["msg"]
    assert writes(api) == []


def test_restore_needs_a_target(cloud, run_module):
    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP))
    assert result["failed"] and "target_volume" in result["msg"]
    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume="a",
                                                      target_volume_id=TARGET))
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert cloud.request_history == []
