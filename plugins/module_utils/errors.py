# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of the VBS API: their shapes, the table of hints, and how answers become them.

Nothing here knows about Ansible; the glue turns these errors into task results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client as http_client

try:
    from keystoneauth1 import exceptions as keystoneauth_exceptions
    from requests import exceptions as requests_exceptions
except ImportError:  # reported by the module as a missing openstacksdk
    keystoneauth_exceptions = requests_exceptions = None
    TRANSPORT_ERRORS = ()
else:
    TRANSPORT_ERRORS = (keystoneauth_exceptions.ClientException,)


class VbsError(Exception):
    """Base of every error this collection reports; ``data`` goes into the task result.

    ``changed`` is set when the service had accepted a write before the task failed (a create
    whose wait then failed, say): the failure then reports ``changed: true``.
    """

    data = None
    changed = False


class InputError(VbsError):
    """A task value breaks a rule of the API; raised before any request."""

    def __init__(self, option, problem, rule):
        super(InputError, self).__init__(
            "Invalid value for option '%s': %s. Rule: %s." % (option, problem, rule))
        self.data = {"option": option, "problem": problem, "rule": rule}


class BackupStateError(VbsError):
    """The service reports a backup, volume or snapshot in a state the task cannot accept."""

    def __init__(self, message, backup=None, volume=None, snapshot=None):
        super(BackupStateError, self).__init__(message)
        self.backup = backup
        self.volume = volume
        self.snapshot = snapshot


class UnknownOutcome(VbsError):
    """A write whose answer was lost or was a 5xx: it may or may not have happened."""

    def __init__(self, operation, reason, error=None, what_to_do=None, sent=1):
        detail = error.line(hint=False) if error else "%s failed: %s" % (operation, reason)
        if sent > 1:
            detail += (". The request was sent %d times; the earlier ones never reached the "
                       "service or were refused" % sent)
        message = ("%s. Whether the service carried it out is unknown, so it was not sent again."
                   % detail)
        super(UnknownOutcome, self).__init__(
            message + (" What to do: %s." % what_to_do if what_to_do else ""))
        self.operation = operation
        self.reason = reason
        self.error = error
        self.data = error.data if error else None
        self.sent = sent


class GaveUp(VbsError):
    """A create given up; the message says how many times it was sent and what was found.

    ``error`` is the last ApiError answered, if any (its data goes into the result).
    """

    def __init__(self, message, error=None):
        super(GaveUp, self).__init__(message)
        self.error = error
        self.data = getattr(error, "data", None)


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


# The error codes of the service, what they mean and what to do: the one table. The hints of
# the task messages (HINTS_BY_CODE below) and the "Error codes" section of
# docs/docsite/rst/troubleshooting.rst (written by tools/docs_errors.py; a unit test fails when the
# page is out of date) both come from it. Sections follow the error-code appendix of the VBS API
# (opentelekomcloud-docs/volume-backup-service, api-ref/source/appendix/error_codes.rst), every
# VolumeBackup code of it included; AutoBackup codes belong to backup policies, which this
# collection does not call. Each entry is (codes, meaning, what to do): the meaning is a
# sentence, "what to do" ends the line "... What to do: <it>." (no capital, no full stop).
_SERVICE_FAILED = ("run the task again later; if it persists, give the request ID to the "
                   "cloud's support")
_NOT_EXPECTED = ("the service did not understand the request: report it to vbs.cloud with the "
                 "task and the request ID")
_DISK_QUOTA = ("the service needs a temporary disk of the same type: delete unused disks, or ask "
               "for a larger disk quota")
_SNAPSHOT_QUOTA = "delete unused snapshots, or ask for a larger snapshot quota"
_BACKUP_QUOTA = "delete old backups, or ask for a larger backup quota"
_RIGHTS = ("give the user the VBS (and EVS) roles or policies for this project, or use "
           "another user")

