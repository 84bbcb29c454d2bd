# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The connection to the cloud: openstacksdk's configuration, the token, the catalog and the
API roots.

Nothing here knows about Ansible: ``connect`` takes openstacksdk's own configuration keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import importlib
import os
import re
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


# Where the native API is looked for when the service type is "auto", in this order. The VBS
# types serve only backups; the block-storage types serve the same backup calls next to the
# volume and snapshot calls (the v3 ones under /v3).
VBS_TYPES = ("vbsv2", "vbs")
BLOCK_STORAGE_TYPES = ("volumev2", "volumev3", "block-storage")
AUTO = "auto"
AUTO_TYPES = VBS_TYPES + BLOCK_STORAGE_TYPES
API_VERSIONS = {"vbsv2": "v2", "vbs": "v2", "volumev2": "v2", "volume": "v2", "evs": "v2",
                "volumev3": "v3", "block-storage": "v3"}
PROJECT_PLACEHOLDERS = ("%(project_id)s", "$(project_id)s", "{project_id}",
                        "%(tenant_id)s", "$(tenant_id)s", "{tenant_id}")
VERSION_SEGMENT = re.compile(r"/v\d+(\.\d+)?(/|$)")


def api_root(endpoint, token_project_id, project_id, version=None):
    """``…/v2/<project>`` from an endpoint (which may already end with the project).

    Project placeholders (``%(project_id)s``, ``$(tenant_id)s``, ...) become the project;
    ``version`` (``v2``, ``v3``) is added when the URL has no version segment.
    """
    project = project_id or token_project_id
    root = endpoint
    for placeholder in PROJECT_PLACEHOLDERS:
        root = root.replace(placeholder, project)
    root = root.rstrip("/")
    for known in (token_project_id, project_id):
        if known and root.endswith("/" + known):
            return root[: -len(known)] + project
    if version and not VERSION_SEGMENT.search(urlsplit(root).path):
        root += "/" + version
    return root + "/" + project


def _skip_identity_discovery(auth):
    """Spare the ``GET <auth_url>`` of version discovery when auth_url names v3.

    With ``auth_type: password`` (or ``token``) keystoneauth's generic plugin first asks the
    identity service which versions it offers. When the auth_url's last path segment is ``v3``
    (``https://iam.example.com/v3``, devstack's ``http://host/identity/v3``) the answer is
    known: this builds the v3 plugin exactly as keystoneauth does itself when discovery fails
    for such a URL (``create_plugin(session, (3, 0), auth_url)``). Should keystoneauth's
    internals differ from what this expects, nothing is changed and discovery runs as usual.
    """
    try:
        if getattr(auth, "_plugin", False) is not None or not hasattr(auth, "create_plugin"):
            return  # not a generic plugin, or already resolved
        auth_url = getattr(auth, "auth_url", None) or ""
        segments = urlsplit(auth_url).path.rstrip("/").split("/")
        if segments[-1] != "v3":  # keystoneauth itself is case-sensitive here
            return
        plugin = auth.create_plugin(None, (3, 0), auth_url)
    except Exception:  # pylint: disable=broad-except  # keystoneauth changed: discover as usual
        return
    if plugin is not None:
        auth._plugin = plugin


def _config_file(loader=None):
    """The clouds.yaml that openstacksdk read (or would read), for messages."""
    name = getattr(loader, "config_filename", None)
    if name:
        return name
    candidates = [os.environ.get("OS_CLIENT_CONFIG_FILE")]
    candidates.extend(getattr(getattr(openstack_config, "loader", None), "CONFIG_FILES", ()))
    return next((path for path in candidates if path and os.path.isfile(path)), None)


def _wrong_types(loader):
    """``clouds.<name>.<key>`` of switches (cache, insecure) whose value is not a switch."""
    clouds = (getattr(loader, "cloud_config", None) or {}).get("clouds") or {}
    keys = getattr(getattr(openstack_config, "loader", None), "BOOL_KEYS", ("cache", "insecure"))
    return ["clouds.%s.%s" % (name, key) for name, cloud in sorted(clouds.items())
            if isinstance(cloud, dict) for key in keys
            if isinstance(cloud.get(key), (dict, list))]


