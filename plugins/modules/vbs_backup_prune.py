#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vbs_backup_prune
short_description: Keep the newest VBS backups of a disk and delete the rest
version_added: 1.1.0
description:
  - Rotates the backups of one disk with the VBS (Volume Backup Service) native OpenStack API of
    Huawei Cloud, Open Telekom Cloud and compatible clouds. Of the backups of O(volume_id) whose
    names match O(name_pattern), keeps the O(keep) newest and deletes the others (only those older
    than O(older_than), when it is given).
  - A disk holds at most 20 VBS backups (C(VolumeBackup.0040)), so a nightly backup needs a
    rotation; this module is that rotation in one task.
  - Lists every backup of the disk (C(GET /v2/{project_id}/backups/detail), following every
    page), then deletes (C(DELETE /v2/{project_id}/backups/{backup_id})) one backup at a time.
author:
  - vbs.cloud developers (@vbs-cloud)
options:
  keep:
    description:
      - How many of the newest matching backups in status C(available) to keep, by their
        C(created_at). V(0) keeps none.
      - Required, so that no rotation happens by a default nobody chose.
    type: int
    required: true
  name_pattern:
    description:
      - Only backups whose names match this shell-style pattern are ever considered, such as
        V(nightly-*). C(*) matches any text, C(?) one character, C([abc]) and C([!abc]) one
        character of (or not of) a set.
      - The match is case-sensitive and covers the whole name. There is no default; V(*) alone
        matches every backup of the disk and must be given outright.
    type: str
    required: true
  older_than:
    description:
      - Delete only backups older than this, a whole number followed by a unit, C(s), C(m),
        C(h), C(d) or C(w) (seconds, minutes, hours, days, weeks), such as V(7d), V(12h) or
        V(90m); several may follow each other, as in V(1d12h).
      - With O(keep) both must allow a deletion; the newest O(keep) backups are kept however old
        they are.
      - The age is the time between C(created_at) and the clock of the host that runs the module.
      - A value that is not such a duration fails the task before any request is sent.
    type: str
  timeout:
    description:
      - Seconds to wait, all deletions together, for the deleted backups to be gone when
        O(wait=true).
      - When it runs out the task fails naming the backups not yet deleted, and the deletion in
        progress goes on in the cloud.
    type: int
    default: 1800
  volume_id:
    description:
      - ID of the disk whose backups are rotated. Backups of other disks are never touched.
    type: str
    required: true
  wait:
    description:
      - Whether to wait until each deleted backup is gone before the next one is deleted.
      - With O(wait=false) every DELETE is sent at once, and a service that refuses to delete a
        backup on which a later (incremental) backup still depends refuses those.
    type: bool
    default: true
extends_documentation_fragment:
  - vbs.cloud.openstack
attributes:
  check_mode:
    description: Lists the backups, deletes nothing, and returns what would be deleted and kept.
    support: full
  diff_mode:
    description: Shows the matching backups before and after, one line each (creation time, name,
      ID, status), newest first.
    support: full
  action_group:
    description: Use C(group/vbs.cloud.vbs) in C(module_defaults) to set its options.
    support: full
    membership:
      - vbs.cloud.vbs
