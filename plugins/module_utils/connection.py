# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection to the cloud: openstacksdk's configuration, the token, the catalog and the
API roots.

Nothing here knows about Ansible: ``connect`` takes openstacksdk's own configuration keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import sys
import traceback

from urllib.parse import urlsplit

from ansible_collections.vbs.cloud.plugins.module_utils import auth_cache
from ansible_collections.vbs.cloud.plugins.module_utils.client import VbsClient
from ansible_collections.vbs.cloud.plugins.module_utils.errors import TRANSPORT_ERRORS, VbsError, transport_error


def _lazy_openstack_package():
    """Register the ``openstack`` package without running its ``__init__``.

    ``openstack/__init__`` imports ``openstack.connection`` and with it every service proxy
    of the SDK (~0.15 s of CPU in each task); the modules need only ``openstack.config`` and
    ``openstack.exceptions``. Submodules import as usual; the first use of any other attribute
    of the package (``openstack.connect``, ``openstack.enable_logging``, ...) runs the real
    ``__init__`` in place, so code that imports ``openstack`` later in the same process still
    gets the whole package.
    """
    if "openstack" in sys.modules:
        return
    import importlib.util
    spec = importlib.util.find_spec("openstack")
    if spec is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return importlib.import_module("openstack." + name)
        except ModuleNotFoundError as exc:
            if exc.name != "openstack." + name:
                raise
        del package.__getattr__
        spec.loader.exec_module(package)
        return getattr(package, name)

    package.__getattr__ = __getattr__
    sys.modules["openstack"] = package


try:
    auth_cache.defer_keyring_import()
    _lazy_openstack_package()
    openstack_config = importlib.import_module("openstack.config")
    openstack_exceptions = importlib.import_module("openstack.exceptions")
except ImportError:
    OPENSTACK_IMPORT_ERROR = traceback.format_exc()
else:
    OPENSTACK_IMPORT_ERROR = None


def api_root(endpoint, token_project_id, project_id):
    """``…/v2/<project>`` from a catalog endpoint (which may already end with the project)."""
    project = project_id or token_project_id
    root = endpoint.replace("%(project_id)s", project).replace("{project_id}", project)
    root = root.rstrip("/")
    for known in (token_project_id, project_id):
        if known and root.endswith("/" + known):
            return root[: -len(known)] + project
    return root + "/" + project



def _skip_identity_discovery(auth):
    """Spare the ``GET <auth_url>`` of version discovery when auth_url names v3.

    With ``auth_type: password`` (or ``token``) keystoneauth's generic plugin first asks the
    identity service which versions it offers. When the auth_url's path starts with ``/v3``
    the answer is known: this builds the v3 plugin exactly as keystoneauth does itself when
    discovery fails for such a URL (``create_plugin(session, (3, 0), auth_url)``).
    """
    if getattr(auth, "_plugin", False) is not None or not hasattr(auth, "create_plugin"):
        return  # not a generic plugin, or already resolved
    auth_url = getattr(auth, "auth_url", None) or ""
    if not urlsplit(auth_url).path.lower().startswith("/v3"):
        return
    plugin = auth.create_plugin(None, (3, 0), auth_url)
    if plugin is not None:
        auth._plugin = plugin


def connect(config, service_type, endpoint_override=None, project_id=None, timeout=None):
    """A ``VbsClient`` on an authenticated openstacksdk session; raises VbsError.

    ``config`` holds the keyword arguments of ``openstack.config.get_cloud_region``.
    """
    try:
        region = auth_cache.cloud_region(openstack_config.get_cloud_region, config)
        _skip_identity_discovery(region.get_auth())
        session = region.get_session()
    except TRANSPORT_ERRORS as exc:  # an unknown auth_type, missing auth options
        raise transport_error(exc, "Reading the cloud configuration")
    try:
        token_project_id = session.get_project_id()
        endpoint = (endpoint_override or region.get_endpoint(service_type)
                    or session.get_endpoint(service_type=service_type,
                                            interface=region.get_interface(service_type),
                                            region_name=region.region_name))
    except TRANSPORT_ERRORS as exc:
        raise transport_error(exc, "Authenticating and finding the '%s' endpoint" % service_type)
    if not endpoint:
        raise VbsError(
            "The service catalog has no '%s' endpoint for interface '%s' in region '%s'. What to "
            "do: set service_type to the catalog type of the VBS API, or give endpoint_override."
            % (service_type, region.get_interface(service_type), region.region_name))
    if not (project_id or token_project_id):
        raise VbsError("The token is not scoped to a project: set project_id, or scope the "
                       "credentials to a project.")
    return VbsClient(session, api_root(endpoint, token_project_id, project_id),
                     timeout=timeout)
