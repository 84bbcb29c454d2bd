# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""openstacksdk's auth cache (``cache: {auth: true}`` in clouds.yaml): one token for many tasks.

openstacksdk keeps the auth state of a cloud in the keyring (service ``openstacksdk``, one entry
per credentials hash, ``auth.get_cache_id()``). ``CloudRegion`` reads it when it is built
(``load_auth_from_cache``), but only openstacksdk's ``Connection`` writes it
(``CloudRegion.set_auth_cache()``, when the connection closes). This module does the writing for
our sessions, through the same public method, each time keystoneauth fetched a new token: after
the first authentication and after a re-authentication. A cached token that the cloud refuses
(401) is dropped by keystoneauth's session itself, which invalidates the plugin and sends the
request once more with a new token (``Session.request``); that new token is written back too.

The cache must never fail a task: a keyring that raises on reading makes the task run as if the
cache were off (one retry of building the cloud region, with keyring's "fail" backend), and a
keyring that raises on writing is ignored.

Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import importlib.util
import sys
import traceback


def defer_keyring_import():
    """Register the ``keyring`` package without running it until first used.

    ``openstack.config.cloud_region`` imports ``keyring`` at import time when it is installed
    (~0.1 s of CPU: jaraco, importlib_metadata, ...) although only a cloud with
    ``cache: {auth: true}`` ever uses it. This puts an unexecuted module in its place whose first
    attribute access (``keyring.get_password`` ...) runs the real package in place. If that fails,
    the access raises RuntimeError, which openstacksdk takes for "no keyring" (it is what
    keyring's own fail backend raises), so the task goes on without the cache.
    """
    if "keyring" in sys.modules:
        return
    try:
        spec = importlib.util.find_spec("keyring")
    except (ImportError, ValueError):
        return
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)
    failed = []

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        if failed:
            raise RuntimeError(failed[0])
        del package.__getattr__
        try:
            spec.loader.exec_module(package)
        except Exception as exc:  # a broken install must not fail a task
            failed.append("keyring could not be imported: %s: %s" % (type(exc).__name__, exc))
            package.__getattr__ = __getattr__
            raise RuntimeError(failed[0]) from exc
        return getattr(package, name)

    package.__getattr__ = __getattr__
    sys.modules["keyring"] = package


def _from_keyring(exc):
    """Whether an exception was raised inside the keyring package or one of its backends."""
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_globals.get("__name__") or ""
        if name.split(".")[0] in ("keyring", "keyrings", "secretstorage", "jeepney"):
            return True
    return False


def _without_keyring():
    """Make every keyring call raise RuntimeError, openstacksdk's "no keyring"; True if done."""
    try:
        keyring = importlib.import_module("keyring")
        fail = importlib.import_module("keyring.backends.fail")
        keyring.set_keyring(fail.Keyring())
    except Exception:  # pylint: disable=broad-except
        return False
    return True


def cloud_region(get_cloud_region, config):
    """``get_cloud_region(**config)``, with the auth cache honoured and unable to fail the task.

    When the cloud has ``cache: {auth: true}`` and a keyring is available, openstacksdk has
    already loaded the cached token into the auth plugin; every new token keystoneauth fetches
    from then on is written back to the keyring.
    """
    try:
        region = get_cloud_region(**config)
    except Exception as exc:  # pylint: disable=broad-except
        # Reading the cache raised something else than the RuntimeError openstacksdk expects
        # (a locked Secret Service collection, an unreadable keyring file, ...): as without it.
        if not (_from_keyring(exc) and _without_keyring()):
            raise
        region = get_cloud_region(**config)
    write_back(region)
    return region


def _caching(region):
    try:
        return not region.skip_auth_cache()
    except Exception:  # pylint: disable=broad-except
        return False


def save(region):
    """``region.set_auth_cache()``: store the plugin's auth state; never raises."""
    try:
        region.set_auth_cache()
    except Exception:  # pylint: disable=broad-except
        return False
    return True


def write_back(region):
    """Store the auth state each time the plugin gets a new token (caching clouds only).

    Wraps the plugin's public ``get_access(session)``, through which keystoneauth gets every
    token (``get_token``, ``get_project_id``, ``get_endpoint`` ...): when it returns another
    ``AccessInfo`` than the plugin held before (a first token, or a new one after a 401 or after
    the cached one expired), the state is saved as openstacksdk's ``Connection`` saves it.
    """
    if not _caching(region):
        return
    auth = region.get_auth()
    fetch = getattr(auth, "get_access", None)
    if fetch is None or not hasattr(auth, "auth_ref"):
        return

    def get_access(session, **kwargs):
        before = auth.auth_ref
        access = fetch(session, **kwargs)
        if access is not None and access is not before:
            save(region)
        return access

    auth.get_access = get_access
