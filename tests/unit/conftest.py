# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A cloud at the wire for unit tests: Keystone's token answer and the VBS API, via requests-mock.

Modules run through their real openstacksdk/keystoneauth session; only HTTP is fake.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from pathlib import Path

import pytest

try:  # under ansible-test the collection is already importable
    importlib.import_module("ansible_collections.vbs.cloud")
except ImportError:  # plain pytest from the repository: link it into a collections tree
    ROOT = Path(__file__).resolve().parents[2]
    TREE = ROOT / ".cache" / "collections"
    LINK = TREE / "ansible_collections" / "vbs" / "cloud"
    if not LINK.exists():
        LINK.parent.mkdir(parents=True, exist_ok=True)
        LINK.symlink_to(ROOT)
    sys.path.insert(0, str(TREE))

from ansible.module_utils import basic  # noqa: E402

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


from ansible_collections.vbs.cloud.tests.unit.wire import (  # noqa: E402
    AUTH_URL, IDENTITY_VERSION, PASSWORD, TOKEN, WALL_CLOCK_START, token_body,
)


@pytest.fixture
def cloud(requests_mock, tmp_path, monkeypatch):
    """A clouds.yaml with one cloud (as AWX writes it) and Keystone answering with a token."""
    for name in list(__import__("os").environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "clouds.yaml"
    config.write_text(json.dumps({"clouds": {"test": {"auth": {
        "auth_url": AUTH_URL, "username": "demo", "password": PASSWORD, "project_name": "demo",
        "user_domain_name": "Default", "project_domain_name": "Default"},
        "region_name": "RegionOne"}}}))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(config))
    requests_mock.get(AUTH_URL, json=IDENTITY_VERSION)
    requests_mock.post(AUTH_URL + "/auth/tokens", status_code=201, json=token_body(),
                       headers={"X-Subject-Token": TOKEN})
    return requests_mock


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    """A fake clock for polling and retries: sleeping advances it instantly; returns the sleeps.

    ``time()`` is the wall clock of the same fake time, starting at WALL_CLOCK_START (for the
    HTTP-date form of Retry-After).
    """
    from ansible_collections.vbs.cloud.plugins.module_utils import client, waiters

    now = [1000.0]
    sleeps = []

    class FakeTime:
        @staticmethod
        def monotonic():
            return now[0]

        @staticmethod
        def time():
            return WALL_CLOCK_START + now[0] - 1000.0

        @staticmethod
        def sleep(seconds):
            sleeps.append(seconds)
            now[0] += seconds

    for module in (client, waiters):
        monkeypatch.setattr(module, "time", FakeTime)
    return sleeps


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with args; returns its JSON result (``failed`` set on failure)."""

    def run(main, args, check_mode=False, diff=False):
        args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        # A module process starts with no warnings; here they would pile up across tests.
        from ansible.module_utils.common import warnings as module_warnings
        for store in ("_global_warnings", "_global_deprecations"):
            getattr(module_warnings, store, {}).clear()
        with patch_module_args(args), pytest.raises(SystemExit) as stop:
            main()
        result = json.loads(capsys.readouterr().out)
        assert bool(stop.value.code) == bool(result.get("failed")), result
        return result

    return run
