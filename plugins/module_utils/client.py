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
import random
import re
import time

from urllib.parse import parse_qsl, urlsplit

from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    TRANSPORT_ERRORS, ApiError, GaveUp, UnknownOutcome, VbsError, full_stop, is_throttled,
    keystoneauth_exceptions, transport_error, transport_kind,
)
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import Poller

GONE_STATUSES = ("error", "deleting", "error_deleting")

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_ATTEMPTS = 5
GRACE_MIN = 30  # seconds: the shortest look for the backup of a create whose fate is unknown
RETRY_BUDGET = 300  # seconds of retrying when the task gives no timeout


class VbsClient:
    """Calls of the VBS native API under ``api_root`` (``…/v2/<project_id>``).

    Volume and snapshot calls go to ``volume_root``, the block-storage API (the VBS host of a
    public cloud serves only backups); it defaults to ``api_root``, unless ``volume_root_missing``
    says why there is none: then a volume or snapshot call raises VbsError with that text.
    ``endpoints`` names both roots for the task result.
    """

    def __init__(self, session, api_root, timeout=None, poller=Poller, volume_root=None,
                 volume_root_missing=None):
        self.session = session
        self.api_root = api_root.rstrip("/")
        self._volume_root = (volume_root.rstrip("/") if volume_root else
                             None if volume_root_missing else self.api_root)
        self._volume_root_missing = volume_root_missing
        self.endpoints = {"backups": self.api_root, "volumes": self._volume_root}
        self.poller = poller
        self.deadline = time.monotonic() + (RETRY_BUDGET if timeout is None else timeout)
        self.requests_sent = 0
        self.retries = []
        self.last_request_id = None  # of the last answer received, to quote to the support
        self._last_exception = None

    @property
    def volume_root(self):
        """Root of the volume and snapshot calls (the block-storage API)."""
        if self._volume_root is None:
            raise VbsError(self._volume_root_missing)
        return self._volume_root

    def request(self, method, path, operation, body=None, query=None, expected=(200,),
                missing_ok=False, if_unknown=None, root=None):
        """Send one call, retrying what is safe to retry; returns the JSON answer.

        Reads, and writes that certainly did not reach the service (connection refused, 429
        or the API gateway's throttling code APIG.0308),
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
                throttled = is_throttled(response)  # 429, or the gateway's APIG.0308
                if status not in RETRY_STATUSES and not throttled:
                    raise ApiError.from_response(operation, response)
                reason = "HTTP %d" % status + (
                    ", throttled by the API gateway" if throttled and status != 429 else "")
                safe = throttled
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
            return None, transport_kind(exc), _nothing_sent(exc)

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

    def grace_period(self):
        """Seconds to look for the backup that a create of unknown fate may still make.

        ``max(2 × the request timeout, GRACE_MIN)``: the request timeout is the session's
        (``api_timeout``); without one, GRACE_MIN. Twice as long as the request itself could
        have been on its way, so that a create still being processed when its answer was lost
        (a read timeout, a gateway's 504) has made its backup by then.
        """
        timeout = getattr(self.session, "timeout", None) or 0
        return max(2.0 * timeout, GRACE_MIN)

    def create_backup(self, fields, wait_while_busy=False):
        """Create a backup, never twice; returns the service's answer or the adopted backup.

        The rule (also in the module's notes and docs/reliability.md):

        - A POST that may have reached the service (no answer in time, a lost or cut-off
          answer, HTTP 5xx other than 501) is never sent again without a name: the task fails.
          With a name, the disk's backups of that name are looked up for ``grace_period()``
          seconds (bounded by the deadline); one found is adopted; only when none has appeared
          by then is the POST sent again.
        - Once a POST of unknown fate was sent, the name is looked up once more before every
          later POST (after a busy disk, a 429 or a refused connection too), and before
          failing on a refusal; ``resent_after_unknown`` is then True, so that the caller can
          look for duplicates.
        - POSTs that end in 429 (or a throttling code), a 5xx or a lost connection count
          against MAX_ATTEMPTS for the whole create; refusals because the disk is busy are
          tried again (``wait_while_busy``) until the deadline. Every POST has its number in
          ``retries`` (``attempt``), counted across the whole create.
        """
        operation = "Creating the backup"
        name = fields.get("name")
        volume_id = fields.get("volume_id")
        url = self.api_root + "/backups"
        busy = self.poller(max(self.deadline - time.monotonic(), 0))
        sent = []  # why each POST did not create, in order ("HTTP 503", "ReadTimeout", ...)
        failures = 0  # POSTs that ended in 429, 5xx or a lost connection
        unknown = 0  # POSTs whose fate is unknown
        self.resent_after_unknown = False
        while True:
            attempt = len(sent) + 1
            self.resent_after_unknown = self.resent_after_unknown or unknown > 0
            self.requests_sent += 1
            response, reason, safe = self._send("POST", url, {"backup": fields}, None)
            error = None
            if response is not None:
                status = response.status_code
                if status in (200, 202):
                    answer = self._json(operation, response)
                    return answer.get("backup", answer)
                error = ApiError.from_response(operation, response)
                reason = "HTTP %d" % status
                safe = is_throttled(error)  # 429, or the gateway's APIG.0308
                if safe and status != 429:
                    reason += ", throttled by the API gateway"
                if not safe and not (status >= 500 and status != 501):  # a definite refusal
                    if not (wait_while_busy and _disk_busy(error)):
                        sent.append(reason)
                        made = self._adopt_if_made(name, volume_id, unknown, attempt, reason)
                        if made:
                            return made
                        if len(sent) == 1:
                            raise error
                        raise GaveUp(_gave_up(operation, error, reason, sent, name, volume_id,
                                              unknown, None, refused=True), error)
                    sent.append("disk busy")
                    delay = min(busy.interval, max(busy.remaining(), 0))
                    self.retries.append({"operation": operation, "attempt": attempt,
                                         "reason": "disk busy with a previous backup: %s"
                                                   % full_stop(error.message),
                                         "delay": round(delay, 2)})
                    if not busy.pause():
                        made = self._adopt_if_made(name, volume_id, unknown, attempt, "disk busy")
                        if made:
                            return made
                        raise GaveUp(_gave_up(operation, error, reason, sent, name, volume_id,
                                              unknown, None, refused=True), error)
                    made = self._adopt_if_made(name, volume_id, unknown, attempt, "disk busy")
                    if made:
                        return made
                    continue
            sent.append(reason)
            failures += 1
            if safe:  # refused (429) or never sent: nothing was made by this POST
                delay = self._backoff(failures, response)
                if failures >= MAX_ATTEMPTS or delay is None:
                    made = self._adopt_if_made(name, volume_id, unknown, attempt, reason)
                    if made:
                        return made
                    raise GaveUp(_gave_up(operation, error, reason, sent, name, volume_id,
                                          unknown, None), error)
                self.retries.append({"operation": operation, "attempt": attempt,
                                     "reason": reason, "delay": round(delay, 2)})
                time.sleep(delay)
                made = self._adopt_if_made(name, volume_id, unknown, attempt, reason)
                if made:
                    return made
                continue
            unknown += 1
            if not name:
                raise UnknownOutcome(
                    operation, reason, error,
                    "list the disk's backups (vbs_backup_info with volume_id %s) before "
                    "running the task again, and give backups a name so that re-runs find "
                    "them" % volume_id, sent=attempt)
            made, looked, cut_short = self._look_for(name, volume_id, self.grace_period(),
                                                     operation, reason, sent)
            if made:
                self.retries.append({"operation": operation, "attempt": attempt, "delay": 0,
                                     "reason": "%s; adopted backup %s made by %s (found after "
                                               "%d s)" % (reason, made[0]["id"],
                                                          "that request" if unknown == 1 else
                                                          "a request of unknown fate", looked)})
                return made[0]
            if cut_short or failures >= MAX_ATTEMPTS or time.monotonic() >= self.deadline:
                raise GaveUp(_gave_up(operation, error, reason, sent, name, volume_id, unknown,
                                      (looked, cut_short)), error)
            self.retries.append({"operation": operation, "attempt": attempt,
                                 "delay": round(looked, 2),
                                 "reason": "%s; no backup named %s appeared in %d s, sending "
                                           "again" % (reason, name, looked)})

    def _look_for(self, name, volume_id, grace, operation, reason, sent):
        """Look the name up until a backup appears or ``grace`` seconds (within the deadline).

        Returns (backups found, seconds looked, whether the deadline cut the look short).
        A failed lookup raises GaveUp saying that the create's fate is unknown.
        """
        started = time.monotonic()
        cut_short = started + grace > self.deadline
        poller = self.poller(max(min(grace, self.deadline - started), 0))
        while True:
            try:
                made = self.named_backups(name, volume_id)
            except VbsError as exc:
                why = (exc.line(hint=False) if isinstance(exc, ApiError)
                       else str(exc).split(" What to do: ", maxsplit=1)[0])
                raise GaveUp(
                    "%s failed: %s, and looking for the backup it may have made failed too: %s. "
                    "The request was sent %d time%s. What to do: list the disk's backups "
                    "(vbs_backup_info with name %s and volume_id %s) before running the task "
                    "again; a re-run with the same name adopts the backup if one appears."
                    % (operation, reason, full_stop(why), len(sent),
                       "" if len(sent) == 1 else "s", name, volume_id), exc)
            if made or not poller.pause():
                return made, time.monotonic() - started, cut_short and not made

    def _adopt_if_made(self, name, volume_id, unknown, attempt, reason):
        """After a POST of unknown fate, the backup it made (looked up once), or None."""
        if not (unknown and name):
            return None
        made = self._look_for(name, volume_id, 0, "Creating the backup", reason,
                              [None] * attempt)[0]
        if not made:
            return None
        self.retries.append({"operation": "Creating the backup", "attempt": attempt, "delay": 0,
                             "reason": "%s; adopted backup %s made by an earlier request of "
                                       "unknown fate" % (reason, made[0]["id"])})
        return made[0]

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
        backups, asked = [], []
        while True:
            asked.append(query)
            answer = self.request("GET", "/backups/detail", "Listing backups", query=query)
            backups.extend(answer.get("backups", []))
            next_query = _next_page_query(answer.get("backups_links"))
            if next_query is None or not answer.get("backups") or next_query in asked:
                break  # the last page, or a "next" link to a page already read (no loop)
            query = next_query
        backups = list(dict((b.get("id") or id(b), b) for b in backups).values())  # a page twice
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

    # volumes and snapshots by name or ID (as openstack.cloud's ``volume`` and ``snapshot``)

    def list_volumes(self, **filters):
        """Every volume matching ``filters`` (name, status), following pagination.

        The filters are also applied here, since not every deployment filters server-side.
        """
        return self._list_all("/volumes/detail", "volumes", "Listing volumes", filters)

    def find_volumes(self, name_or_id):
        """The volumes ``name_or_id`` names: [the volume of that ID] when it looks like an ID
        (a UUID) and exists (one GET), otherwise every volume of exactly that name (the listing
        by name, all pages)."""
        return _find(name_or_id, self.get_volume, lambda name: self.list_volumes(name=name))

    def find_snapshots(self, name_or_id, volume_id=None):
        """The snapshots ``name_or_id`` names, as ``find_volumes``; a name is looked up among
        the snapshots of ``volume_id`` when it is given."""
        return _find(name_or_id, self.get_snapshot,
                     lambda name: self.list_snapshots(name=name, volume_id=volume_id))

    def _list_all(self, path, key, operation, filters):
        """Every record of a block-storage listing matching ``filters``, all pages."""
        query = dict((name, value) for name, value in filters.items() if value is not None)
        records, asked = [], []
        while True:
            asked.append(query)
            answer = self.request("GET", path, operation, query=query, root=self.volume_root)
            records.extend(answer.get(key, []))
            next_query = _next_page_query(answer.get(key + "_links"))
            if next_query is None or not answer.get(key) or next_query in asked:
                break
            query = next_query
        records = list(dict((r.get("id") or id(r), r) for r in records).values())
        return [r for r in records
                if all(r.get(name) == value for name, value in filters.items()
                       if value is not None)]

    # snapshots (block-storage API)

    def create_snapshot(self, fields, if_unknown=None):
        """POST /snapshots with ``fields`` (volume_id, name, description, metadata, force).

        Never sent twice: a lost answer or a 5xx raises UnknownOutcome with ``if_unknown``.
        """
        answer = self.request("POST", "/snapshots",
                              "Creating a snapshot of volume %s" % fields.get("volume_id"),
                              body={"snapshot": fields}, expected=(200, 202),
                              if_unknown=if_unknown, root=self.volume_root)
        return answer.get("snapshot", answer)

    def get_snapshot(self, snapshot_id):
        """The snapshot record, or None when the service says it does not exist."""
        answer = self.request("GET", "/snapshots/%s" % snapshot_id,
                              "Reading snapshot %s" % snapshot_id, missing_ok=True,
                              root=self.volume_root)
        return None if answer is None else answer.get("snapshot", answer)

    def delete_snapshot(self, snapshot_id):
        """Delete; False when the snapshot was already gone."""
        retried_before = len(self.retries)
        answer = self.request("DELETE", "/snapshots/%s" % snapshot_id,
                              "Deleting snapshot %s" % snapshot_id, expected=(202, 204),
                              missing_ok=True, root=self.volume_root)
        return answer is not None or len(self.retries) > retried_before

    def list_snapshots(self, **filters):
        """Every snapshot matching ``filters`` (volume_id, name, status), following pagination.

        The filters are also applied here, since not every deployment filters server-side.
        """
        query = dict((key, value) for key, value in filters.items() if value is not None)
        snapshots = []
        while True:
            answer = self.request("GET", "/snapshots/detail", "Listing snapshots", query=query,
                                  root=self.volume_root)
            snapshots.extend(answer.get("snapshots", []))
            next_query = _next_page_query(answer.get("snapshots_links"))
            if next_query is None or not answer.get("snapshots"):
                break
            query = next_query
        return [s for s in snapshots
                if all(s.get(key) == value for key, value in filters.items() if value is not None)]

    # waiting


def _disk_busy(error):
    """Whether a refused create means the disk's previous backup is still running."""
    message = error.message or ""
    return (error.code == "VolumeBackup.0013" or error.status == 409
            or (error.status == 400 and '"backing-up"' in message))


def _tally(reasons):
    """``['HTTP 503', 'HTTP 503', 'disk busy']`` -> ``'2 × HTTP 503, disk busy'``."""
    groups = []
    for reason in reasons:
        if groups and groups[-1][0] == reason:
            groups[-1][1] += 1
        else:
            groups.append([reason, 1])
    return ", ".join(reason if count == 1 else "%d × %s" % (count, reason)
                     for reason, count in groups)


def _gave_up(operation, error, reason, sent, name, volume_id, unknown, look, refused=False):
    """The message of a create given up: the last failure, how many times the request was
    sent, what was found, and what to do."""
    head = error.line(hint=False) if error is not None else "%s failed: %s" % (operation, reason)
    count = len(sent)
    times = "The request was sent %d time%s (%s)" % (count, "" if count == 1 else "s",
                                                     _tally(sent))
    look_up = ("list the disk's backups (vbs_backup_info with name %s and volume_id %s) before "
               "running the task again; a re-run with the same name adopts the backup if one "
               "appears" % (name, volume_id))
    if not unknown:
        found = ("none can have made a backup: each was refused or never reached the service"
                 if count > 1 else "it was refused or never reached the service, so no backup "
                                   "was made")
        what = (error.hint if error is not None and error.hint else
                "check the URL, the network and any proxy between Ansible and the cloud, then "
                "run the task again")
    else:
        which = ("it" if count == 1 else "%d of them" % unknown if unknown > 1
                 else "one of them")
        if look is None:
            found = ("%s may have reached the service; no backup named %s was on volume %s when "
                     "looked up last" % (which, name, volume_id))
        else:
            looked, cut_short = look
            found = ("%s may have reached the service; no backup named %s appeared on volume %s "
                     "in the %d s it was looked for after the last one" % (
                         which, name, volume_id, looked))
            if cut_short:
                found += ", cut short by the task's timeout, so one may still appear"
                look_up += "; raise timeout to look longer"
        what = look_up
        if refused and error is not None and error.hint:
            what = "%s; and %s" % (error.hint, look_up)
    return "%s. %s; %s. What to do: %s." % (head, times, found, what)


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
    """Whether a connection error happened before the request left (so a retry is safe).

    keystoneauth's ConnectFailure / ConnectTimeout carry, through their causes, requests'
    exception, whose first argument is urllib3's (a MaxRetryError's ``reason``): only urllib3's
    NewConnectionError or ConnectTimeoutError (or requests' ConnectTimeout) mean nothing left.
    """
    try:
        import requests
        from urllib3 import exceptions as urllib3_exceptions
    except ImportError:  # pragma: no cover  # keystoneauth depends on both
        return False
    before_sending = (urllib3_exceptions.NewConnectionError,
                      urllib3_exceptions.ConnectTimeoutError, requests.exceptions.ConnectTimeout)
    seen, todo = [], [exc]
    while todo:
        current = todo.pop()
        if not isinstance(current, BaseException) or any(current is known for known in seen):
            continue
        seen.append(current)
        if isinstance(current, before_sending):
            return True
        todo.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        todo.extend(getattr(current, "args", ()))
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


UUID_PATTERN = re.compile(r"\A[0-9a-fA-F]{8}(-?[0-9a-fA-F]{4}){3}-?[0-9a-fA-F]{12}\Z")


def _find(name_or_id, get, list_by_name):
    """[the record of ID ``name_or_id``] when it looks like an ID and exists, else the records
    named ``name_or_id`` (a name that looks like an ID costs the GET and then the listing)."""
    if UUID_PATTERN.match(name_or_id):
        record = get(name_or_id)
        if record is not None:
            return [dict(record, id=record.get("id") or name_or_id)]
    return list_by_name(name_or_id)


def _next_page_query(links):
    for link in links or []:
        if link.get("rel") == "next" and link.get("href"):
            return dict(parse_qsl(urlsplit(link["href"]).query))
    return None
