# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module returns a backup in one shape: the service's record with its JSON strings
(service_metadata, a JSON description) decoded, at the wire."""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.modules import vbs_backup, vbs_backup_info, vbs_backup_restore
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
TARGET = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
BACKUP_URL = VBS_ROOT + "/backups/" + BACKUP
DESC = '{"DESC": "nightly", "INC": 1}'
META = ' {"progress": "100", "Type": 1, "snap_id": "665e411f"} '


def record(status="available", description=DESC, **extra):
    """A backup as the real service sends it: JSON strings inside."""
    return dict(dict(id=BACKUP, name="nightly", status=status, volume_id=VOLUME,
                     snapshot_id=SNAPSHOT, size=10, fail_reason=None, description=description,
                     service_metadata=META, created_at="2026-01-01T00:00:00.000000"), **extra)


DECODED = dict(record(), description={"DESC": "nightly", "INC": 1},
               service_metadata={"progress": "100", "Type": 1, "snap_id": "665e411f"})


@pytest.fixture
def api(cloud):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [record()]})
    cloud.get(BACKUP_URL, json={"backup": record()})
    return cloud


def test_info_decodes_a_json_description(api, run_module):
    assert run_module(vbs_backup_info.main, {})["backups"] == [DECODED]
    assert run_module(vbs_backup_info.main, dict(backup_id=BACKUP))["backups"] == [DECODED]


@pytest.mark.parametrize("description", [
    "plain text", "", None, "{not json", "[1, 2]", '"quoted"', "42", "{DESC}",
])
def test_other_descriptions_are_left_as_they_are(cloud, run_module, description):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": [record(description=description)]})
    assert run_module(vbs_backup_info.main, {})["backups"][0]["description"] == description


def test_vbs_backup_returns_a_found_backup_as_info_does(api, run_module):
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot_id=SNAPSHOT,
                                              name="nightly"))
    assert result["changed"] is False and result["backup"] == DECODED


def test_vbs_backup_returns_a_backup_it_waited_for_as_info_does(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    cloud.post(VBS_ROOT + "/backups", status_code=202,
               json={"backup": {"id": BACKUP, "name": "nightly"}})
    cloud.get(BACKUP_URL, [{"json": {"backup": record("creating")}},
                           {"json": {"backup": record()}}])
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot_id=SNAPSHOT,
                                              name="nightly", description=DESC))
    assert result["changed"] is True and result["backup"] == DECODED


def test_a_create_without_wait_returns_what_is_known_decoded(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    cloud.post(VBS_ROOT + "/backups", status_code=202,
               json={"backup": {"id": BACKUP, "name": "nightly", "links": []}})
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot_id=SNAPSHOT,
                                              name="nightly", description=DESC, wait=False))
    assert result["backup"] == {
        "id": BACKUP, "name": "nightly", "links": [], "status": "creating",
        "volume_id": VOLUME, "snapshot_id": SNAPSHOT, "description": {"DESC": "nightly", "INC": 1}}
    assert [r.method for r in cloud.request_history if "/backups" in r.path] == ["GET", "POST"]


def test_a_failure_about_a_backup_returns_it_decoded(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    cloud.post(VBS_ROOT + "/backups", status_code=202, json={"backup": {"id": BACKUP}})
    cloud.get(BACKUP_URL, json={"backup": record("error", fail_reason="snapshot lost")})
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, snapshot_id=SNAPSHOT))
    assert result["failed"] and "snapshot lost" in result["msg"]
    assert result["backup"] == dict(DECODED, status="error", fail_reason="snapshot lost")


def test_a_deleted_backup_is_returned_decoded(api, run_module, no_sleep):
    api.delete(BACKUP_URL, status_code=202)
    api.get(BACKUP_URL, [{"json": {"backup": record()}}, {"json": {"backup": record("deleting")}},
                         {"status_code": 404}])
    result = run_module(vbs_backup.main, dict(backup_id=BACKUP, state="absent"))
    assert result["changed"] is True and result["backup"] == DECODED


def test_restore_returns_the_backup_decoded(api, run_module, no_sleep):
    api.get(VBS_ROOT + "/volumes/" + TARGET,
            json={"volume": {"id": TARGET, "status": "available", "size": 20}})
    api.post(BACKUP_URL + "/restore", status_code=202,
             json={"restore": {"backup_id": BACKUP, "volume_id": TARGET}})
    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume_id=TARGET,
                                                      wait=False))
    assert result["backup"] == DECODED
