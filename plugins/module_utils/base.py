# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Ansible glue shared by the modules: options, connection through openstacksdk, results."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import re

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.vbs.cloud.plugins.module_utils.connection import (
    OPENSTACK_IMPORT_ERROR, connect,
)
from ansible_collections.vbs.cloud.plugins.module_utils.errors import InputError, VbsError
from ansible_collections.vbs.cloud.plugins.module_utils.records import backup_record
from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_id


# The options of openstack.cloud's common fragment, with the same names and meaning, plus where
# to find the VBS API. None is required: clouds.yaml, OS_CLOUD and OS_* variables also work.
CONNECTION_SPEC = dict(
    cloud=dict(type="raw"),
    auth=dict(type="dict", no_log=True),
    auth_type=dict(type="str"),
    region_name=dict(type="str"),
    validate_certs=dict(type="bool", aliases=["verify"]),
    ca_cert=dict(type="str", aliases=["cacert"]),
    client_cert=dict(type="str", aliases=["cert"]),
    client_key=dict(type="str", no_log=True, aliases=["key"]),
    api_timeout=dict(type="int"),
    interface=dict(type="str", default="public", choices=["admin", "internal", "public"],
                   aliases=["endpoint_type"]),
    sdk_log_path=dict(type="str"),
    sdk_log_level=dict(type="str", default="INFO", choices=["INFO", "DEBUG"]),
    service_type=dict(type="str", default="auto"),
    endpoint_override=dict(type="str"),
    project_id=dict(type="str"),
)

# Keys of a cloud dict whose values are secrets: masked like no_log options.
SECRET_KEYS = frozenset((
    "password", "token", "application_credential_secret", "secret", "passcode", "totp",
    "key", "client_secret", "access_token", "refresh_token",
    "sk", "secret_key",  # AK/SK clouds (not supported, but their secret key is never echoed)
))


def _secret_values(value, key=None):
    if isinstance(value, dict):
        for inner_key, inner in value.items():
            yield from _secret_values(inner, inner_key)
    elif key in SECRET_KEYS and value not in (None, ""):
        yield str(value)


# Options that openstacksdk reads into the cloud configuration: a cloud dict replaces them all,
# so giving one of them as well is refused (as openstack.cloud does).
CLOUD_DICT_CONFLICTS = ("auth", "auth_type", "region_name", "validate_certs", "ca_cert",
                        "client_cert", "client_key", "api_timeout", "interface")

# Keys of a cloud dict whose type openstacksdk does not check itself: (types, expected, rule).
SWITCH = ((bool, str), "true or false", "true or false")
PEM = ((str,), "a path", "the path of a readable PEM file")
CLOUD_DICT_TYPES = {
    "auth": ((dict,), "a dict",
             "a dict of the auth plugin's values, such as auth_url and username"),
    "auth_type": ((str,), "a name", "the name of a keystoneauth plugin, such as password"),
    "region_name": ((str,), "a name", "the name of a region"),
    "verify": ((bool, str), "true or false", "true or false (or the path of a CA bundle)"),
    "insecure": SWITCH,
    "cache": ((bool, str), "true or false",
              "true or false; cache settings (a dict) belong at the top of clouds.yaml"),
    "interface": ((str, list), "public, internal or admin", "public, internal or admin"),
    "cacert": PEM, "cert": PEM, "key": PEM,
}


def _given(raw, spec):
    """Names of the options of ``spec`` the task sets (an alias counts as its option)."""
    names = set()
    for name, option in spec.items():
        for key in [name] + list(option.get("aliases", ())):
            if raw.get(key) is not None:
                names.add(name)
    return names


