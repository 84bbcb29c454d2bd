# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Snapshots made for a backup: making, marking, removing, and the sweep of earlier leftovers.

A backup in one call needs a snapshot of the disk. The snapshot made here carries a marker in
its metadata (``MARKER``) and a recognisable name; it is deleted once the backup made from it
is done. One left behind (a backup not waited for, a failed delete) is removed by a later sweep
of the same disk, under one rule (``leftovers``): it carries the marker, it is ``available`` or
``error``, and at least one backup was made from it and every backup made from it is done. A
snapshot without the marker is never touched. Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.vbs.cloud.plugins.module_utils.errors import ApiError, VbsError
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import wait_for_snapshot

MARKER = {"vbs.cloud": "made-for-backup"}
MARKER_TEXT = ", ".join("%s=%s" % item for item in sorted(MARKER.items()))
NAME_SUFFIX = "-vbs-cloud-snap"
UNNAMED = "vbs-cloud-snap"
# A backup past these statuses no longer reads its snapshot; "creating" (or anything unknown)
# still may.
BACKUP_DONE = ("available", "error", "restoring", "error_restoring", "deleting", "error_deleting")
SNAPSHOT_SETTLED = ("available", "error")
CLEANUP_TIMEOUT = 300  # seconds to see deleted snapshots gone, and to retry the deletes


def snapshot_name(backup_name):
    return backup_name + NAME_SUFFIX if backup_name else UNNAMED


def is_marked(snapshot):
    metadata = snapshot.get("metadata") or {}
    return all(metadata.get(key) == value for key, value in MARKER.items())


def leftovers(snapshots, backups, skip=()):
    """Split the disk's marked snapshots into (removable, orphans, waiting).

    removable: marked, settled, and made into at least one backup, every one of them done.
    orphans: marked and settled, but no backup was made from them (a run was interrupted, a
    run in progress has not posted its backup yet, or the backup was deleted): kept.
    waiting: marked, with a backup made from them still being created: kept for now.
    Snapshots whose id is in ``skip``, unmarked ones and unsettled ones are left out.
    """
    removable, orphans, waiting = [], [], []
    for snapshot in snapshots:
        if (snapshot["id"] in skip or not is_marked(snapshot)
                or snapshot.get("status") not in SNAPSHOT_SETTLED):
            continue
        made = [b for b in backups if b.get("snapshot_id") == snapshot["id"]]
        if not made:
            orphans.append(snapshot)
        elif all(b.get("status") in BACKUP_DONE for b in made):
            removable.append(snapshot)
        else:
            waiting.append(snapshot)
    return removable, orphans, waiting


def make_snapshot(client, volume_id, backup_name, force, timeout, on_posted=None):
    """Make the marked snapshot of ``volume_id`` and wait until it is available.

    ``on_posted(record)`` is called as soon as the service accepted it, so that a caller can
    remove it when the wait fails.
    """
    name = snapshot_name(backup_name)
    fields = {"volume_id": volume_id, "name": name, "metadata": dict(MARKER),
              "description": "Made by vbs.cloud for backup %s; deleted once the backup is done"
                             % (backup_name or "(unnamed)")}
    if force:
        fields["force"] = True
    try:
        snapshot = client.create_snapshot(fields, if_unknown=(
            "a snapshot named %s (metadata %s) may have been made: list the disk's snapshots "
            "and delete it if it is there" % (name, MARKER_TEXT)))
    except ApiError as exc:
        raise _with_hint(exc, force)
    if on_posted:
        on_posted(snapshot)
    return wait_for_snapshot(client, dict(snapshot, status=snapshot.get("status") or "creating"),
                             timeout)


def _with_hint(exc, force):
    message = (exc.message or "").lower()
    hint = None
    if "in-use" in message and not force:
        hint = ("the disk is attached to a server ('in-use'): set force: true to snapshot and "
                "back it up while attached")
    elif exc.status == 413 or "snapshotlimitexceeded" in (exc.code or "").lower() \
            or ("maximum number of snapshots" in message):
        hint = ("a quota (of snapshots, or of the gigabytes of disks and snapshots) is used up: "
                "delete unused snapshots or ask for a larger quota")
    if hint is None:
        return exc
    return ApiError(exc.operation, exc.status, reason=exc.reason, code=exc.code,
                    message=exc.message, request_id=exc.request_id, hint=hint)