def _skipped_file(loader):
    """(path, problem) of a clouds.yaml that openstacksdk skipped as unreadable, or None.

    openstacksdk only logs a warning for a file that is not YAML or JSON and goes on without
    it, so the task would fail for want of credentials without naming the file.
    """
    if loader is None or getattr(loader, "config_filename", None):
        return None
    path = _config_file()
    if not path:
        return None
    try:
        import yaml  # openstacksdk's own dependency
        with open(path) as handle:
            yaml.safe_load(handle)
    except Exception as exc:  # pylint: disable=broad-except
        return path, " ".join(str(exc).split())[:200]
    return None


@contextlib.contextmanager
def _sys_path_without_archives():
    """sys.path without the zip archives on it (Ansible's module payload) for the block inside.

    keystoneauth finds its auth plugins through stevedore, which caches the entry points of
    sys.path in a file named after sys.path. Under Ansible, sys.path starts with the task's own
    payload archive, so the cache never matched: each task scanned every installed distribution
    (~20 ms) and left one more file in ~/.cache/python-entrypoints. The payload holds no
    distribution; the packages it holds are imported by then, and their submodules import
    through the package, not through sys.path.
    """
    saved = sys.path[:]
    sys.path[:] = [entry for entry in saved if not os.path.isfile(entry)]
    try:
        yield
    finally:
        sys.path[:] = saved


def read_config(config):
    """openstacksdk's ``CloudRegion`` and a keystoneauth session for ``config``; raises VbsError.

    ``config`` holds the keyword arguments of ``openstack.config.get_cloud_region``. Whatever
    openstacksdk raises while reading the configuration becomes one line naming the file.
    """
    loader = None
    try:
        loader = openstack_config.OpenStackConfig()
        with _sys_path_without_archives():  # also spares importlib.metadata reading the archive
            region = auth_cache.cloud_region(loader.get_one, config)  # cache: {auth: true}
            _skip_identity_discovery(region.get_auth())
            return region, region.get_session()
    except Exception as exc:  # pylint: disable=broad-except  # any openstacksdk failure, one line
        skipped = _skipped_file(loader)
        if skipped:
            raise VbsError("Reading the cloud configuration failed: openstacksdk skipped %s, "
                           "which is not valid YAML (%s). What to do: correct that file."
                           % skipped)
        if isinstance(exc, TRANSPORT_ERRORS):  # an unknown auth_type, missing auth options
            raise transport_error(exc, "Reading the cloud configuration")
        path = _config_file(loader)
        if isinstance(exc, openstack_exceptions.SDKException):
            problem = " ".join(str(exc).split()).rstrip(".")
        else:
            problem = "%s: %s" % (type(exc).__name__, " ".join(str(exc).split()).rstrip("."))
        wrong = _wrong_types(loader)
        raise VbsError(
            "Reading the cloud configuration failed: %s%s. What to do: %s." % (
                problem[:300], " (file %s)" % path if path else "",
                "%s must be true or false; settings such as cache belong at the top of the "
                "file, not under a cloud" % " and ".join(wrong) if wrong else
                "check the cloud name and its settings in %s, or OS_CLOUD and the OS_* "
                "variables" % (path or "clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, "
                               "~/.config/openstack/, /etc/openstack/)")))


class Catalog:
    """The token's service catalog, looked up by exact type (no aliases) for one region."""

    def __init__(self, region, session):
        self.region = region
        self.region_name = region.region_name
        self.access = session.auth.get_access(session)
        self._by_interface = {}

    def interface(self, service_type=None):
        return self.region.get_interface(service_type) or "public"

    def url(self, service_type):
        """The endpoint of ``service_type``: a configured override, else the catalog's."""
        configured = self.region.get_endpoint(service_type)
        if configured:
            return configured
        interface = self.interface(service_type)
        key = tuple(interface) if isinstance(interface, list) else interface
        if key not in self._by_interface:
            found = self.access.service_catalog.get_endpoints_data(
                interface=interface, region_name=self.region_name or None)
            self._by_interface[key] = dict((kind, data[0].catalog_url)
                                           for kind, data in found.items() if data)
        return self._by_interface[key].get(service_type)

    def first(self, service_types):
        """(type, url) of the first of ``service_types`` the catalog has, or (None, None)."""
        for service_type in service_types:
            url = self.url(service_type)
            if url:
                return service_type, url
        return None, None

    def where(self):
        return "region '%s' (interface %s)" % (self.region_name or "(none set)",
                                               self.interface())