notes:
  - The native VBS API is deprecated by Huawei Cloud and Open Telekom Cloud; it is kept for
    existing users, and new users are directed to CBR (Cloud Backup and Recovery).
  - Backups in status C(creating), C(restoring) or C(deleting) (and C(error_deleting),
    C(error_restoring)) are never deleted and never counted as kept; they are returned in
    RV(skipped).
  - A backup in status C(error) is never counted among the kept ones. It is deleted when its
    name matches and it is older than O(older_than) (any matching one without O(older_than)),
    since it cannot be restored and takes one of the disk's 20 places; a younger one is left
    alone and returned in RV(skipped).
  - A backup without a readable C(created_at) is never deleted and never counted as kept.
  - Only backups in status C(available) or C(error) are ever deleted. They are deleted newest
    first, one at a time, so that an incremental backup is gone before the backup it depends on
    is deleted.
  - Check mode lists what would be deleted and deletes nothing.
  - A run after a successful prune finds nothing more to delete and reports no change.
  - When one deletion fails (the service refuses it, or the backup goes to C(error_deleting)),
    the others are still tried; the task then fails, returning in RV(deleted) the backups
    deleted and in RV(not_deleted) the others with the reason. A timeout stops the run there.
  - Deletions follow the same rules as M(vbs.cloud.vbs_backup) with
    O(vbs.cloud.vbs_backup#module:state=absent). A backup that goes back to C(available) after
    its DELETE is sent the DELETE again, at most 3 more times (each in RV(retries)), and
    C(error_deleting) fails saying to contact the cloud provider's support with the backup ID and
    the request ID, since deleting again does not help.
  - Reads, and calls that never reached the service, are retried on HTTP 429 and 5xx and lost
    connections, with back-off, as in the other modules.
seealso:
  - module: vbs.cloud.vbs_backup
    description: Create a backup, or delete one.
  - module: vbs.cloud.vbs_backup_info
    description: List the backups of a disk.
"""

EXAMPLES = r"""
- name: Keep the 7 newest nightly backups of the disk and delete the others
  vbs.cloud.vbs_backup_prune:
    cloud: otc
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name_pattern: nightly-*
    keep: 7

- name: Delete the weekly backups older than 30 days, but always keep the 2 newest
  vbs.cloud.vbs_backup_prune:
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name_pattern: weekly-*
    keep: 2
    older_than: 30d
  register: pruned

- name: Show what was deleted
  ansible.builtin.debug:
    msg: "Deleted {{ pruned.deleted | map(attribute='name') | join(', ') }}"

- name: See what a rotation would delete, without deleting anything
  vbs.cloud.vbs_backup_prune:
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name_pattern: nightly-*
    keep: 3
  check_mode: true
  diff: true
"""

RETURN = r"""
deleted:
  description:
    - The backups deleted, newest first, as listed before their deletion; in check mode those
      that would be deleted.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
      name: nightly-20261101
      status: available
      volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
      created_at: "2026-11-01T02:00:12.000000"
kept:
  description:
    - The matching backups in status C(available) that stay, newest first.
  returned: always
  type: list
  elements: dict
skipped:
  description:
    - The matching backups neither deleted nor kept, newest first, such as those in status
      C(creating), C(restoring) or C(deleting), and those in C(error) younger than
      O(older_than).
  returned: always
  type: list
  elements: dict
not_deleted:
  description:
    - When the task fails half-way, the backups that were to be deleted and are not, each with
      a C(reason).
  returned: failure after some deletions (with RV(deleted), RV(kept) and RV(skipped))
  type: list
  elements: dict
error:
  description:
    - What went wrong, when the task failed on an error answer or on a value it refused. It has
      one of two shapes.
    - An API error (the service, Keystone or the API gateway answered with an error) has
      RV(error.status), RV(error.code), RV(error.message) and RV(error.request_id).
    - An input error (a task value that breaks a rule of the API, refused before any request)
      has RV(error.option), RV(error.problem) and RV(error.rule).
  returned: failure on an API error or an input error
  type: dict
  contains:
    status:
      description: HTTP status of the error answer (API error).
      type: int
      sample: 403
    code:
      description:
        - The error code of the answer, such as C(VolumeBackup.0041) or C(APIG.0308) (API
          error).
      type: str
      sample: VolumeBackup.0041
    message:
      description: The error message of the answer (API error).
      type: str
      sample: The user has no rights to back up this disk.
    request_id:
      description: Request ID of the answer, to give the cloud's support (API error).
      type: str
      sample: req-6f2a1c9e-0b7d-4a55-9a3e-2d1f0c8b7a61
    option:
      description:
        - The option whose value was refused, such as C(name), or C(cloud.api_timeout) for a
          key of a O(cloud) dict (input error).
      type: str
      sample: name
    problem:
      description: What is wrong with the value (input error).
      type: str
      sample: it starts with 'auto', which the service reserves
    rule:
      description: The rule the value must follow (input error).
      type: str
      sample: 1 to 64 characters, letters, digits, '-' and '_'
endpoints:
  description:
    - The API roots of the task. Backup calls go to RV(endpoints.backups), volume and snapshot
      calls to RV(endpoints.volumes).
    - See O(service_type) and O(endpoint_override) for how they are found.
  returned: whenever the task connected to the cloud
  type: dict
  contains:
    backups:
      description: Root of the backup calls, C(.../v2/<project_id>) (or C(.../v3/<project_id>)).
      type: str
      sample: https://vbs.eu-de.otc.t-systems.com/v2/5751d8c3f2f6415993ee4326b41630ec
    volumes:
      description:
        - Root of the volume and snapshot calls (the block-storage API); V(null) when the
          catalog has no block-storage endpoint.
      type: str
      sample: https://evs.eu-de.otc.t-systems.com/v2/5751d8c3f2f6415993ee4326b41630ec
retries:
  description:
    - The calls that were tried again on the way, and why (HTTP 429 or 5xx, a lost connection,
      a busy disk, a backup adopted after a lost answer, a DELETE sent again to a backup that
      went back to C(available)). Only present when there were any.
  returned: when a call was retried
  type: list
  elements: dict
  contains:
    operation:
      description: What was being done.
      type: str
      sample: Creating the backup
    attempt:
      description: Number of the attempt that failed.
      type: int
      sample: 1
    reason:
      description: Why it was tried again.
      type: str
      sample: HTTP 503
    delay:
      description: Seconds waited before the next attempt.
      type: float
      sample: 1.37
"""

from ansible_collections.vbs.cloud.plugins.module_utils.base import VbsModule
from ansible_collections.vbs.cloud.plugins.module_utils.errors import InputError, PartlyDone
from ansible_collections.vbs.cloud.plugins.module_utils.records import backup_record
from ansible_collections.vbs.cloud.plugins.module_utils.rotation import delete_backups, plan
from ansible_collections.vbs.cloud.plugins.module_utils.rules import (
    check_duration, check_name_pattern,
)


class VbsBackupPruneModule(VbsModule):
    argument_spec = dict(
        keep=dict(type="int", required=True),
        name_pattern=dict(type="str", required=True),
        older_than=dict(type="str"),
        timeout=dict(type="int", default=1800),
        volume_id=dict(type="str", required=True),
        wait=dict(type="bool", default=True),
    )

    def run(self):
        params = self.params
        self.check_ids("volume_id", "project_id")
        check_name_pattern(params["name_pattern"])
        if params["keep"] < 0:
            raise InputError("keep", "%d is negative" % params["keep"], "a number, 0 or more")
        older_than = None
        if params["older_than"] is not None:
            older_than = check_duration(params["older_than"], "older_than")
        if params["timeout"] < 0:
            raise InputError("timeout", "%d is negative" % params["timeout"], "seconds, 0 or more")

        listed = self.client.list_backups(volume_id=params["volume_id"])
        backups = [backup_record(b) for b in listed]
        doomed, kept, skipped = plan(backups, params["name_pattern"], params["keep"], older_than)
        changed = bool(doomed)
        if doomed and not self.check_mode:
            try:
                doomed, changed = delete_backups(self.client, doomed, params["timeout"],
                                                 params["wait"])
            except PartlyDone as exc:
                exc.result.update(kept=kept, skipped=skipped)
                raise
        result = dict(changed=changed, deleted=doomed, kept=kept, skipped=skipped)
        if self.ansible._diff:
            before = sorted(doomed + kept + skipped, key=_line, reverse=True)
            result["diff"] = dict(before="".join(_line(b) for b in before),
                                  after="".join(_line(b) for b in before if b not in doomed))
        return result


def _line(backup):
    """One backup in the diff: its creation time, name, ID and status."""
    return "%s %s %s %s\n" % (backup.get("created_at"), backup.get("name"), backup.get("id"),
                              backup.get("status"))


def main():
    VbsBackupPruneModule()()


if __name__ == "__main__":
    main()
