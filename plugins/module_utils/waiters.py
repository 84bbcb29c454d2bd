# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting for backups and volumes to reach a status, with a growing poll interval."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.vbs.cloud.plugins.module_utils.errors import BackupStateError, WaitTimeout

RESTORE_FAILED = ("error_restoring", "error")


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


def wait_for_backup(client, backup, timeout, until=("available",), failed=("error",),
                    doing="created"):
    """Poll the backup until its status is in ``until``; None when it disappeared.

    ``backup`` is the last record known; the returned one is the final record.
    """
    return poll(
        "backup", backup, client.get_backup, client.poller(timeout), until, failed, doing,
        "delete it and run the task again",
        "The operation goes on in the cloud: run the task again later (or raise timeout) to "
        "pick it up")


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
