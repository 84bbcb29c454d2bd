# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rotation of a disk's backups: which ones a prune keeps, leaves alone and deletes, and
deleting them one at a time.

Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import fnmatch
import re

from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    PartlyDone, VbsError, WaitTimeout,
)
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import delete_and_wait

# Only backups in these statuses are ever deleted; only 'available' ones are ever kept.
DELETABLE = ("available", "error")
KEPT = ("available",)

UTC = datetime.timezone.utc
TIMESTAMP = re.compile(
    r"\A([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?\Z")


def created_at(backup):
    """When the backup was made (``created_at``), as a datetime in UTC; None when unreadable.

    The service gives ``2026-11-28T02:00:00.000000``, without a zone, in UTC; a zone, when
    there is one, is honoured.
    """
    match = TIMESTAMP.match(str(backup.get("created_at") or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        when = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute),
                                 int(second), int((fraction or "0")[:6].ljust(6, "0")), UTC)
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        when -= sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return when


def plan(backups, pattern, keep, older_than=None, now=None):
    """Split the backups whose names match ``pattern`` into (delete, kept, skipped).

    ``pattern`` is shell-style and case-sensitive. The ``keep`` newest (by ``created_at``)
    backups in status ``available`` are kept; a backup in ``error`` is never counted among them.
    Every other ``available`` or ``error`` backup is deleted when it is older than
    ``older_than`` seconds (any age without ``older_than``), and kept (``available``) or
    skipped (``error``) otherwise. Backups in any other status (``creating``, ``restoring``,
    ``deleting``, ``error_deleting``, ``error_restoring``) or without a readable
    ``created_at`` are skipped: never deleted and never counted as kept. Each list is newest
    first; backups made at the same time are ordered by ID.
    """
    now = now or datetime.datetime.now(UTC)
    matching = [b for b in backups
                if isinstance(b.get("name"), str) and fnmatch.fnmatchcase(b["name"], pattern)]
    dated = [(created_at(b), b) for b in matching]
    undated = [b for when, b in dated if when is None]
    dated = sorted(((when, b) for when, b in dated if when is not None),
                   key=lambda pair: (pair[0], str(pair[1].get("id"))), reverse=True)
    delete, kept, skipped = [], [], []
    for when, backup in dated:
        status = backup.get("status")
        if status not in DELETABLE:
            skipped.append(backup)
        elif status in KEPT and len(kept) < keep:
            kept.append(backup)
        elif older_than is not None and (now - when).total_seconds() <= older_than:
            (kept if status in KEPT else skipped).append(backup)
        else:
            delete.append(backup)
    return delete, kept, skipped + undated


def delete_backups(client, doomed, timeout, wait=True):
    """Delete the backups of ``doomed`` one at a time, in that order.

    With ``wait`` each is gone before the next DELETE is sent (so that an incremental backup
    is gone before the one it depends on is deleted), and one ``timeout`` covers them all. Each
    goes through ``delete_and_wait`` (a DELETE sent again to a backup that goes back to
    ``available``; ``error_deleting`` fails). A backup that cannot be deleted does not stop the
    others, but a timeout does. Returns (deleted, changed); when any was not deleted, raises
    PartlyDone whose ``result`` has ``deleted`` and ``not_deleted`` (each record with the
    ``reason``).
    """
    poller = client.poller(timeout)
    deleted, not_deleted, first_error = [], [], None
    changed = False
    for index, backup in enumerate(doomed):
        try:
            changed = delete_and_wait(client, backup, max(poller.remaining(), 0),
                                      wait=wait) or changed
        except VbsError as exc:
            changed = changed or bool(getattr(exc, "changed", False))  # a DELETE was taken
            not_deleted.append(dict(backup, reason=str(exc)))
            first_error = first_error or exc.data
            if isinstance(exc, WaitTimeout):
                not_deleted.extend(
                    dict(b, reason="not tried: the timeout ran out before its turn")
                    for b in doomed[index + 1:])
                break
            continue
        deleted.append(backup)
    if not_deleted:
        raise PartlyDone(
            "Deleted %d of %d backups%s; not deleted: %s. The task fails so that this is seen; "
            "a run once the cause is fixed deletes what is left." % (
                len(deleted), len(doomed),
                " (%s)" % ", ".join(b["id"] for b in deleted) if deleted else "",
                "; ".join("%s: %s" % (b["id"], b["reason"].rstrip(". ")) for b in not_deleted)),
            dict(changed=changed, deleted=deleted, not_deleted=not_deleted), first_error)
    return deleted, changed