ERROR_CODES = (
    ("Any operation", (
        (("common.0011",), "The service failed to query its task.", _SERVICE_FAILED),
        (("VolumeBackup.0014",), "The service failed to submit the task.", _SERVICE_FAILED),
        (("VolumeBackup.0041",), "The service failed to check the user's rights.",
         _SERVICE_FAILED),
        (("VolumeBackup.0042", "VolumeBackup.0044"),
         "The user lacks the rights for the operation, or its rights are invalid.", _RIGHTS),
    )),
    ("Creating a backup", (
        (("VolumeBackup.0002",), "The request format is incorrect.", _NOT_EXPECTED),
        (("VolumeBackup.0003",), "The backup name is too long.",
         "use a name of at most 64 characters"),
        (("VolumeBackup.0004",), "The backup name contains invalid characters.",
         "use only ASCII letters, digits, '_' and '-' in the name"),
        (("VolumeBackup.0005",), "The backup name starts with 'auto'.",
         "choose a name that does not start with 'auto', which is kept for automatic backups"),
        (("VolumeBackup.0006",), "The description is too long or contains invalid characters.",
         "use a description of at most 255 characters without '<' or '>'"),
        (("VolumeBackup.0007", "VolumeBackup.0026"), "The backup name is empty or too short.",
         "give a name of 1 to 64 characters"),
        (("VolumeBackup.0008",), "The service failed to obtain the permission.", _SERVICE_FAILED),
        (("VolumeBackup.0009",), "The service failed to obtain the key.",
         "for an encrypted disk, check that its KMS key exists and is enabled; then run the "
         "task again, and if it persists, give the request ID to the cloud's support"),
        (("VolumeBackup.0010",), "The volume_id of the request is empty.",
         "give volume_id, the ID of the disk to back up"),
        (("VolumeBackup.0011",), "The volume_id of the request has an incorrect format.",
         "check volume_id: the ID (a UUID) of a disk of this project"),
        (("VolumeBackup.0012",), "The disk is neither 'available' nor 'in-use'.",
         "the disk must be 'available', or 'in-use' with force: true; wait until it is, "
         "then run the task again"),
        (("VolumeBackup.0013",), "The previous backup of the disk is not complete: VBS makes "
                                 "one backup of a disk at a time.",
         "the disk's previous backup is still running: wait for it to finish (wait: true "
         "does), then run the task again"),
        (("VolumeBackup.0015",), "The snapshot is not a snapshot of the disk given (this code "
                                 "is not in the appendix).",
         "check snapshot_id: give a snapshot of the disk named by volume_id, or leave "
         "snapshot_id out so that the module makes one"),
        (("VolumeBackup.0017", "VolumeBackup.0018"),
         "The service failed to create the snapshot, or got no result.",
         "check the disk's status and the snapshot quota, then run the task again; if it "
         "persists, give the request ID to the cloud's support"),
        (("VolumeBackup.0019",), "The service failed to query the snapshot.",
         "check that snapshot_id is 'available', then run the task again; if it persists, "
         "give the request ID to the cloud's support"),
        (("VolumeBackup.0020",), "The snapshot was not found.",
         "check snapshot_id: an existing snapshot of the disk, in this project and region"),
        (("VolumeBackup.0021",), "The disk does not exist or has been deleted.",
         "check volume_id: the disk does not exist in this project and region"),
        (("VolumeBackup.0022", "VolumeBackup.0023", "VolumeBackup.0024", "VolumeBackup.0025",
          "VolumeBackup.0038", "VolumeBackup.0063"),
         "The service failed to create or query its temporary disk, or that disk is in "
         "'error'.", _SERVICE_FAILED),
        (("VolumeBackup.0027", "VolumeBackup.0028"),
         "The service failed to create the backup, or got no result.",
         "list the disk's backups (vbs_backup_info) and delete any in 'error', then run the "
         "task again; if it persists, give the request ID to the cloud's support"),
        (("VolumeBackup.0029", "VolumeBackup.0030", "VolumeBackup.0035", "VolumeBackup.0036",
          "VolumeBackup.0037", "VolumeBackup.0039", "VolumeBackup.0043"),
         "A query inside the service (of disks, snapshots or backups) failed or found nothing.",
         _SERVICE_FAILED),
        (("VolumeBackup.0040",), "The disk has reached its limit of 20 backups.",
         "the disk has reached its limit of 20 backups: delete old backups of it first"),
        (("VolumeBackup.0049", "VolumeBackup.0050"),
         "The tags are invalid, or there are too many.",
         "remove tags from the disk (or from its backups), then run the task again; vbs.cloud "
         "sends no tags itself"),
        (("VolumeBackup.0053",), "VBS cannot back up this disk type (DESS disks).",
         "back the disk up another way, for example with CBR"),
        (("VolumeBackup.0062",), "The snapshot is in status 'error'.",
         "delete the snapshot and back up from a new snapshot of the disk"),
        (("VolumeBackup.0064",), "The backup is in status 'error'.",
         "the backup is in an error state: delete it and create a new one"),
        (("VolumeBackup.0070",), "The service failed to query the quotas.", _SERVICE_FAILED),
        (("VolumeBackup.0071", "VolumeBackup.0072", "VolumeBackup.0073", "VolumeBackup.0074",
          "VolumeBackup.0075", "VolumeBackup.0076", "VolumeBackup.0082", "VolumeBackup.0083"),
         "The quota for the number or capacity of disks (of a type: SAS, SATA, SSD) is used up.",
         _DISK_QUOTA),
        (("VolumeBackup.0077", "VolumeBackup.0078", "VolumeBackup.0079", "VolumeBackup.0084"),
         "The quota for the number of snapshots (of a disk type) is used up.", _SNAPSHOT_QUOTA),
        (("VolumeBackup.0080", "VolumeBackup.0081"),
         "The quota for the number or capacity of backups is used up.",
         "the backup quota is used up: " + _BACKUP_QUOTA),
    )),
    ("Deleting a backup", (
        (("VolumeBackup.0100", "VolumeBackup.0101", "VolumeBackup.0102", "VolumeBackup.0125"),
         "The service failed to delete the backup (or its snapshot), or to submit the deletion.",
         _SERVICE_FAILED),
        (("VolumeBackup.0103", "VolumeBackup.0104", "VolumeBackup.0109", "VolumeBackup.0110",
          "VolumeBackup.0123"),
         "A query inside the service (of the backup, its snapshot or image) failed.",
         _SERVICE_FAILED),
        (("VolumeBackup.0105",), "The format of the deletion request is incorrect.",
         _NOT_EXPECTED),
        (("VolumeBackup.0113",), "An image was created from the backup, so it cannot be deleted.",
         "the backup was used to create an image: delete the image first"),
        (("VolumeBackup.0900",), "The service is unavailable.",
         "run the task again later"),
    )),
    ("Restoring a backup", (
        (("VolumeBackup.0089",), "The backup is not 'available'.",
         "wait until the backup is 'available', or restore another backup"),
        (("VolumeBackup.0111",), "The target disk or the backup does not exist.",
         "check backup_id (or name) and target_volume_id: both must exist in this project and "
         "region"),
        (("VolumeBackup.0200", "VolumeBackup.0201"),
         "The service failed to restore the data, or got no result.",
         "check the target disk's status, then run the task again; if it persists, give the "
         "request ID to the cloud's support"),
        (("VolumeBackup.0202",), "The target disk is in status 'error'.",
         "restore onto another disk"),
        (("VolumeBackup.0203", "VolumeBackup.0204"),
         "The backup ID of the request is empty or has an incorrect format.",
         "check backup_id: the ID (a UUID) of a backup of this project"),
        (("VolumeBackup.0205",), "The target disk is not available.",
         "the target disk must be 'available': detach it from its server, or wait until it is"),
        (("VolumeBackup.0206",), "A backup of the target disk is being created.",
         "a backup of the disk is being created: wait for it to finish, then restore"),
        (("VolumeBackup.0207",), "The target disk does not exist.",
         "check target_volume_id: the disk does not exist in this project and region"),
        (("VolumeBackup.0208",), "The volume_id of the restore request is incorrect.",
         "check target_volume_id: the ID (a UUID) of a disk of this project"),
        (("VolumeBackup.0209",), "The target disk is smaller than the backup.",
         "the target disk is smaller than the backup: restore onto a disk at least as large "
         "as the backed-up disk"),
        (("VolumeBackup.0210",), "The format of the restore request is incorrect.",
         _NOT_EXPECTED),
        (("VolumeBackup.0211",), "Disks at the disaster-recovery site cannot be restored onto.",
         "restore onto a disk that is not a disaster-recovery replica"),
    )),
    ("API gateway (Huawei Cloud)", (
        (("APIG.0308",), "The API gateway's throttling threshold was reached (too many "
                         "requests): retried like HTTP 429.",
         "too many requests: run the task again later, or run fewer tasks against the cloud at "
         "once"),
    )),
)

