# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the API is found: the catalog shapes of the real clouds, at the wire.

Each test runs a module through its real openstacksdk session against a fake Keystone whose
token carries the catalog of one cloud (tests/unit/wire.py ``CATALOG_SHAPES``), and checks the
URLs the module called and the ``endpoints`` it reports.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.vbs.cloud.plugins.modules import vbs_backup_info, vbs_backup_restore
from ansible_collections.vbs.cloud.tests.unit.wire import (
    AUTH_URL, HUAWEI_EVS, HUAWEI_VBS, OTC_EVS, OTC_VBS, PASSWORD, PROJECT_ID, TOKEN,
    CATALOG_SHAPES, shape_catalog, token_body,
)

BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
TARGET = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
P = PROJECT_ID

# shape -> (backup root, volume root) that service_type auto picks
AUTO_ROOTS = {
    "cinder-v2": ("http://volume.test/v2/" + P, "http://volume.test/v2/" + P),
    "otc": (OTC_VBS + "/" + P, OTC_EVS + "/v2/" + P),
    "otc-vbs-only": (OTC_VBS + "/" + P, OTC_EVS + "/v2/" + P),
    "huawei": (HUAWEI_VBS + "/" + P, HUAWEI_EVS + "/v2/" + P),
    "cinder-v3": ("http://cinder.test/volume/v3/" + P, "http://cinder.test/volume/v3/" + P),
    "block-storage-bare": ("http://cinder.test/volume/v3/" + P,
                           "http://cinder.test/volume/v3/" + P),
    "no-vbs": ("https://evs.eu-nl.otc.t-systems.com/v2/" + P,
               "https://evs.eu-nl.otc.t-systems.com/v2/" + P),
}


@pytest.fixture
def shaped(cloud, tmp_path):
    """Switch the fake cloud to a catalog shape (region in clouds.yaml, catalog in the token)."""

    def use(shape, catalog=None):
        region = CATALOG_SHAPES[shape][0]
        config = tmp_path / "clouds.yaml"
        data = json.loads(config.read_text())
        data["clouds"]["test"]["region_name"] = region
        config.write_text(json.dumps(data))
        cloud.post(AUTH_URL + "/auth/tokens", status_code=201,
                   json=token_body(catalog=shape_catalog(shape) if catalog is None else catalog),
                   headers={"X-Subject-Token": TOKEN})
        return cloud

    return use


def backup(status="available"):
    return {"id": BACKUP, "name": "nightly", "status": status, "volume_id": VOLUME,
            "service_metadata": "{}"}


def api_calls(mock):
    return [(r.method, r.url) for r in mock.request_history
            if "/auth/tokens" not in r.url and r.url.rstrip("/") != AUTH_URL]


def restore_at(mock, backups_root, volumes_root):
    mock.get(backups_root + "/backups/" + BACKUP, json={"backup": backup()})
    mock.get(volumes_root + "/volumes/" + TARGET,
             json={"volume": {"id": TARGET, "name": "spare", "status": "available", "size": 20}})
    mock.post(backups_root + "/backups/%s/restore" % BACKUP, status_code=202,
              json={"restore": {"backup_id": BACKUP, "volume_id": TARGET, "volume_name": "spare"}})


# --- auto: each catalog shape ----------------------------------------------------------------

@pytest.mark.parametrize("shape", sorted(AUTO_ROOTS))
def test_auto_sends_backups_and_volumes_to_their_roots(shaped, run_module, shape):
    backups_root, volumes_root = AUTO_ROOTS[shape]
    mock = shaped(shape)
    restore_at(mock, backups_root, volumes_root)

    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume_id=TARGET,
                                                      wait=False))

    assert result["changed"] is True, result
    assert result["endpoints"] == {"backups": backups_root, "volumes": volumes_root}
    assert api_calls(mock) == [
        ("GET", backups_root + "/backups/" + BACKUP),
        ("GET", volumes_root + "/volumes/" + TARGET),
        ("POST", backups_root + "/backups/%s/restore" % BACKUP),
    ]


def test_otc_never_reads_a_volume_at_the_vbs_host(shaped, run_module):
    """The bug of issue 10: the VBS host serves no /volumes."""
    mock = shaped("otc")
    restore_at(mock, OTC_VBS + "/" + P, OTC_EVS + "/v2/" + P)
    run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume_id=TARGET,
                                             wait=False))
    assert not [url for _method, url in api_calls(mock)
                if "vbs." in url and "/volumes" in url]
    assert not [url for _method, url in api_calls(mock) if "evs." in url and "/backups" in url]