def check_cloud_dict(cloud, given=()):
    """A cloud dict next to explicit connection options, or a bad value in it; raises InputError."""
    conflicts = [name for name in CLOUD_DICT_CONFLICTS if name in given]
    if conflicts:
        raise InputError("cloud", "a cloud dict replaces the connection options, yet %s %s set "
                                  "too" % (", ".join(conflicts),
                                           "is" if len(conflicts) == 1 else "are"),
                         "give either a cloud dict, or a cloud name with the other options")
    for key, (kinds, expected, rule) in CLOUD_DICT_TYPES.items():
        value = cloud.get(key)
        if value is not None and not isinstance(value, kinds):
            raise InputError("cloud.%s" % key, "expected %s, got a %s" % (
                expected, type(value).__name__), rule)
    interface = cloud.get("interface")
    if isinstance(interface, str) and interface.replace("URL", "") not in (
            "public", "internal", "admin"):
        raise InputError("cloud.interface", "%r is not an interface" % interface[:64],
                         "public, internal or admin")
    verify = cloud.get("verify")
    if isinstance(verify, str) and not os.path.isfile(verify):
        raise InputError("cloud.verify", "%r is neither true nor false" % verify[:64],
                         "true or false (or the path of a CA bundle)")
    timeout = cloud.get("api_timeout")
    if timeout is not None:
        try:
            seconds = float(timeout)
        except (TypeError, ValueError):
            seconds = None
        if isinstance(timeout, bool) or seconds is None or not math.isfinite(seconds) or seconds <= 0:
            raise InputError("cloud.api_timeout", "%r is not a number of seconds more than 0"
                             % (timeout if not isinstance(timeout, str) else timeout[:64]),
                             "seconds, more than 0")
    for key in ("cacert", "cert", "key"):
        path = cloud.get(key)
        if path is not None and not (os.path.isfile(path) and os.access(path, os.R_OK)):
            raise InputError("cloud.%s" % key, "the file does not exist or cannot be read",
                             "the path of a readable PEM file")


URL_PATTERN = re.compile(r"\Ahttps?://[^/\s?#]+(/\S*)?\Z")
TOKEN_PATTERN = re.compile(r"\A[A-Za-z0-9_.:-]+\Z")


def check_connection(params, given=()):
    """Connection options that would fail, or fail obscurely, once sent; raises InputError.

    ``given`` names the options the task set (not their defaults).
    """
    cloud = params["cloud"]
    if isinstance(cloud, dict):
        check_cloud_dict(cloud, given)
    if cloud is not None and not isinstance(cloud, dict):
        if not isinstance(cloud, str) or not cloud.strip() or not cloud.isprintable():
            raise InputError("cloud", "expected the name of a cloud of clouds.yaml or a dict, got "
                                      "%s" % (repr(cloud) if isinstance(cloud, str)
                                              else type(cloud).__name__),
                             "a non-empty cloud name, or a dict of cloud settings")
    if params["api_timeout"] is not None and params["api_timeout"] <= 0:
        raise InputError("api_timeout", "%d is not positive" % params["api_timeout"],
                         "seconds, more than 0")
    for option in ("ca_cert", "client_cert", "client_key"):
        path = params[option]
        if path is not None and not (os.path.isfile(path) and os.access(path, os.R_OK)):
            raise InputError(option, "the file does not exist or cannot be read",
                             "the path of a readable PEM file")
    if not TOKEN_PATTERN.match(params["service_type"] or ""):
        raise InputError("service_type", "%r is not a catalog type" % params["service_type"],
                         "auto, or a service type of the catalog such as vbsv2 or volumev2")
    override = params["endpoint_override"]
    if override is not None and not URL_PATTERN.match(override):
        raise InputError("endpoint_override", "%r is not an http(s) URL" % override,
                         "the URL of the VBS API, such as "
                         "https://evs.example.com/v2/%(project_id)s")


class _AnsibleModule(AnsibleModule):
    """AnsibleModule that masks the secrets of a ``cloud`` dict from the start.

    ``cloud`` is a raw option (a name or a dict), so Ansible knows nothing secret in it; its
    secrets must be no_log values before Ansible validates the arguments, since a validation
    failure (an option of the wrong type, say) reports every argument as the invocation.
    """

    def _load_params(self):
        super(_AnsibleModule, self)._load_params()
        self.no_log_values.update(_secret_values(self.params.get("cloud")))
        self.given_options = _given(self.params, CONNECTION_SPEC)

    def _log_to_syslog(self, msg):
        # Python 3.12 and newer refuse a NUL in a syslog message, and Ansible then fails the task
        # with "Failed to log to syslog" before the module sees its input: escaped, the module's
        # own checks name the option with the NUL, as on older Pythons.
        super(_AnsibleModule, self)._log_to_syslog(msg.replace("\x00", "\\x00"))