HINTS_BY_CODE = dict((code, what_to_do) for _section, entries in ERROR_CODES
                     for codes, _meaning, what_to_do in entries for code in codes)
MEANINGS_BY_CODE = dict((code, meaning) for _section, entries in ERROR_CODES
                        for codes, meaning, _what_to_do in entries for code in codes)

# Codes that mean "too many requests" whatever the HTTP status: retried like HTTP 429.
THROTTLING_CODES = frozenset(("APIG.0308",))

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


_ERROR_FIELDS = frozenset(("code", "message", "error_code", "error_msg", "title"))


def _text(value):
    """A non-empty string, on one line; None for anything else."""
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _code(value):
    """A service's own error code: a string that is not just the HTTP status repeated."""
    value = _text(value)
    return value if value and not value.isdigit() else None


def parse_error_body(body):
    """(code, message, request_id) of any error body the cloud may send; Nones when none.

    The shapes: the native API's ``{"badRequest": {"code": "VolumeBackup.0013", "message": ..}}``
    (or ``itemNotFound``, ``forbidden``, ... as the key; when ``code`` only repeats the HTTP
    status, as Cinder's does, the key is the code); the VBS-specific API's
    ``{"error": {"code", "message"}}`` (Keystone's adds a ``title``, the code then); the API
    gateway's ``{"error_code": "APIG.0308", "error_msg": ..., "request_id": ...}``; a flat
    ``{"code", "message"}``; and any mix of them in one body, such as
    ``{"badRequest": {...}, "request_id": ...}`` or ``{"error": {...}, "error_code": ...}``.
    A code the service names wins over an envelope's key, and the inner envelope over the top.
    """
    if not isinstance(body, dict):
        return None, None, None
    envelopes = [(key, inner) for key, inner in body.items()
                 if isinstance(inner, dict) and _ERROR_FIELDS.intersection(inner)]
    layers = [inner for _key, inner in envelopes] + [body]

    def first(convert, *fields):
        return next((found for layer in layers for field in fields
                     for found in [convert(layer.get(field))] if found), None)

    code = first(_code, "code", "error_code")
    if code is None and envelopes:
        key, inner = envelopes[0]
        code = _text(inner.get("title")) if key == "error" else None
        code = code or key
    return (code, first(_text, "message", "error_msg", "error_message"),
            first(_text, "request_id", "requestId"))


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


