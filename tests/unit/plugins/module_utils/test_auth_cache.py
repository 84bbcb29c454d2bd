# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""openstacksdk's auth cache (``cache: {auth: true}``), at the wire, with an in-memory keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

keyring = pytest.importorskip("keyring")
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import KeyringLocked  # noqa: E402

from ansible_collections.vbs.cloud.plugins.modules.vbs_backup import main  # noqa: E402
from ansible_collections.vbs.cloud.tests.unit.wire import (  # noqa: E402
    AUTH_URL, PROJECT_ID, VBS_ROOT, token_body,
)

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
CREATE = dict(volume_id=VOLUME, snapshot_id=SNAPSHOT, wait=False)
TOKENS = AUTH_URL + "/auth/tokens"


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its entries in a dict."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


class LockedKeyring(KeyringBackend):
    """A Secret Service collection that cannot be unlocked (a headless session)."""

    priority = 1

    def get_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service, username):
        raise KeyringLocked("Failed to unlock the collection!")


@pytest.fixture
def use_keyring():
    """Install a keyring backend for the test; the previous one comes back afterwards."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def memory(use_keyring):
    backend = MemoryKeyring()
    use_keyring(backend)
    return backend


def cache_auth(on=True):
    """Put ``cache: {auth: ...}`` at the top of the test's clouds.yaml."""
    path = os.environ["OS_CLIENT_CONFIG_FILE"]
    with open(path) as handle:
        config = json.load(handle)
    config["cache"] = {"auth": on}
    with open(path, "w") as handle:
        json.dump(config, handle)


def tokens_answer(mock, token):
    mock.post(TOKENS, status_code=201, json=token_body(), headers={"X-Subject-Token": token})


@pytest.fixture
def api(cloud):
    """An empty project whose VBS API accepts only the tokens in ``api.valid``."""
    valid = {"gAAAAAB-test-token"}

    def detail(request, context):
        if request.headers.get("X-Auth-Token") not in valid:
            context.status_code = 401
            return {"error": {"code": 401, "title": "Unauthorized",
                              "message": "The request you have made requires authentication."}}
        return {"backups": []}

    cloud.get(VBS_ROOT + "/backups/detail", json=detail)
    cloud.post(VBS_ROOT + "/backups", status_code=202,
               json={"backup": {"id": BACKUP, "name": "b", "links": []}})
    cloud.valid = valid
    return cloud


def token_requests(mock):
    return [r for r in mock.request_history if r.url.endswith("/auth/tokens")]


def cached_tokens(backend):
    return [json.loads(state)["auth_token"] for (service, _id), state in backend.entries.items()
            if service == "openstacksdk"]


def test_the_second_task_sends_no_token_request(api, memory, run_module):
    cache_auth()
    first = run_module(main, dict(CREATE, name="one"))
    assert len(token_requests(api)) == 1
    assert cached_tokens(memory) == ["gAAAAAB-test-token"]

    api.reset_mock()
    second = run_module(main, dict(CREATE, name="two"))

    assert first["changed"] and second["changed"]
    assert token_requests(api) == []
    assert [(r.method, r.path.split("/", 3)[-1]) for r in api.request_history] == [
        ("GET", "backups/detail"), ("POST", "backups")]
    assert all(r.headers["X-Auth-Token"] == "gAAAAAB-test-token" for r in api.request_history)


def test_five_tasks_one_token(api, memory, run_module):
    cache_auth()
    for item in range(5):
        assert run_module(main, dict(CREATE, name="b%d" % item))["changed"]
    assert len(token_requests(api)) == 1
    assert len(api.request_history) == 1 + 5 * 2


def test_a_refused_cached_token_is_replaced_once_and_the_task_succeeds(api, memory, run_module):
    cache_auth()
    run_module(main, dict(CREATE, name="one"))
    # The cloud revokes the cached token; Keystone now hands out another.
    api.valid.clear()
    api.valid.add("gAAAAAB-new-token")
    tokens_answer(api, "gAAAAAB-new-token")
    api.reset_mock()

    result = run_module(main, dict(CREATE, name="two"))

    assert result["changed"] is True and result["backup_id"] == BACKUP
    assert len(token_requests(api)) == 1
    sent = [(r.method, r.headers.get("X-Auth-Token")) for r in api.request_history
            if "/backups" in r.path]
    assert sent == [("GET", "gAAAAAB-test-token"), ("GET", "gAAAAAB-new-token"),
                    ("POST", "gAAAAAB-new-token")]
    assert cached_tokens(memory) == ["gAAAAAB-new-token"]

    api.reset_mock()
    run_module(main, dict(CREATE, name="three"))  # the new token was written back
    assert token_requests(api) == []


