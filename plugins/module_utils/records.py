# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""API records to results: the one place where a backup of the service gets the shape that
every module returns.

Nothing here knows about Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# Fields of a backup that the service may send as a JSON string holding an object:
# service_metadata always ('{"progress": "100", "Type": 1, "snap_id": ...}', sometimes padded
# with spaces), description sometimes ('{"DESC": "...", "INC": ...}', as backups made by VBS
# policies and some consoles carry it).
JSON_FIELDS = ("service_metadata", "description")

# Fields of a create request that are also fields of the backup record.
RECORD_FIELDS = ("name", "description", "volume_id", "snapshot_id", "container")


def decode_json_object(value):
    """The dict a JSON string holds; any other value (not JSON, not an object) unchanged."""
    if not isinstance(value, str) or not value.strip():
        return value
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, dict) else value


def backup_record(backup):
    """A backup of the service as the modules return it: JSON-string fields decoded.

    ``service_metadata`` and ``description`` become dicts when they hold a JSON object and are
    left as they are otherwise; other fields are kept as the service sent them. The record
    given is not changed; None stays None.
    """
    if not backup:
        return backup
    decoded = dict(backup)
    for field in JSON_FIELDS:
        if field in decoded:
            decoded[field] = decode_json_object(decoded[field])
    return decoded


def created_backup(answer, fields):
    """The record of a backup just created, when the task does not wait for it.

    The service answers a create with ``id``, ``name`` and ``links`` only. No request is spent
    on reading the record: the fields the task sent that are fields of a backup are added, and
    ``status`` is ``creating``, the status every backup starts in (the service's own answer wins
    where it says more).
    """
    known = dict((key, fields[key]) for key in RECORD_FIELDS if key in fields)
    known["status"] = "creating"
    known.update(answer)
    return backup_record(known)
