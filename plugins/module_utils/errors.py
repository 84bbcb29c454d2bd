# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of the VBS API: their shapes, the table of hints, and how answers become them.

Nothing here knows about Ansible; the glue turns these errors into task results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from keystoneauth1 import exceptions as keystoneauth_exceptions
except ImportError:  # reported by the module as a missing openstacksdk
    keystoneauth_exceptions = None
    TRANSPORT_ERRORS = ()
else:
    TRANSPORT_ERRORS = (keystoneauth_exceptions.ClientException,)


class VbsError(Exception):
    """Base of every error this collection reports; ``data`` goes into the task result."""

    data = None


class InputError(VbsError):
    """A task value breaks a rule of the API; raised before any request."""

    def __init__(self, option, problem, rule):
        super(InputError, self).__init__(
            "Invalid value for option '%s': %s. Rule: %s." % (option, problem, rule))
        self.data = {"option": option, "problem": problem, "rule": rule}


class BackupStateError(VbsError):
    """The service reports a backup or volume in a state the task cannot accept."""

    def __init__(self, message, backup=None, volume=None):
        super(BackupStateError, self).__init__(message)
        self.backup = backup
        self.volume = volume


class UnknownOutcome(VbsError):
    """A write whose answer was lost or was a 5xx: it may or may not have happened."""

    def __init__(self, operation, reason, error=None, what_to_do=None):
        detail = error.line(hint=False) if error else "%s failed: %s" % (operation, reason)
        message = ("%s. Whether the service carried it out is unknown, so it was not sent again."
                   % detail)
        super(UnknownOutcome, self).__init__(
            message + (" What to do: %s." % what_to_do if what_to_do else ""))
        self.operation = operation
        self.reason = reason
        self.error = error
        self.data = error.data if error else None


class WaitTimeout(BackupStateError):
    """A wait ran past the task's timeout; the operation goes on in the cloud."""


class AmbiguousName(VbsError):
    """Several backups of a disk carry the name the task gave."""

    def __init__(self, name, volume_id, backups):
        super(AmbiguousName, self).__init__(
            "%d backups named '%s' exist on volume %s: %s. Nothing was done. What to do: give "
            "backup_id, or delete the extra backups." % (
                len(backups), name, volume_id, ", ".join(
                    "%s (%s)" % (b["id"], b.get("status"))
                    for b in sorted(backups, key=lambda b: b["id"]))))


HINTS_BY_CODE = {
    "VolumeBackup.0012": "the disk must be 'available', or 'in-use' with force: true",
    "VolumeBackup.0013": "the disk's previous backup is still running: wait for it to finish, then run the task again",
    "VolumeBackup.0021": "check volume_id: the disk does not exist in this project",
    "VolumeBackup.0040": "the disk has reached its limit of 20 backups: delete old backups first",
    "VolumeBackup.0080": "the backup quota is used up: delete old backups or ask for a larger quota",
    "VolumeBackup.0081": "the backup quota is used up: delete old backups or ask for a larger quota",
    "VolumeBackup.0053": "this disk type cannot be backed up by VBS",
    "VolumeBackup.0064": "the backup is in an error state: delete it and create a new one",
    "VolumeBackup.0113": "the backup was used to create an image: delete the image first",
    "VolumeBackup.0206": "a backup of the disk is being created: wait for it to finish",
    "VolumeBackup.0209": "the target disk is smaller than the backup: restore onto a larger disk",
    "VolumeBackup.0205": "the target disk must be 'available'",
}

HINTS_BY_STATUS = {
    400: "check the task's values against the VBS API rules",
    401: "authentication failed or the token expired: check the credentials "
         "(clouds.yaml, auth, OS_* variables or the AWX credential)",
    403: "the user lacks the rights for this operation in this project: check its roles and policies",
    404: "check the IDs, project_id and the endpoint (service_type, endpoint_override)",
    405: "the endpoint does not offer this call: check that service_type or endpoint_override "
         "points at the VBS (block-storage v2) API",
    406: "the endpoint refused to answer in JSON: check endpoint_override",
    407: "a proxy between Ansible and the cloud asks for authentication: "
         "set its credentials in https_proxy",
    408: "the request timed out: run the task again, or raise api_timeout",
    409: "the resource is busy or in a conflicting state: wait and run the task again",
    413: "a rate or size limit was hit: run the task again later",
    429: "too many requests: run the task again later",
    500: "the service failed: run the task again later; if it persists, "
         "give the request ID to the cloud's support",
    501: "the endpoint does not implement this call: check service_type or endpoint_override",
    502: "a gateway in front of the service failed: run the task again later",
    503: "the service is unavailable: run the task again later",
    504: "a gateway timed out waiting for the service: check whether the operation happened, "
         "then run the task again",
}


