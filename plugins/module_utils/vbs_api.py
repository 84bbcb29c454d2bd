# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The VBS (Volume Backup Service) native API: its input rules, its calls and its errors.

Nothing here knows about Ansible. A ``VbsClient`` wraps a keystoneauth session that is
already authenticated and the API root ``https://<volume endpoint>/v2/<project_id>``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import re
import time

from urllib.parse import parse_qsl, urlsplit

try:
    from keystoneauth1 import exceptions as keystoneauth_exceptions
except ImportError:  # reported by the module as a missing openstacksdk
    TRANSPORT_ERRORS = ()
else:
    TRANSPORT_ERRORS = (keystoneauth_exceptions.ClientException,)

NAME_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
NAME_MAX = 64
DESCRIPTION_MAX = 255
ID_FORBIDDEN = re.compile(r"[\s/?#%]")
ID_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
ID_MAX = 64  # Keystone project IDs are at most 64 characters, Cinder IDs are UUIDs (36)
CONTAINER_MAX = 255

GONE_STATUSES = ("error", "deleting", "error_deleting")
RESTORE_FAILED = ("error_restoring", "error")

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_ATTEMPTS = 5
RETRY_BUDGET = 300  # seconds of retrying when the task gives no timeout


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


# --- input rules of the API page ------------------------------------------------------------

def _check_string(value, option, what):
    if not isinstance(value, str):
        raise InputError(option, "expected a string, got %s" % type(value).__name__,
                         "%s is a string" % what)


def check_name(value, option="name"):
    _check_string(value, option, "a backup name")
    if not value:
        raise InputError(option, "the name is empty", "1 to 64 characters")
    if len(value) > NAME_MAX:
        raise InputError(option, "the name has %d characters" % len(value), "1 to 64 characters")
    if not NAME_PATTERN.match(value):
        bad = sorted(set(ch for ch in value if not re.match(r"[A-Za-z0-9_-]", ch)))
        raise InputError(option, "the name contains %s" % ", ".join(repr(ch) for ch in bad),
                         "only ASCII letters, digits, underscores (_) and hyphens (-)")
    if value.startswith("auto"):
        raise InputError(option, "the name '%s' starts with 'auto'" % value,
                         "names starting with 'auto' are reserved for automatic backups")


def check_name_filter(value, option="name"):
    """A name to look backups up by: any non-empty string.

    Looser than ``check_name``: backups made by backup policies (``autobk_…``) or by other
    tools may have names that a create would refuse, and they must still be found.
    """
    _check_string(value, option, "a backup name")
    if not value:
        raise InputError(option, "the name is empty",
                         "give the name of the backups to find, or leave the option out")


def check_description(value, option="description"):
    _check_string(value, option, "a description")
    if len(value) > DESCRIPTION_MAX:
        raise InputError(option, "the description has %d characters" % len(value),
                         "0 to 255 characters")
    if "<" in value or ">" in value:
        raise InputError(option, "the description contains '<' or '>'",
                         "a description must not contain '<' or '>'")


def check_id(value, option):
    _check_string(value, option, "an ID")
    if not value.strip():
        raise InputError(option, "the value is empty", "an ID must be given and non-empty")
    if len(value) > ID_MAX:
        raise InputError(option, "the value has %d characters" % len(value),
                         "an ID is a single token such as a UUID, at most %d characters" % ID_MAX)
    if ID_FORBIDDEN.search(value) or not value.isprintable():
        raise InputError(option, "%r contains spaces, control characters or URL delimiters" % value,
                         "an ID is a single token such as a UUID")
    if not ID_PATTERN.match(value):
        bad = sorted(set(ch for ch in value if not re.match(r"[A-Za-z0-9_.-]", ch)))
        raise InputError(option, "%r contains %s" % (value, ", ".join(repr(ch) for ch in bad)
                                                     or "no letter or digit at the start"),
                         "an ID is a single token of ASCII letters, digits, '-', '_' and '.', "
                         "such as a UUID")


def check_container(value, option="container"):
    """The reserved ``container`` field: no rule on the API page; Cinder's own limits apply."""
    _check_string(value, option, "a container")
    if len(value) > CONTAINER_MAX:
        raise InputError(option, "the container has %d characters" % len(value),
                         "0 to %d characters" % CONTAINER_MAX)
    if not value.isprintable():
        raise InputError(option, "%r contains control or invisible characters" % value,
                         "a container is printable text")