def _same_root(one, other):
    return bool(one and other) and one.rstrip("/") == other.rstrip("/")


def _vbs_only(override_root, catalog, root_of):
    """Whether an endpoint_override root is a VBS-only host (no /volumes there).

    True when it is the catalog's ``vbsv2`` or ``vbs`` root, or its host is ``vbs.…`` as on
    the public clouds (vbs.eu-de.otc.t-systems.com, vbs.<region>.myhuaweicloud.com).
    """
    for service_type in VBS_TYPES:
        url = catalog.url(service_type)
        if url and _same_root(root_of(url, API_VERSIONS[service_type]), override_root):
            return True
    host = urlsplit(override_root).hostname or ""
    return host.split(".")[0].lower() == "vbs"


def find_roots(catalog, service_type, endpoint_override, root_of):
    """(backup root, volume root or None, backup type) for the task; raises VbsError.

    Backups: ``endpoint_override``, else the exact catalog type asked for, else (``auto``)
    the first of AUTO_TYPES. Volumes and snapshots: the block-storage root when backups use
    one, else the catalog's first block-storage type; an ``endpoint_override`` that is not a
    VBS-only host (a Cinder, EVS, or a proxy in front of one) also serves them.
    """
    if endpoint_override:
        backups = root_of(endpoint_override, None)
        if not _vbs_only(backups, catalog, root_of):
            return backups, backups, "endpoint_override"
        kind = "endpoint_override"
    elif service_type == AUTO:
        kind, url = catalog.first(AUTO_TYPES)
        if not url:
            raise VbsError(
                "The service catalog of %s has no VBS or block-storage endpoint: looked for %s. "
                "What to do: check region_name and interface (on Open Telekom Cloud, VBS is "
                "offered in eu-de only), or give endpoint_override."
                % (catalog.where(), ", ".join(AUTO_TYPES)))
        backups = root_of(url, API_VERSIONS[kind])
    else:
        kind, url = service_type, catalog.url(service_type)
        if not url:
            raise VbsError(
                "The service catalog of %s has no '%s' endpoint. What to do: set service_type "
                "to auto or to the catalog type of the VBS API, or give endpoint_override."
                % (catalog.where(), service_type))
        backups = root_of(url, API_VERSIONS.get(kind))
    if kind in BLOCK_STORAGE_TYPES:
        return backups, backups, kind
    volume_type, url = catalog.first(BLOCK_STORAGE_TYPES)
    return backups, url and root_of(url, API_VERSIONS[volume_type]), kind


def connect(config, service_type, endpoint_override=None, project_id=None, timeout=None):
    """A ``VbsClient`` on an authenticated openstacksdk session; raises VbsError.

    ``config`` holds the keyword arguments of ``openstack.config.get_cloud_region``;
    ``service_type`` is a catalog type or ``auto`` (see ``find_roots``). The client's
    ``endpoints`` say which roots it uses.
    """
    region, session = read_config(config)
    operation = "Authenticating and finding the '%s' endpoint" % service_type
    try:
        token_project_id = session.get_project_id()
        catalog = Catalog(region, session)
        if not (project_id or token_project_id):
            raise VbsError("The token is not scoped to a project: set project_id, or scope the "
                           "credentials to a project.")

        def root_of(url, version):
            return api_root(url, token_project_id, project_id, version)

        backups, volumes, _kind = find_roots(catalog, service_type, endpoint_override, root_of)
    except TRANSPORT_ERRORS as exc:
        raise transport_error(exc, operation)
    return VbsClient(session, backups, timeout=timeout, volume_root=volumes,
                     volume_root_missing=None if volumes else (
                         "The service catalog of %s has no block-storage endpoint (looked for %s) "
                         "for the volume and snapshot calls. What to do: use a region whose "
                         "catalog lists one, or point endpoint_override at the block-storage "
                         "API." % (catalog.where(), ", ".join(BLOCK_STORAGE_TYPES))))
