# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the cloud configuration: cloud dicts, broken clouds.yaml files, identity discovery.

Every failure is one line that names the option or the file, sends nothing, and echoes no
secret; the modules run through their real openstacksdk session with HTTP faked at the wire.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.vbs.cloud.plugins.module_utils import connection
from ansible_collections.vbs.cloud.plugins.modules import vbs_backup_info
from ansible_collections.vbs.cloud.tests.unit.wire import (
    AUTH_URL, IDENTITY_VERSION, PASSWORD, TOKEN, VBS_ROOT, token_body,
)

AUTH = {"auth_url": "http://keystone.test/v3", "username": "demo", "password": PASSWORD,
        "project_name": "demo", "user_domain_name": "Default", "project_domain_name": "Default"}
CLOUD = {"auth": AUTH, "region_name": "RegionOne"}


def one_line_failure(result, cloud):
    assert result.get("failed"), result
    msg = result["msg"]
    assert "\n" not in msg.strip() and ".." not in msg, msg
    assert "Traceback" not in json.dumps(result)
    assert PASSWORD not in json.dumps(result)
    assert [r.url for r in cloud.request_history] == []
    return msg


# --- a cloud dict with explicit connection options (as openstack.cloud refuses) ----------------

@pytest.mark.parametrize("option, value", [
    ("auth", AUTH), ("auth_type", "password"), ("region_name", "RegionOne"),
    ("validate_certs", False), ("verify", True), ("api_timeout", 30), ("interface", "public"),
    ("endpoint_type", "internal"), ("ca_cert", "/etc/hosts"), ("client_cert", "/etc/hosts"),
    ("client_key", "/etc/hosts"),
])
def test_a_cloud_dict_with_a_connection_option_fails_naming_it(cloud, run_module, option, value):
    canonical = {"verify": "validate_certs", "endpoint_type": "interface"}.get(option, option)
    result = run_module(vbs_backup_info.main, {"cloud": CLOUD, option: value})
    msg = one_line_failure(result, cloud)
    assert "'cloud'" in msg and canonical in msg
    assert result["error"]["option"] == "cloud"


def test_every_conflicting_option_is_named_at_once(cloud, run_module):
    result = run_module(vbs_backup_info.main, dict(cloud=CLOUD, region_name="RegionOne",
                                                   api_timeout=5, interface="admin"))
    msg = one_line_failure(result, cloud)
    assert "region_name, api_timeout, interface are set" in msg


def test_a_cloud_dict_with_the_other_options_at_their_defaults_is_fine(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(cloud=CLOUD, service_type="volumev2",
                                                   project_id=None, auth=None))
    assert result["backups"] == [] and not result.get("failed")


def test_a_cloud_name_with_connection_options_is_fine(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(cloud="test", region_name="RegionOne",
                                                   api_timeout=30))
    assert result["backups"] == []


# --- bad values inside a cloud dict name the key -----------------------------------------------

@pytest.mark.parametrize("key, value", [
    ("api_timeout", "x"), ("api_timeout", 0), ("api_timeout", -1), ("api_timeout", [3]),
    ("api_timeout", True), ("verify", "maybe"), ("verify", 1), ("interface", "private"),
    ("interface", 5), ("region_name", ["a"]), ("auth_type", {"a": 1}), ("cache", {"auth": True}),
    ("insecure", ["x"]), ("cacert", "/nonexistent/ca.pem"), ("cert", 5),
])
def test_a_bad_value_in_a_cloud_dict_names_it(cloud, run_module, key, value):
    result = run_module(vbs_backup_info.main, dict(cloud=dict(CLOUD, **{key: value})))
    msg = one_line_failure(result, cloud)
    assert "'cloud.%s'" % key in msg, msg
    assert result["error"]["option"] == "cloud.%s" % key


def test_an_auth_that_is_not_a_dict_is_named(cloud, run_module):
    result = run_module(vbs_backup_info.main, dict(cloud={"auth": "notadict"}))
    assert "'cloud.auth'" in one_line_failure(result, cloud)


@pytest.mark.parametrize("key, value", [("api_timeout", "2.5"), ("api_timeout", 30),
                                        ("verify", True), ("interface", "internal"),
                                        ("cache", "false")])
def test_good_values_in_a_cloud_dict_pass(cloud, run_module, key, value):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, dict(cloud=dict(CLOUD, **{key: value})))
    assert not result.get("failed"), result


# --- errors openstacksdk raises while reading clouds.yaml -------------------------------------

def write_config(tmp_path, text):
    config = tmp_path / "clouds.yaml"
    config.write_text(text)
    return str(config)


def test_a_cache_dict_under_a_cloud_names_the_file_and_the_key(cloud, run_module, tmp_path):
    """Today's 'Module failed: 'dict' object has no attribute 'lower''."""
    path = write_config(tmp_path, json.dumps({"clouds": {"test": dict(
        CLOUD, cache={"auth": True})}}))
    result = run_module(vbs_backup_info.main, {})
    msg = one_line_failure(result, cloud)
    assert msg.startswith("Reading the cloud configuration failed: ")
    assert path in msg and "clouds.test.cache" in msg and "top" in msg
    assert "What to do" in msg