class VbsModule:
    """Base of the modules: subclasses set ``argument_spec`` and implement ``run()``."""

    argument_spec = {}
    module_kwargs = {}

    def __init__(self):
        spec = dict(CONNECTION_SPEC)
        spec.update(self.argument_spec)
        self.ansible = _AnsibleModule(argument_spec=spec, supports_check_mode=True,
                                      **self.module_kwargs)
        self.params = self.ansible.params
        self.check_mode = self.ansible.check_mode
        self._client = None

    @property
    def client(self):
        """Connects on first use, so that input errors never cost a request."""
        if self._client is None:
            if OPENSTACK_IMPORT_ERROR:
                self.ansible.fail_json(msg=missing_required_lib("openstacksdk"),
                                       exception=OPENSTACK_IMPORT_ERROR)
            params = self.params
            check_connection(params, getattr(self.ansible, "given_options", ()))
            self._enable_sdk_logging()
            self._client = connect(
                self.cloud_config(), params["service_type"],
                endpoint_override=params["endpoint_override"],
                project_id=params["project_id"], timeout=params.get("timeout"))
        return self._client

    def cloud_config(self):
        """The task's connection options as ``openstack.config.get_cloud_region`` arguments."""
        params = self.params
        if isinstance(params["cloud"], dict):
            return params["cloud"]
        return dict(
            cloud=params["cloud"], auth_type=params["auth_type"], auth=params["auth"],
            region_name=params["region_name"], verify=params["validate_certs"],
            cacert=params["ca_cert"], cert=params["client_cert"], key=params["client_key"],
            api_timeout=params["api_timeout"], interface=params["interface"])

    def _enable_sdk_logging(self):
        if self.params["sdk_log_path"]:
            import openstack
            debug = self.params["sdk_log_level"] == "DEBUG"
            try:
                openstack.enable_logging(debug=debug, http_debug=debug,
                                         path=self.params["sdk_log_path"])
            except OSError as exc:
                raise InputError("sdk_log_path", "the file cannot be written (%s)" % exc.strerror,
                                 "a path in a writable directory")

    def check_ids(self, *options):
        for option in options:
            if self.params[option] is not None:
                check_id(self.params[option], option)

    def resolve(self, option, id_option, kind="volume", volume_id=None):
        """Set ``id_option`` from ``option``, a name or an ID (openstack.cloud's ``volume`` and
        ``snapshot``), looked up through the block-storage API; returns the record, or None when
        ``option`` is not set (no request then). ``kind`` is ``volume`` or ``snapshot``; a
        snapshot name is looked up among the snapshots of ``volume_id`` when it is given.
        Fails when the value names no record, or a name names several."""
        value = self.params.get(option)
        if value is None:
            return None
        if not value.strip():
            raise InputError(option, "it is empty", "the name or the ID of a %s" % kind)
        if kind == "snapshot":
            found = self.client.find_snapshots(value, volume_id)
            where = " of volume %s" % volume_id if volume_id else ""
        else:
            found = self.client.find_volumes(value)
            where = ""
        if not found:
            raise VbsError(
                "No %s%s has the name or ID '%s' (%s). Nothing was done. What to do: check %s: "
                "the name or the ID of an existing %s in this project and region."
                % (kind, where, value, option, option, kind))
        if len(found) > 1:
            raise VbsError(
                "%d %ss%s are named '%s' (%s): %s. Nothing was done. What to do: give the ID of "
                "one of them in %s (or %s)." % (
                    len(found), kind, where, value, option,
                    ", ".join("%s (%s)" % (r.get("id"), r.get("status"))
                              for r in sorted(found, key=lambda r: r.get("id") or "")),
                    id_option, option))
        self.params[id_option] = found[0]["id"]
        return found[0]

    def run(self):
        raise NotImplementedError

    def __call__(self):
        try:
            result = self.run()
        except VbsError as exc:
            failure = {"msg": str(exc)}
            if exc.data is not None:
                failure["error"] = exc.data
            resource = getattr(exc, "backup", None)
            if resource:
                failure.update(backup=backup_record(resource), backup_id=resource.get("id"))
            volume = getattr(exc, "volume", None)
            if volume:
                failure["volume"] = volume
            if exc.changed:  # the service accepted a write before the task failed
                failure["changed"] = True
            failure.update(getattr(exc, "result", None) or {})  # more the module knows
            self.ansible.fail_json(**self._with_retries(failure))
        self.ansible.exit_json(**self._with_retries(result))

    def _with_retries(self, result):
        """Report the API roots of the task and the retries made on the way, if any."""
        if self._client is not None:
            result.setdefault("endpoints", dict(self._client.endpoints))
            if self._client.retries:
                result["retries"] = self._client.retries
        return result
