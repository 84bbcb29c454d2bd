# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for backups and volumes to reach a status, with a growing poll interval."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    ApiError, BackupStateError, VbsError, WaitTimeout, full_stop, is_throttled,
)

RESTORE_FAILED = ("error_restoring", "error")
DELETE_RESENDS = 3  # DELETEs sent again to a backup that went back to available or error
NOT_DELETED = ("available", "error")  # the statuses a DELETE is accepted in


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


def poll(kind, resource, read, poller, until, failed, doing, what_to_do_on_failure,
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
            why = full_stop((reason or _fail_reason)(resource)) or "no reason given by the service"
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


def wait_for_backup(client, backup, timeout, until=("available",), failed=("error",),
                    doing="created"):
    """Poll the backup until its status is in ``until``; None when it disappeared.

    ``backup`` is the last record known; the returned one is the final record.
    """
    poller = client.poller(timeout)
    return poll(
        "backup", backup, _patient(client, client.get_backup, poller), poller, until, failed,
        doing, "delete it and run the task again",
        "The operation goes on in the cloud: run the task again later (or raise timeout) to "
        "pick it up")


PASSING_STATUSES = (429, 500, 502, 503, 504)


def _patient(client, read, poller):
    """``read``, but a poll refused as throttled (429, APIG.0308) or answered 500/502/503/504
    after the read's own retries is read again at the next poll while the wait has time, so that
    a throttling storm does not end a long wait; recorded in ``client.retries``."""
    failed_polls = []

    def reading(resource_id):
        while True:
            try:
                return read(resource_id)
            except ApiError as exc:
                passing = exc.status in PASSING_STATUSES or is_throttled(exc)
                delay = min(poller.interval, max(poller.remaining(), 0))
                if not passing or delay <= 0:
                    raise
                failed_polls.append(exc.status)
                client.retries.append({
                    "operation": exc.operation, "attempt": len(failed_polls),
                    "delay": round(delay, 2),
                    "reason": "HTTP %d after the read's own retries; the wait goes on: read "
                              "again at the next poll" % exc.status})
                poller.pause()
    return reading


def wait_for_snapshot(client, snapshot, timeout):
    """Poll a snapshot just made until it is ``available``; fails on ``error`` or when gone."""
    snapshot_id = snapshot["id"]
    snapshot = poll(
        "snapshot", snapshot, client.get_snapshot, client.poller(timeout), ("available",),
        ("error",), "created", "check the disk and the snapshot quota, then run the task again",
        "The snapshot is still being made in the cloud",
        reason=lambda record: record.get("fail_reason") or record.get("status_message"))
    if snapshot is None:
        raise BackupStateError("Snapshot %s disappeared while being created." % snapshot_id)
    return snapshot


def wait_for_restore(client, backup, volume_id, timeout):
    """Follow a restore just started until the backup and the target volume are available.

    The backup goes ``restoring`` -> ``available`` and the volume ``restoring-backup`` ->
    ``available``; ``error_restoring`` (or ``error``) on either fails. One deadline covers
    both. Returns the final (backup, volume) records.
    """
    poller = client.poller(timeout)
    on_failure = ("check the target disk (its status and size) and the backup with "
                  "vbs_backup_info, then run the task again")
    on_timeout = ("The restore goes on in the cloud: check the backup and the disk with "
                  "vbs_backup_info before running the task again, which would restore again")
    backup_id = backup["id"]
    backup = poll("backup", dict(backup, status="restoring"), client.get_backup, poller,
                  ("available",), RESTORE_FAILED, "restored", on_failure, on_timeout)
    if backup is None:
        raise BackupStateError("Backup %s disappeared while being restored onto volume %s."
                               % (backup_id, volume_id))
    volume = client.get_volume(volume_id)
    if volume is not None:
        volume = poll(
            "volume", volume, client.get_volume, poller, ("available",), RESTORE_FAILED,
            "restored from backup %s" % backup_id, on_failure, on_timeout,
            reason=lambda record: record.get("fail_reason") or backup.get("fail_reason"),
            context={"backup": backup})
    if volume is None:
        raise BackupStateError("Volume %s disappeared while backup %s was restored onto it."
                               % (volume_id, backup_id), backup)
    return backup, volume


def _fail_reason(record):
    return record.get("fail_reason")


def delete_and_wait(client, backup, timeout, wait=True, resends=DELETE_RESENDS):
    """Delete ``backup`` (its last known record) and, with ``wait``, follow it until it is gone.

    Returns whether a DELETE found the backup (False when it was already gone, or was already
    being deleted). A backup in ``error_deleting`` is sent nothing: only the cloud provider's
    support can remove it. See ``wait_for_delete`` for what happens while waiting.
    """
    refuse_error_deleting(backup)
    status = backup.get("status")
    found = False
    if status != "deleting":
        found = client.delete_backup(backup["id"])
        if not found:
            return False
    if wait:
        try:
            wait_for_delete(client, dict(backup, status="deleting"), timeout,
                            request_id=client.last_request_id, resends=resends)
        except VbsError as exc:  # the DELETE was taken: the failure reports the change
            exc.changed = exc.changed or found
            raise
    return found


def refuse_error_deleting(backup):
    """Raise for a backup in ``error_deleting``: a DELETE does not help, the support does."""
    if backup.get("status") == "error_deleting":
        raise BackupStateError(
            "Backup %s is in status 'error_deleting': an earlier deletion failed in the cloud%s. "
            "What to do: deleting it again does not help; %s."
            % (backup["id"], _because(backup), _support(backup["id"])), backup)


def wait_for_delete(client, backup, timeout, request_id=None, resends=DELETE_RESENDS):
    """Poll a backup just sent a DELETE until it is gone.

    The public clouds' own tools send the DELETE again while a backup is not ``deleting``: a
    backup that goes back to ``available`` (or ``error``) did not take it, so it is sent again,
    at most ``resends`` times, each recorded in ``client.retries``. ``error_deleting`` fails
    saying to contact the provider's support with the backup ID and the request ID of the
    DELETE (``request_id``), since deleting again does not help.
    """
    poller = client.poller(timeout)
    backup_id = backup["id"]
    operation = "Deleting backup %s" % backup_id
    sent = 1
    while True:
        backup = poll(
            "backup", backup, client.get_backup, poller, NOT_DELETED, ("error_deleting",),
            "deleted", "deleting it again does not help; " + _support(backup_id, request_id),
            "The deletion goes on in the cloud: run the task again later (or raise timeout) to "
            "check that the backup is gone")
        if backup is None:
            return
        if sent > resends:
            raise BackupStateError(
                "Backup %s went back to status '%s' after %d DELETE requests: the service did "
                "not delete it%s. What to do: run the task again later; if it stays, %s."
                % (backup_id, backup.get("status"), sent, _because(backup),
                   _support(backup_id, request_id)), backup)
        client.retries.append({
            "operation": operation, "attempt": sent, "delay": 0,
            "reason": "the backup went back to status '%s' after the DELETE; sending it again"
                      % backup.get("status")})
        sent += 1
        try:
            if not client.delete_backup(backup_id):
                return
            request_id = client.last_request_id or request_id
        except ApiError as exc:  # refused: maybe the earlier DELETE took after all
            if exc.status not in (400, 409):
                raise
            backup = client.get_backup(backup_id)
            if backup is None:
                return
            if backup.get("status") != "deleting":
                raise exc
        backup = dict(backup, status="deleting")


def _because(record):
    reason = record.get("fail_reason")
    return " (%s)" % reason if reason else ""


def _support(backup_id, request_id=None):
    return ("contact the cloud provider's support and give them the backup ID %s%s"
            % (backup_id, " and the request ID %s of the DELETE" % request_id if request_id
               else ""))