class Cleanup:
    """Deletes snapshots of one disk and sweeps the marked leftovers of earlier runs.

    ``known_backups`` are backup records this run already holds; the disk's backups are listed
    only when a marked snapshot needs them.
    """

    def __init__(self, client, volume_id, known_backups=()):
        self.client = client
        self.volume_id = volume_id
        self.backups = [b for b in known_backups if b]
        self.deleted = []     # ids whose DELETE was accepted
        self.gone = set()     # ids seen gone
        self.failed = {}      # id -> why it could not be deleted
        self.removed = []     # leftover ids of earlier runs deleted (or, dry, that would be)
        self.orphans = []     # marked snapshots without a backup: kept
        self.waiting = []     # marked snapshots whose backup is still being made: kept
        self.listing = None

    def delete(self, snapshot_id):
        """Delete one snapshot; False (with the reason in ``failed``) when refused."""
        self._extend_budget()
        try:
            if not self.client.delete_snapshot(snapshot_id):
                self.gone.add(snapshot_id)
        except VbsError as exc:
            self.failed[snapshot_id] = str(exc)
            return False
        self.deleted.append(snapshot_id)
        return True

    def sweep(self, skip=(), dry_run=False):
        """List the disk's snapshots and delete the leftovers of earlier runs (see leftovers)."""
        self._extend_budget()
        self.listing = self.client.list_snapshots(volume_id=self.volume_id)
        skip = set(skip) | set(self.deleted) | set(self.failed)
        removable, self.orphans, self.waiting = leftovers(self.listing, self.backups, skip)
        if self.orphans or self.waiting:  # records held may be stale or not the disk's all
            self.backups = self.client.list_backups(volume_id=self.volume_id)
            removable, self.orphans, self.waiting = leftovers(self.listing, self.backups, skip)
        for snapshot in removable:
            if dry_run or self.delete(snapshot["id"]):
                self.removed.append(snapshot["id"])
        self._see_gone()

    def wait_gone(self, timeout=CLEANUP_TIMEOUT):
        """Poll the disk's snapshot list until every deleted snapshot is gone (or timeout).

        The list of a sweep just made counts as the first poll.
        """
        poller = self.client.poller(timeout)
        if self.listing is None:
            self._list()
        while self.pending():
            if not poller.pause():
                return False
            self._list()
        return True

    def after_failure(self, snapshot_id, error, wait, timeout=CLEANUP_TIMEOUT):
        """After a failed backup, delete this run's snapshot unless a backup may still read it.

        Returns a sentence saying what became of the snapshot.
        """
        backup = getattr(error, "backup", None)
        try:
            made = [backup] if backup and backup.get("id") else [
                b for b in self.client.list_backups(volume_id=self.volume_id)
                if b.get("snapshot_id") == snapshot_id]
        except VbsError as exc:
            self.failed[snapshot_id] = str(exc)
            return ("The snapshot %s made for the backup was kept, since the disk's backups "
                    "could not be read (%s); the next run of the task deletes it once its backup "
                    "is done." % (snapshot_id, exc))
        busy = [b for b in made if b.get("status") not in BACKUP_DONE]
        if busy:
            return ("The snapshot %s made for the backup is kept while backup %s is being "
                    "created; the next run of the task deletes it once the backup is done."
                    % (snapshot_id, busy[0]["id"]))
        if self.delete(snapshot_id) and wait:
            try:
                self.wait_gone(timeout)
            except VbsError as exc:
                self.failed[snapshot_id] = str(exc)
        if snapshot_id in self.failed:
            later = ("The next run of the task deletes it." if made else
                     "No backup was made from it, so no later run deletes it (they report it in "
                     "snapshots_kept): delete it by hand once it is 'available' or 'error'.")
            return ("Deleting the snapshot %s made for the backup failed too: %s. %s"
                    % (snapshot_id, self.failed[snapshot_id].rstrip("."), later))
        return "The snapshot %s made for the backup was deleted." % snapshot_id

    def _extend_budget(self):
        """Give the client's retries time for the cleanup, even after a long backup."""
        self.client.deadline = max(self.client.deadline,
                                   self.client.poller(CLEANUP_TIMEOUT).deadline)

    def _list(self):
        self.listing = self.client.list_snapshots(volume_id=self.volume_id)
        self._see_gone()

    def pending(self):
        return [i for i in self.deleted if i not in self.gone and i not in self.failed]

    def _see_gone(self):
        present = dict((s["id"], s) for s in self.listing or [])
        for snapshot_id in self.deleted:
            if snapshot_id not in present:
                self.gone.add(snapshot_id)
            elif present[snapshot_id].get("status") == "error_deleting":
                self.failed[snapshot_id] = ("snapshot %s went to status 'error_deleting'"
                                            % snapshot_id)

    def status(self, snapshot_id):
        """'deleted' when seen gone, 'deleting' once its DELETE was accepted, else its status in
        the last listing ('deleted' when it was not in it)."""
        if snapshot_id in self.gone:
            return "deleted"
        if snapshot_id in self.deleted and snapshot_id not in self.failed:
            return "deleting"
        for snapshot in self.listing or []:
            if snapshot["id"] == snapshot_id:
                return snapshot.get("status")
        return "deleted" if self.listing is not None else None