def test_the_info_module_reports_its_endpoints_too(shaped, run_module):
    mock = shaped("huawei")
    mock.get(HUAWEI_VBS + "/" + P + "/backups/detail", json={"backups": [backup()]})
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"][0]["id"] == BACKUP
    assert result["endpoints"] == {"backups": HUAWEI_VBS + "/" + P,
                                   "volumes": HUAWEI_EVS + "/v2/" + P}


@pytest.mark.parametrize("shape", ["none"])
def test_a_catalog_without_any_of_the_types_fails_naming_region_and_types(shaped, run_module,
                                                                          shape):
    mock = shaped(shape)
    result = run_module(vbs_backup_info.main, {})
    assert result["failed"]
    msg = result["msg"]
    assert "\n" not in msg
    assert "region 'RegionOne'" in msg
    assert "vbsv2, vbs, volumev2, volumev3, block-storage" in msg
    assert api_calls(mock) == []


def test_the_interface_picks_its_endpoint(shaped, run_module):
    mock = shaped("otc")
    internal = OTC_VBS.replace("://", "://internal-") + "/" + P
    mock.get(internal + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(interface="internal"))
    assert result["endpoints"]["backups"] == internal
    assert result["endpoints"]["volumes"] == OTC_EVS.replace("://", "://internal-") + "/v2/" + P


def test_another_regions_endpoints_are_not_used(shaped, run_module):
    """A catalog listing VBS in eu-de only; the task's region is eu-nl (as on OTC)."""
    catalog = shape_catalog("otc") + shape_catalog("no-vbs")
    mock = shaped("no-vbs", catalog=catalog)
    evs = "https://evs.eu-nl.otc.t-systems.com/v2/" + P
    mock.get(evs + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, {})
    assert result["endpoints"] == {"backups": evs, "volumes": evs}


# --- an explicit service_type means exactly that type ---------------------------------------

@pytest.mark.parametrize("service_type, root", [
    ("volumev2", OTC_EVS + "/v2/" + P),
    ("vbs", OTC_VBS + "/" + P),
    ("evs", OTC_EVS + "/v2/" + P),
    ("volumev3", OTC_EVS + "/v3/" + P),
])
def test_an_explicit_service_type_is_used_as_given(shaped, run_module, service_type, root):
    mock = shaped("otc")
    mock.get(root + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(service_type=service_type))
    assert result["endpoints"]["backups"] == root, result
    volumes = root if service_type in ("volumev2", "volumev3") else OTC_EVS + "/v2/" + P
    assert result["endpoints"]["volumes"] == volumes


def test_an_explicit_type_is_not_replaced_by_an_alias(shaped, run_module):
    """keystoneauth would answer volumev2 with the volumev3 endpoint (service-type aliases)."""
    mock = shaped("cinder-v3")
    result = run_module(vbs_backup_info.main, dict(service_type="volumev2"))
    assert result["failed"] and "has no 'volumev2' endpoint" in result["msg"]
    assert "auto" in result["msg"]
    assert api_calls(mock) == []


# --- endpoint_override ------------------------------------------------------------------------

@pytest.mark.parametrize("placeholder", ["%(project_id)s", "{project_id}", "%(tenant_id)s",
                                         "$(tenant_id)s", "$(project_id)s", ""])
def test_endpoint_override_placeholders(shaped, run_module, placeholder):
    mock = shaped("otc")
    mock.get("https://gateway.example.com/v2/%s/backups/detail" % P, json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(
        endpoint_override="https://gateway.example.com/v2/" + placeholder))
    assert not result.get("failed"), result
    assert result["endpoints"]["backups"] == "https://gateway.example.com/v2/" + P


def test_an_override_at_a_proxy_serves_volumes_too(shaped, run_module):
    """A Cinder (or a proxy in front of one, as the fault tests use): every call goes there."""
    mock = shaped("cinder-v2")
    proxy = "http://127.0.0.1:38876/v2/" + P
    restore_at(mock, proxy, proxy)
    result = run_module(vbs_backup_restore.main, dict(
        backup_id=BACKUP, target_volume_id=TARGET, wait=False,
        endpoint_override="http://127.0.0.1:38876/v2/%(project_id)s"))
    assert result["endpoints"] == {"backups": proxy, "volumes": proxy}
    assert all(url.startswith(proxy) for _method, url in api_calls(mock))


@pytest.mark.parametrize("override", [OTC_VBS + "/%(project_id)s", OTC_VBS,
                                      "https://vbs.eu-de.otc.t-systems.com/v2/$(tenant_id)s"])
def test_an_override_at_the_vbs_host_leaves_volumes_to_the_catalog(shaped, run_module,
                                                                   override):
    mock = shaped("otc")
    restore_at(mock, OTC_VBS + "/" + P, OTC_EVS + "/v2/" + P)
    result = run_module(vbs_backup_restore.main, dict(
        backup_id=BACKUP, target_volume_id=TARGET, wait=False, endpoint_override=override))
    assert result["changed"], result
    assert result["endpoints"] == {"backups": OTC_VBS + "/" + P, "volumes": OTC_EVS + "/v2/" + P}


