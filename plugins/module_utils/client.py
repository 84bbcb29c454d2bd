# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The HTTP client of the VBS API: retries, pagination, and the backup and volume calls.

Nothing here knows about Ansible. A ``VbsClient`` wraps a keystoneauth session that is
already authenticated and the API root ``https://<endpoint>/v2/<project_id>``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import time

from urllib.parse import parse_qsl, urlsplit

from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    TRANSPORT_ERRORS, ApiError, UnknownOutcome, keystoneauth_exceptions, transport_error,
)
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import Poller

GONE_STATUSES = ("error", "deleting", "error_deleting")

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_ATTEMPTS = 5
RETRY_BUDGET = 300  # seconds of retrying when the task gives no timeout


class VbsClient:
    """Calls of the VBS native API under ``api_root`` (``…/v2/<project_id>``).

    Volume and snapshot calls go to ``volume_root``, the block-storage API (the VBS host of a
    public cloud serves only backups); it defaults to ``api_root``.
    """

    def __init__(self, session, api_root, timeout=None, poller=Poller, volume_root=None):
        self.session = session
        self.api_root = api_root.rstrip("/")
        self.volume_root = (volume_root or api_root).rstrip("/")
        self.poller = poller
        self.deadline = time.monotonic() + (RETRY_BUDGET if timeout is None else timeout)
        self.requests_sent = 0
        self.retries = []
        self.last_request_id = None  # of the last answer received, to quote to the support
        self._last_exception = None

    def request(self, method, path, operation, body=None, query=None, expected=(200,),
                missing_ok=False, if_unknown=None, root=None):
        """Send one call, retrying what is safe to retry; returns the JSON answer.

        Reads, and writes that certainly did not reach the service (connection refused, 429),
        are retried with exponential back-off and jitter, at most MAX_ATTEMPTS times and within
        the client's deadline. Any other write whose answer was lost or was a 5xx raises
        UnknownOutcome, with ``if_unknown`` as what to do.
        """
        rereadable = method in ("GET", "HEAD", "DELETE")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.requests_sent += 1
            response, reason, safe = self._send(method, (root or self.api_root) + path, body,
                                                query)
            self.last_request_id = None if response is None else _request_id(response)
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

    def _send(self, method, url, body, query):
        """(response, reason, nothing_sent): an answer, or why none came."""
        try:
            return self.session.request(
                url, method, json=body, params=query, raise_exc=False,
                headers={"Accept": "application/json"}), None, False
        except TRANSPORT_ERRORS as exc:
            if _answer_cut_off(exc):  # the request was sent; its answer broke off half-way
                self._last_exception = exc
                return None, "the answer was cut off (%s)" % type(exc.original).__name__, False
            if not isinstance(exc, (keystoneauth_exceptions.ConnectFailure,
                                    keystoneauth_exceptions.ConnectTimeout)):
                raise transport_error(exc, "%s %s" % (method, url))
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
                              "Reading volume %s" % volume_id, missing_ok=True,
                              root=self.volume_root)
        return None if answer is None else answer.get("volume", answer)

    # waiting


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


def _request_id(response):
    """The request ID the service gave an answer, or None."""
    headers = response.headers
    return (headers.get("X-Openstack-Request-Id") or headers.get("X-Compute-Request-Id")
            or headers.get("X-Request-Id"))


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