# --- errors from the service -----------------------------------------------------------------

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


# --- the client ------------------------------------------------------------------------------

class Poller:
    """Sleeps with a growing interval (1 s, 1.5 s, … up to 10 s) until a deadline."""

    def __init__(self, timeout, first=1.0, factor=1.5, longest=10.0):
        self.timeout = timeout
        self.clock = time.monotonic
        self.sleep = time.sleep
        self.deadline = self.clock() + timeout
        self.interval = first
        self.factor = factor
        self.longest = longest

    def remaining(self):
        return self.deadline - self.clock()

    def pause(self):
        """Sleep before the next poll; False when the deadline has passed."""
        left = self.remaining()
        if left <= 0:
            return False
        self.sleep(min(self.interval, left))
        self.interval = min(self.interval * self.factor, self.longest)
        return True


class VbsClient:
    """Calls of the VBS native API under ``api_root`` (``…/v2/<project_id>``)."""

    def __init__(self, session, api_root, timeout=None, poller=Poller):
        self.session = session
        self.api_root = api_root.rstrip("/")
        self.poller = poller
        self.deadline = time.monotonic() + (RETRY_BUDGET if timeout is None else timeout)
        self.requests_sent = 0
        self.retries = []
        self._last_exception = None

    def request(self, method, path, operation, body=None, query=None, expected=(200,),
                missing_ok=False, if_unknown=None):
        """Send one call, retrying what is safe to retry; returns the JSON answer.

        Reads, and writes that certainly did not reach the service (connection refused, 429),
        are retried with exponential back-off and jitter, at most MAX_ATTEMPTS times and within
        the client's deadline. Any other write whose answer was lost or was a 5xx raises
        UnknownOutcome, with ``if_unknown`` as what to do.
        """
        rereadable = method in ("GET", "HEAD", "DELETE")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.requests_sent += 1
            response, reason, safe = self._send(method, path, body, query)
            if response is not None:
                status = response.status_code
                if missing_ok and status == 404:
                    return None
                if status in expected:
                    return self._json(operation, response)
                if status not in RETRY_STATUSES:
                    raise ApiError.from_response(operation, response)
                reason = "HTTP %d" % status
                safe = status == 429
            if not (safe or rereadable):
                raise UnknownOutcome(operation, reason, response is not None
                                     and ApiError.from_response(operation, response) or None,
                                     if_unknown)
            delay = self._backoff(attempt, response)
            if attempt == MAX_ATTEMPTS or delay is None:
                if response is not None:
                    raise ApiError.from_response(operation, response)
                raise transport_error(self._last_exception, operation)
            self.retries.append({"operation": operation, "attempt": attempt, "reason": reason,
                                 "delay": round(delay, 2)})
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _send(self, method, path, body, query):
        """(response, reason, nothing_sent): an answer, or why none came."""
        try:
            return self.session.request(
                self.api_root + path, method, json=body, params=query, raise_exc=False,
                headers={"Accept": "application/json"}), None, False
        except TRANSPORT_ERRORS as exc:
            if _answer_cut_off(exc):  # the request was sent; its answer broke off half-way
                self._last_exception = exc
                return None, "the answer was cut off (%s)" % type(exc.original).__name__, False
            if not isinstance(exc, (keystoneauth_exceptions.ConnectFailure,
                                    keystoneauth_exceptions.ConnectTimeout)):
                raise transport_error(exc, "%s %s" % (method, path))
            self._last_exception = exc
            return None, type(exc).__name__, _nothing_sent(exc)

    def _backoff(self, attempt, response):
        """Seconds to wait before the next attempt, or None when the deadline forbids it."""
        delay = random.uniform(0.5, 1.0) * min(2 ** attempt, 30)
        retry_after = response is not None and response.headers.get("Retry-After")
        if retry_after:
            delay = _seconds(retry_after, delay)
        if time.monotonic() + delay > self.deadline:
            return None
        return delay

    def _json(self, operation, response):
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ApiError(operation, response.status_code, response.reason,
                           message="the answer is not JSON: %s" % response.text[:200],
                           hint="check that endpoint_override points at the VBS API")

    # backups

    def create_backup(self, fields, wait_while_busy=False):
        """Create a backup, never twice.

        When the answer to the POST is lost or is a 5xx, a backup with the task's name made by
        that POST is adopted; without a name the task fails rather than risk a duplicate. While
        the disk's previous backup runs, ``wait_while_busy`` waits and tries again until the
        deadline.
        """
        operation = "Creating the backup"
        poller = self.poller(max(self.deadline - time.monotonic(), 0))
        while True:
            try:
                answer = self.request("POST", "/backups", operation, body={"backup": fields},
                                      expected=(200, 202))
                return answer.get("backup", answer)
            except UnknownOutcome as exc:
                if not fields.get("name"):
                    raise UnknownOutcome(
                        operation, exc.reason, exc.error,
                        "list the disk's backups (vbs_backup_info with volume_id %s) before "
                        "running the task again, and give backups a name so that re-runs find "
                        "them" % fields.get("volume_id"))
                made = self.named_backups(fields["name"], fields["volume_id"])
                if made:
                    self.retries.append({"operation": operation, "attempt": 1,
                                         "reason": "%s; adopted backup %s made by that request"
                                                   % (exc.reason, made[0]["id"]), "delay": 0})
                    return made[0]
                self.retries.append({"operation": operation, "attempt": 1, "delay": 0,
                                     "reason": "%s; no backup named %s was made, sending again"
                                               % (exc.reason, fields["name"])})
                if not poller.pause():
                    raise
            except ApiError as exc:
                if not (wait_while_busy and _disk_busy(exc)):
                    raise
                self.retries.append({"operation": operation, "attempt": 1, "delay": 0,
                                     "reason": "disk busy with a previous backup: %s"
                                               % exc.message})
                if not poller.pause():
                    raise

    def get_backup(self, backup_id):
        """The full backup record, or None when the service says it does not exist."""
        answer = self.request("GET", "/backups/%s" % backup_id,
                              "Reading backup %s" % backup_id, missing_ok=True)
        return None if answer is None else answer.get("backup", answer)

    def list_backups(self, **filters):
        """Every backup matching ``filters`` (name, volume_id, status), following pagination.

        The filters are also applied here, since not every deployment filters server-side.
        """
        query = dict((key, value) for key, value in filters.items() if value is not None)
        backups = []
        while True:
            answer = self.request("GET", "/backups/detail", "Listing backups", query=query)
            backups.extend(answer.get("backups", []))
            next_query = _next_page_query(answer.get("backups_links"))
            if next_query is None or not answer.get("backups"):
                break
            query = next_query
        return [b for b in backups
                if all(b.get(key) == value for key, value in filters.items() if value is not None)]

    def named_backups(self, name, volume_id, ignore=GONE_STATUSES):
        """The backups of ``volume_id`` called ``name``, leaving out those in ``ignore``."""
        return [b for b in self.list_backups(name=name, volume_id=volume_id)
                if b.get("status") not in ignore]

    def delete_backup(self, backup_id):
        """Delete; False when the backup was already gone."""
        retried_before = len(self.retries)
        answer = self.request("DELETE", "/backups/%s" % backup_id,
                              "Deleting backup %s" % backup_id, expected=(202, 204),
                              missing_ok=True)
        return answer is not None or len(self.retries) > retried_before

    def restore_backup(self, backup_id, volume_id):
        answer = self.request("POST", "/backups/%s/restore" % backup_id,
                              "Restoring backup %s" % backup_id,
                              body={"restore": {"volume_id": volume_id}}, expected=(200, 202),
                              if_unknown="check with vbs_backup_info whether backup %s is "
                                         "'restoring' before running the task again, which "
                                         "would restore again" % backup_id)
        return answer.get("restore", answer)

    def get_volume(self, volume_id):
        answer = self.request("GET", "/volumes/%s" % volume_id,
                              "Reading volume %s" % volume_id, missing_ok=True)
        return None if answer is None else answer.get("volume", answer)

    # waiting

    def poll(self, kind, resource, read, poller, until, failed, doing, what_to_do_on_failure,
             what_to_do_on_timeout, reason=None, context=None):
        """Read ``resource`` again with ``read(id)`` until its status is in ``until``.

        ``kind`` ("backup" or "volume") names the resource in messages and in the error raised
        (with ``context``, other records to report). A status in ``failed`` raises
        BackupStateError with ``reason(record)`` (default: its ``fail_reason``); the deadline of
        ``poller`` raises WaitTimeout. Returns the final record, or None when it disappeared.
        """
        resource_id = resource["id"]
        while resource is not None and resource.get("status") not in until:
            status = resource.get("status")
            records = dict(context or {}, **{kind: resource})
            if status in failed:
                why = (reason or _fail_reason)(resource) or "no reason given by the service"
                raise BackupStateError(
                    "%s %s went to status '%s' while being %s: %s. What to do: %s."
                    % (kind.capitalize(), resource_id, status, doing, why,
                       what_to_do_on_failure), **records)
            if not poller.pause():
                raise WaitTimeout(
                    "Timed out after %ss waiting for %s %s to be %s; its last status is '%s'. "
                    "%s." % (poller.timeout, kind, resource_id, doing, status,
                             what_to_do_on_timeout), **records)
            resource = read(resource_id)
        return resource

    def wait_for_backup(self, backup, timeout, until=("available",), failed=("error",),
                        doing="created"):
        """Poll the backup until its status is in ``until``; None when it disappeared.

        ``backup`` is the last record known; the returned one is the final record.
        """
        return self.poll(
            "backup", backup, self.get_backup, self.poller(timeout), until, failed, doing,
            "delete it and run the task again",
            "The operation goes on in the cloud: run the task again later (or raise timeout) to "
            "pick it up")

    def wait_for_restore(self, backup, volume_id, timeout):
        """Follow a restore just started until the backup and the target volume are available.

        The backup goes ``restoring`` → ``available`` and the volume ``restoring-backup`` →
        ``available``; ``error_restoring`` (or ``error``) on either fails. One deadline covers
        both. Returns the final (backup, volume) records.
        """
        poller = self.poller(timeout)
        on_failure = ("check the target disk (its status and size) and the backup with "
                      "vbs_backup_info, then run the task again")
        on_timeout = ("The restore goes on in the cloud: check the backup and the disk with "
                      "vbs_backup_info before running the task again, which would restore again")
        backup_id = backup["id"]
        backup = self.poll("backup", dict(backup, status="restoring"), self.get_backup, poller,
                           ("available",), RESTORE_FAILED, "restored", on_failure, on_timeout)
        if backup is None:
            raise BackupStateError("Backup %s disappeared while being restored onto volume %s."
                                   % (backup_id, volume_id))
        volume = self.get_volume(volume_id)
        if volume is not None:
            volume = self.poll(
                "volume", volume, self.get_volume, poller, ("available",), RESTORE_FAILED,
                "restored from backup %s" % backup_id, on_failure, on_timeout,
                reason=lambda record: record.get("fail_reason") or backup.get("fail_reason"),
                context={"backup": backup})
        if volume is None:
            raise BackupStateError("Volume %s disappeared while backup %s was restored onto it."
                                   % (volume_id, backup_id), backup)
        return backup, volume