def test_a_vbs_override_without_block_storage_fails_the_volume_call_clearly(shaped, run_module):
    mock = shaped("none")
    mock.get(OTC_VBS + "/" + P + "/backups/" + BACKUP, json={"backup": backup()})
    result = run_module(vbs_backup_restore.main, dict(
        backup_id=BACKUP, target_volume_id=TARGET, wait=False,
        endpoint_override=OTC_VBS + "/%(project_id)s"))
    assert result["failed"]
    assert "no block-storage endpoint" in result["msg"] and "volumev2" in result["msg"]
    assert result["endpoints"] == {"backups": OTC_VBS + "/" + P, "volumes": None}
    assert not [url for _m, url in api_calls(mock) if "/volumes" in url]


def test_the_project_id_option_replaces_the_project_of_every_root(shaped, run_module):
    other = "0123456789abcdef0123456789abcdef"
    mock = shaped("otc")
    mock.get(OTC_VBS + "/" + other + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(project_id=other))
    assert result["endpoints"] == {"backups": OTC_VBS + "/" + other,
                                   "volumes": OTC_EVS + "/v2/" + other}


def test_a_clouds_yaml_block_storage_override_serves_volumes(shaped, run_module, tmp_path):
    """openstacksdk's own block_storage_endpoint_override, set in clouds.yaml."""
    mock = shaped("otc")
    config = tmp_path / "clouds.yaml"
    data = json.loads(config.read_text())
    data["clouds"]["test"]["block_storage_endpoint_override"] = "https://evs.example.com/v2/"
    config.write_text(json.dumps(data))
    mock.get(OTC_VBS + "/" + P + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, {})
    assert result["endpoints"] == {"backups": OTC_VBS + "/" + P,
                                   "volumes": "https://evs.example.com/v2/" + P}


def test_no_password_in_the_endpoints(shaped, run_module):
    mock = shaped("otc")
    mock.get(OTC_VBS + "/" + P + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, {})
    assert PASSWORD not in json.dumps(result)


def test_a_create_on_otc_goes_to_the_vbs_host_and_says_so(shaped, run_module):
    from ansible_collections.vbs.cloud.plugins.modules import vbs_backup

    mock = shaped("otc")
    root = OTC_VBS + "/" + P
    mock.get(root + "/backups/detail", json={"backups": []})
    post = mock.post(root + "/backups", status_code=202,
                     json={"backup": {"id": BACKUP, "name": "nightly", "links": []}})
    result = run_module(vbs_backup.main, dict(volume_id=VOLUME, name="nightly", wait=False,
                                              snapshot_id="2bb856e1-b3d8-4432-a858-09e4ce939389"))
    assert result["changed"] and post.called_once, result
    assert result["endpoints"] == {"backups": root, "volumes": OTC_EVS + "/v2/" + P}
    assert not [url for _m, url in api_calls(mock) if url.startswith(OTC_EVS)]


# --- the module payload on sys.path ----------------------------------------------------------

def test_the_auth_plugin_is_found_without_the_payload_archive(shaped, run_module, tmp_path,
                                                              monkeypatch):
    """Under Ansible sys.path starts with the task's payload archive, a new one in each task.

    stevedore (keystoneauth's plugin loader) caches the entry points of sys.path by its value:
    with the archive in it, each task scanned every distribution and wrote another cache file.
    The lookup sees sys.path without the archive; afterwards sys.path is as it was.
    """
    stevedore_cache = pytest.importorskip("stevedore._cache")
    import zipfile
    archive = tmp_path / "ansible_vbs.cloud.vbs_backup_info_payload.zip"
    with zipfile.ZipFile(archive, "w") as payload:
        payload.writestr("ansible_collections/__init__.py", "")
    monkeypatch.setattr("sys.path", [str(archive)] + __import__("sys").path)
    before = list(__import__("sys").path)
    extension = pytest.importorskip("stevedore.extension")
    monkeypatch.setattr(stevedore_cache._c, "_internal", {})  # stevedore's in-process memos
    monkeypatch.setattr(extension.ExtensionManager, "ENTRY_POINT_CACHE", {})
    mock = shaped("huawei")
    mock.get(HUAWEI_VBS + "/" + P + "/backups/detail", json={"backups": []})
    assert run_module(vbs_backup_info.main, {})["backups"] == []
    looked_up = list(stevedore_cache._c._internal)
    assert looked_up and all(str(archive) not in path for path in looked_up)
    assert __import__("sys").path == before