class ApiError(VbsError):
    """A non-2xx answer, as one line for the playbook and as data."""

    def __init__(self, operation, status, reason=None, code=None, message=None,
                 request_id=None, hint=None):
        self.operation = operation
        self.status = status
        self.reason = reason or http_client.responses.get(status)  # HTTP/2 answers have none
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
        # one line; a code without a message is explained from the table
        message = _text(self.message) or MEANINGS_BY_CODE.get(self.code)
        if self.code or message:
            head += "; service error %s: %s" % (
                self.code or "(no code)", full_stop(message) or "(no message)")
        if self.request_id:
            head += " (request ID %s)" % self.request_id
        return head + (". What to do: %s." % full_stop(self.hint) if hint and self.hint else "")

    @classmethod
    def from_response(cls, operation, response):
        body = _json_or_none(response)
        code, message, body_request_id = parse_error_body(body)
        if message is None and response.text and body is None:
            message = " ".join(response.text.split())[:200]
        request_id = (response.headers.get("X-Openstack-Request-Id")
                      or response.headers.get("X-Compute-Request-Id")
                      or response.headers.get("X-Request-Id") or body_request_id)
        return cls(operation, response.status_code, response.reason, code, message, request_id)


def is_throttled(answer):
    """Whether an answer (a response, or an ApiError) says "too many requests".

    HTTP 429, or a throttling code of the API gateway (``APIG.0308``) whatever the status, which
    the client retries alike.
    """
    if isinstance(answer, ApiError):
        return answer.status == 429 or answer.code in THROTTLING_CODES
    if answer.status_code == 429:
        return True
    return parse_error_body(_json_or_none(answer))[0] in THROTTLING_CODES


def transport_error(exc, operation):
    """Shape a keystoneauth exception (auth, catalog, TLS, connection) as a VbsError."""
    status = getattr(exc, "http_status", None)
    kind = transport_kind(exc)
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
                       "then run the task again, or raise api_timeout",
        "UnknownConnectionError": "the connection broke while the answer was read: run the "
                                  "task again; check any proxy between Ansible and the cloud",
    }
    hint = hints.get(kind) or next((text for name, text in hints.items()
                                    if any(cls.__name__ == name for cls in type(exc).__mro__)),
                                   None)
    text = "%s failed: %s: %s" % (operation, kind, full_stop(" ".join(str(exc).split())))
    return VbsError(text + ("." if not hint else ". What to do: %s." % hint))


def transport_kind(exc):
    """The name of a transport failure, telling a read timeout from a connect timeout.

    keystoneauth raises its ConnectTimeout for both; the requests exception it wraps (its
    ``__context__``) says which: ``ReadTimeout`` (the request was sent, no answer came in time)
    or ``ConnectTimeout`` (no connection, nothing sent).
    """
    if keystoneauth_exceptions is not None and requests_exceptions is not None and isinstance(
            exc, keystoneauth_exceptions.ConnectTimeout):
        seen = []
        inner = exc
        while inner is not None and inner not in seen:
            seen.append(inner)
            if isinstance(inner, requests_exceptions.ReadTimeout):
                return "ReadTimeout"
            inner = inner.__cause__ or inner.__context__
    return type(exc).__name__


def full_stop(text):
    """``text`` without its closing full stop(s), so that a sentence can follow it."""
    return text.rstrip().rstrip(".").rstrip() if text else text


class PartlyDone(VbsError):
    """Several operations, some done before one failed; ``result`` says what was and was not.

    ``result`` holds keys for the task result; ``data`` is the first API error's, if any.
    """

    def __init__(self, message, result, data=None):
        super(PartlyDone, self).__init__(message)
        self.result = result
        self.data = data