def test_a_file_that_is_not_yaml_names_the_file(cloud, run_module, tmp_path):
    path = write_config(tmp_path, "clouds:\n  test: [unclosed\n")
    result = run_module(vbs_backup_info.main, {})
    msg = one_line_failure(result, cloud)
    assert msg.startswith("Reading the cloud configuration failed: ")
    # newer openstacksdk skips such a file, which the module reports; 1.0.0 raises a ParserError
    assert ("openstacksdk skipped %s, which is not valid YAML (" % path in msg
            or "ParserError" in msg), msg


def test_an_unknown_cloud_has_no_double_full_stop(cloud, run_module, tmp_path):
    result = run_module(vbs_backup_info.main, dict(cloud="nosuchcloud"))
    msg = one_line_failure(result, cloud)
    assert "Cloud nosuchcloud was not found (file %s). What to do:" % (
        tmp_path / "clouds.yaml") in msg


def test_an_unknown_region_names_the_file(cloud, run_module, tmp_path):
    result = run_module(vbs_backup_info.main, dict(region_name="nowhere"))
    msg = one_line_failure(result, cloud)
    assert "nowhere" in msg and str(tmp_path / "clouds.yaml") in msg


def test_a_broken_cloud_dict_value_openstacksdk_refuses_is_one_line(cloud, run_module,
                                                                    monkeypatch):
    """Whatever openstacksdk raises (here a KeyError from deep inside) becomes one line."""
    def broken(*_args, **_kwargs):
        raise KeyError("profile")

    monkeypatch.setattr(connection.openstack_config.OpenStackConfig, "get_one", broken)
    result = run_module(vbs_backup_info.main, {})
    msg = one_line_failure(result, cloud)
    assert "KeyError: 'profile'" in msg


# --- identity discovery ------------------------------------------------------------------------

def identity_at(cloud, tmp_path, auth_url, token_url):
    write_config(tmp_path, json.dumps({"clouds": {"test": dict(
        CLOUD, auth=dict(AUTH, auth_url=auth_url))}}))
    cloud.post(token_url, status_code=201, json=token_body(), headers={"X-Subject-Token": TOKEN})
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})


@pytest.mark.parametrize("auth_url", ["http://keystone.test/identity/v3",
                                      "http://keystone.test/identity/v3/"])
def test_discovery_is_skipped_when_the_last_segment_is_v3(cloud, run_module, tmp_path,
                                                          auth_url):
    """devstack's …/identity/v3 included: token, then the call, nothing else."""
    identity_at(cloud, tmp_path, auth_url, auth_url.rstrip("/") + "/auth/tokens")
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"] == []
    assert [r.method for r in cloud.request_history] == ["POST", "GET"]


def test_an_unversioned_auth_url_is_discovered(cloud, run_module, tmp_path):
    root = "http://keystone.test/identity"
    versions = {"versions": {"values": [dict(IDENTITY_VERSION["version"], links=[
        {"rel": "self", "href": root + "/v3/"}])]}}
    cloud.get(root, json=versions, status_code=300)
    identity_at(cloud, tmp_path, root, root + "/v3/auth/tokens")
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"] == []
    assert [(r.method, r.url) for r in cloud.request_history][:2] == [
        ("GET", root), ("POST", root + "/v3/auth/tokens")]


def test_a_keystoneauth_that_differs_falls_back_to_discovery(cloud, run_module, tmp_path,
                                                             monkeypatch):
    """Should create_plugin need a real session some day, discovery runs as usual."""
    from keystoneauth1.identity import generic

    real = generic.Password.create_plugin

    def strict(self, session, *args, **kwargs):
        if session is None:
            raise TypeError("a session is required")
        return real(self, session, *args, **kwargs)

    monkeypatch.setattr(generic.Password, "create_plugin", strict)
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"] == [], result
    assert [(r.method, r.url) for r in cloud.request_history][0] == ("GET", AUTH_URL)


def test_a_later_import_openstack_gets_the_whole_package():
    """The lazy import registers openstack without its __init__; a later import must still
    give the whole package (openstack.connect, openstack.connection.Connection)."""
    tree = Path(connection.__file__).parents[5]  # the collections tree
    code = "\n".join([
        "import sys",
        "from ansible_collections.vbs.cloud.plugins.module_utils import connection",
        "assert connection.OPENSTACK_IMPORT_ERROR is None",
        "assert 'openstack.connection' not in sys.modules, 'the lazy import ran __init__'",
        "import openstack",
        "assert callable(openstack.connect)",
        "import openstack.connection",
        "assert openstack.connection.Connection",
        "assert callable(openstack.enable_logging)",
        "from openstack import exceptions",
        "assert exceptions is connection.openstack_exceptions",
        "print('ok')",
    ])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree)] + sys.path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