def test_an_expired_cached_token_is_not_sent(api, memory, run_module):
    cache_auth()
    body = token_body()
    body["token"]["expires_at"] = "2020-01-01T00:00:00.000000Z"
    api.post(TOKENS, status_code=201, json=body, headers={"X-Subject-Token": "gAAAAAB-old"})
    api.valid.add("gAAAAAB-old")
    run_module(main, dict(CREATE, name="one"))  # keystoneauth takes it, the next task must not
    tokens_answer(api, "gAAAAAB-test-token")
    api.reset_mock()

    run_module(main, dict(CREATE, name="two"))

    assert len(token_requests(api)) == 1
    assert {r.headers.get("X-Auth-Token") for r in api.request_history
            if "/backups" in r.path} == {"gAAAAAB-test-token"}
    assert cached_tokens(memory) == ["gAAAAAB-test-token"]


def test_without_the_setting_nothing_changes(api, memory, run_module):
    run_module(main, dict(CREATE, name="one"))
    run_module(main, dict(CREATE, name="two"))
    assert len(token_requests(api)) == 2
    assert memory.entries == {}


def test_cache_auth_false_is_the_same_as_no_setting(api, memory, run_module):
    cache_auth(False)
    run_module(main, dict(CREATE, name="one"))
    run_module(main, dict(CREATE, name="two"))
    assert len(token_requests(api)) == 2
    assert memory.entries == {}


@pytest.mark.parametrize("backend", [LockedKeyring, "fail"])
def test_a_keyring_that_raises_never_fails_a_task(api, use_keyring, run_module, backend):
    if backend == "fail":  # what keyring picks when no backend is usable: raises RuntimeError
        from keyring.backends import fail
        backend = fail.Keyring
    use_keyring(backend())
    cache_auth()
    first = run_module(main, dict(CREATE, name="one"))
    second = run_module(main, dict(CREATE, name="two"))
    assert first["changed"] and second["changed"], (first, second)
    assert len(token_requests(api)) == 2


def test_a_config_error_is_still_reported_with_the_cache_set(cloud, memory, run_module):
    cache_auth()
    result = run_module(main, dict(CREATE, name="one", cloud="no-such-cloud"))
    assert result["failed"] and "no-such-cloud" in result["msg"]
    assert token_requests(cloud) == []


def test_keyring_is_imported_only_for_a_caching_cloud(tmp_path):
    """openstack.config imports keyring when installed; the modules defer it until it is used."""
    tree = os.path.dirname(sys.modules["ansible_collections"].__path__[0])
    code = ("import sys\n"
            "from ansible_collections.vbs.cloud.plugins.module_utils import connection\n"
            "assert 'openstack.config.cloud_region' in sys.modules\n"
            "print('keyring.core' in sys.modules)\n")
    env = dict(os.environ, PYTHONPATH=tree)
    answer = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True)
    assert answer.stdout.strip() == "False", answer.stderr


BROKEN_KEYRING_RUN = """
import json, os, sys
import requests_mock
from ansible_collections.vbs.cloud.tests.unit.wire import AUTH_URL, PASSWORD, TOKEN, token_body
from ansible_collections.vbs.cloud.plugins.module_utils import connection
with open(os.environ["OS_CLIENT_CONFIG_FILE"], "w") as handle:
    json.dump({"cache": {"auth": True}, "clouds": {"test": {"auth": {
        "auth_url": AUTH_URL, "username": "demo", "password": PASSWORD, "project_name": "demo",
        "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": "RegionOne"}}}, handle)
with requests_mock.Mocker() as mock:
    mock.post(AUTH_URL + "/auth/tokens", status_code=201, json=token_body(),
              headers={"X-Subject-Token": TOKEN})
    client = connection.connect({"cloud": "test"}, "auto")
    print(json.dumps({"tokens": mock.call_count, "root": client.api_root}))
"""


def test_a_keyring_that_cannot_be_imported_never_fails_a_task(tmp_path):
    """A keyring package whose import raises: the task authenticates as without the cache."""
    broken = tmp_path / "site" / "keyring"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a broken keyring install')\n")
    tree = os.path.dirname(sys.modules["ansible_collections"].__path__[0])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), tree]),
               OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"))
    answer = subprocess.run([sys.executable, "-c", BROKEN_KEYRING_RUN], env=env,
                            capture_output=True, text=True, check=False)
    assert answer.returncode == 0, answer.stderr
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["tokens"] == 1 and result["root"].endswith("/v2/" + PROJECT_ID)