def _disk_busy(error):
    """Whether a refused create means the disk's previous backup is still running."""
    message = error.message or ""
    return (error.code == "VolumeBackup.0013" or error.status == 409
            or (error.status == 400 and '"backing-up"' in message))


def _answer_cut_off(exc):
    """Whether keystoneauth's UnknownConnectionError wraps an answer that broke off half-way.

    requests raises ChunkedEncodingError (IncompleteRead, or a connection reset while the body
    was read) when the server's answer stops short; keystoneauth passes it on as an
    UnknownConnectionError, like errors that happen before anything is sent (a malformed URL).
    """
    original = getattr(exc, "original", None)
    return original is not None and any(
        cls.__name__ in ("ChunkedEncodingError", "ContentDecodingError")
        for cls in type(original).__mro__)


def _nothing_sent(exc):
    """Whether a connection error happened before the request left (so a retry is safe)."""
    seen = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        if "NewConnectionError" in repr(exc) or "ConnectTimeoutError" in repr(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _seconds(retry_after, default):
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    try:
        return max(float(retry_after), 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return default


def _fail_reason(record):
    return record.get("fail_reason")


def _next_page_query(links):
    for link in links or []:
        if link.get("rel") == "next" and link.get("href"):
            return dict(parse_qsl(urlsplit(link["href"]).query))
    return None


def decode_service_metadata(backup):
    """Turn the ``service_metadata`` JSON string into a dict, leaving other values alone."""
    value = backup.get("service_metadata")
    if isinstance(value, str) and value:
        try:
            decoded = json.loads(value)
        except ValueError:
            return backup
        if isinstance(decoded, dict):
            backup = dict(backup, service_metadata=decoded)
    return backup