def _envelope(body):
    """Return (code, message) from any error body the cloud may send."""
    if not isinstance(body, dict):
        return None, None
    if "error_code" in body or "error_msg" in body:  # API gateway style
        return body.get("error_code"), body.get("error_msg")
    if len(body) == 1:
        key, inner = next(iter(body.items()))
        if isinstance(inner, dict) and ("message" in inner or "code" in inner):
            code = inner.get("code")
            if code is None or isinstance(code, int):  # Cinder repeats the HTTP status
                code = key if key != "error" else inner.get("title") or key
            return code, inner.get("message")
    if "message" in body:
        return body.get("code"), body.get("message")
    return None, None


class ApiError(VbsError):
    """A non-2xx answer, as one line for the playbook and as data."""

    def __init__(self, operation, status, reason=None, code=None, message=None,
                 request_id=None, hint=None):
        self.operation = operation
        self.status = status
        self.reason = reason
        self.code = code
        self.message = message
        self.request_id = request_id
        self.hint = hint or HINTS_BY_CODE.get(code) or HINTS_BY_STATUS.get(status)
        self.data = {"status": status, "code": code, "message": message, "request_id": request_id}
        super(ApiError, self).__init__(self.line())

    def line(self, hint=True):
        head = "%s failed: HTTP %s" % (self.operation, self.status)
        if self.reason:
            head += " " + self.reason
        if self.code or self.message:
            head += "; service error %s: %s" % (
                self.code or "(no code)", self.message or "(no message)")
        if self.request_id:
            head += " (request ID %s)" % self.request_id
        return head + (". What to do: %s." % self.hint if hint and self.hint else "")

    @classmethod
    def from_response(cls, operation, response):
        try:
            body = response.json()
        except ValueError:
            body = None
        code, message = _envelope(body)
        if message is None and response.text and body is None:
            message = " ".join(response.text.split())[:200]
        request_id = (response.headers.get("X-Openstack-Request-Id")
                      or response.headers.get("X-Compute-Request-Id")
                      or response.headers.get("X-Request-Id"))
        return cls(operation, response.status_code, response.reason, code, message, request_id)


def transport_error(exc, operation):
    """Shape a keystoneauth exception (auth, catalog, TLS, connection) as a VbsError."""
    status = getattr(exc, "http_status", None)
    kind = type(exc).__name__
    if status:  # Keystone answered with an HTTP error
        return ApiError(operation, status, code=kind, message=getattr(exc, "message", None),
                        request_id=getattr(exc, "request_id", None),
                        hint=HINTS_BY_STATUS[401] if status == 401 else None)
    hints = {
        "EndpointNotFound": "set service_type to the catalog type of the VBS API, or give "
                            "endpoint_override",
        "MissingRequiredOptions": "give credentials: cloud, auth, OS_CLOUD, the OS_* variables or "
                                  "a clouds.yaml (OS_CLIENT_CONFIG_FILE)",
        "MissingAuthPlugin": "give credentials: cloud, auth, OS_CLOUD, the OS_* variables or a "
                             "clouds.yaml (OS_CLIENT_CONFIG_FILE)",
        "SSLError": "set ca_cert to the CA bundle that signed the endpoint's certificate "
                    "(validate_certs: false only for testing)",
        "ConnectFailure": "check the URL, the network and any proxy between Ansible and the cloud",
        "ConnectTimeout": "check the URL, the network and any proxy; raise api_timeout if slow",
        "ReadTimeout": "the service did not answer in time: check whether the operation happened, "
                       "then run the task again",
    }
    hint = next((text for name, text in hints.items()
                 if any(cls.__name__ == name for cls in type(exc).__mro__)), None)
    text = "%s failed: %s: %s" % (operation, kind, " ".join(str(exc).split()))
    return VbsError(text + ("." if not hint else ". What to do: %s." % hint))
