#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vbs_backup_restore
short_description: Restore a VBS disk backup onto an existing disk
version_added: 1.0.0
description:
  - Restores a backup onto an existing EVS disk with the VBS (Volume Backup Service) native
    OpenStack API (C(POST /v2/{project_id}/backups/{backup_id}/restore)) of Huawei Cloud, Open
    Telekom Cloud and compatible clouds. The data on the disk is replaced by the backup's.
  - The backup is chosen by O(backup_id), or by O(name) and O(volume_id) (or O(volume)), the
    disk that was backed up.
  - Before anything is sent the module checks that the backup is V(available) and that the
    target disk exists, is V(available) and is not smaller than the backup; otherwise it fails
    saying why, and nothing is restored.
  - Every run restores again, so the task always reports a change.
author:
  - vbs.cloud developers (@vbs-cloud)
options:
  backup_id:
    description:
      - ID of the backup to restore.
      - When O(name) or O(volume_id) is also given, the backup must match them, or the task fails
        without restoring.
    type: str
  name:
    description:
      - Name of the backup to restore, with O(volume_id). Any non-empty string is accepted.
      - Backups in status C(error), C(deleting) or C(error_deleting) are passed over when another
        backup has the name. When several backups of the disk have the name the task fails
        listing their IDs; give O(backup_id) instead.
    type: str
  target_volume:
    description:
      - Name or ID of the existing disk to restore onto; an alternative to O(target_volume_id),
        which it sets. Looked up through the block-storage API as O(volume) is; the task fails,
        restoring nothing, when no disk or several disks have the name.
    type: str
    version_added: 1.1.0
  target_volume_id:
    description:
      - ID of the existing disk to restore onto; its data is replaced. The disk must be
        V(available) (not attached to a server) and at least as large as the backup.
      - One of O(target_volume_id) and O(target_volume) is required.
      - This is the C(volume_id) of the API's restore request. In this collection O(volume_id)
        names the disk that was backed up, as in M(vbs.cloud.vbs_backup), so that
        C(module_defaults) can set it for every module of the group.
      - To restore a disk to an earlier state give the disk that was backed up.
    type: str
  timeout:
    description:
      - Seconds to wait for the restore when O(wait=true).
      - When it runs out the task fails, and the restore goes on in the cloud.
    type: int
    default: 1800
  volume:
    description:
      - Name or ID of the disk that was backed up, to find the backup by O(name); an
        alternative to O(volume_id), which it sets (the same option as in
        M(vbs.cloud.vbs_backup)).
      - Looked up through the block-storage API before anything else is done
        (C(GET /volumes/{id}) for a value shaped like an ID, else
        C(GET /volumes/detail?name=...)); the task fails when no disk or several disks have the
        name. The backups of a deleted disk are found with O(volume_id) only.
    type: str
    version_added: 1.1.0
  volume_id:
    description:
      - ID of the disk that was backed up. Required to find the backup by O(name), unless
        O(volume) is given.
    type: str
  wait:
    description:
      - Whether to wait until the backup is V(available) again and the target disk, from
        V(restoring-backup), is V(available) again.
    type: bool
    default: true
extends_documentation_fragment:
  - vbs.cloud.openstack
attributes:
  check_mode:
    description: Reads the backup and the target disk, sends no restore, and says what would be
      restored where.
    support: full
  diff_mode:
    description: A restore replaces the data of the disk, which has no before and after to show.
    support: none
  action_group:
    description: Use C(group/vbs.cloud.vbs) in C(module_defaults) to set its options.
    support: full
    membership:
      - vbs.cloud.vbs
notes:
  - The native VBS API is deprecated by Huawei Cloud and Open Telekom Cloud; it is kept for
    existing users, and new users are directed to CBR (Cloud Backup and Recovery).
  - The target disk is read with C(GET /v2/{project_id}/volumes/{volume_id}) at the same endpoint
    as the backups (the block-storage API of the cloud).
  - The service refuses a restore while a backup of the target disk is being created
    (C(VolumeBackup.0206)).
  - A restore reverts the target disk's capacity expansion on the public clouds; a disk enlarged
    after the backup was made has the backup's size again afterwards. Extend the disk again (and
    grow its file system) if the space is needed.
  - When O(wait=true) fails on a timeout, the restore goes on in the cloud; check the backup and
    the disk with M(vbs.cloud.vbs_backup_info) before running the task again, since every run
    restores again.
seealso:
  - module: vbs.cloud.vbs_backup
    description: Create or delete a backup.
  - module: vbs.cloud.vbs_backup_info
    description: List backups, to find the one to restore.
  - name: VBS native API, restoring a disk using a backup
    description: The API this module implements, on the page
      "Restoring a Disk Using a VBS Backup (Native OpenStack API)".
    link: https://github.com/opentelekomcloud-docs/volume-backup-service/tree/main/api-ref/source/api_description/vbs_backups
"""

EXAMPLES = r"""
- name: Restore a backup onto a spare disk
  vbs.cloud.vbs_backup_restore:
    cloud: otc
    backup_id: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
    target_volume_id: 3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11
  register: restored

- name: Say what was restored where
  ansible.builtin.debug:
    msg: "{{ restored.restore.backup_id }} is now on {{ restored.restore.volume_name }}"

- name: Roll a detached disk back to its backup of that name
  vbs.cloud.vbs_backup_restore:
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name: db01-data-nightly
    target_volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768

- name: The same with the disk given by name (it must be the only disk of that name)
  vbs.cloud.vbs_backup_restore:
    volume: db01-data
    name: db01-data-nightly
    target_volume: db01-data

# A whole cycle: back up, list, restore onto another disk, delete.
- name: Back up, list, restore and delete
  module_defaults:
    group/vbs.cloud.vbs:
      cloud: otc
      volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
  block:
    - name: Back up the disk
      vbs.cloud.vbs_backup:
        snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
        name: db01-data-nightly
      register: backup

    - name: List the available backups of the disk
      vbs.cloud.vbs_backup_info:
        status: available
      register: available

    - name: Restore the backup made above onto a spare disk
      vbs.cloud.vbs_backup_restore:
        backup_id: "{{ backup.backup_id }}"
        target_volume_id: 3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11
      register: restored

    - name: Delete the backup once it is restored
      vbs.cloud.vbs_backup:
        state: absent
        backup_id: "{{ restored.restore.backup_id }}"

# Ad-hoc, with the cloud chosen by OS_CLOUD (--check first says what would be restored where):
#   OS_CLOUD=otc ansible localhost -m vbs.cloud.vbs_backup_restore --check \
#     -a "backup_id=54ba0e69-48a0-4a77-9cdf-a7979a7e2648 \
#         target_volume_id=3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
"""

RETURN = r"""
msg:
  description: What was restored where, or in check mode what would be.
  returned: always
  type: str
  sample: Restored backup 54ba0e69-48a0-4a77-9cdf-a7979a7e2648 onto volume
    3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11 (spare-disk).
restore:
  description:
    - The service's answer to the restore; in check mode the answer predicted from the backup
      and the disk.
  returned: success
  type: dict
  contains:
    backup_id:
      description: ID of the backup restored.
      type: str
      sample: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
    volume_id:
      description: ID of the disk restored onto.
      type: str
      sample: 3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11
    volume_name:
      description: Name of the disk restored onto.
      type: str
      sample: spare-disk
backup:
  description:
    - The backup's full record; with O(wait) as read after the restore, otherwise (and in check
      mode) as read before it.
    - Shaped as the records of M(vbs.cloud.vbs_backup_info), so C(service_metadata), and a
      C(description) holding a JSON object, are decoded from their JSON strings into dicts.
  returned: success, and on failures that concern a known backup
  type: dict
  sample:
    id: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
    name: db01-data-nightly
    status: available
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    size: 10
volume:
  description: The target disk as the service shows it; with O(wait) as read after the
    restore, otherwise (and in check mode) as read before it.
  returned: success, and on failures that concern the target disk
  type: dict
  sample:
    id: 3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11
    name: spare-disk
    status: available
    size: 20
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
from ansible_collections.vbs.cloud.plugins.module_utils.client import GONE_STATUSES
from ansible_collections.vbs.cloud.plugins.module_utils.records import backup_record
from ansible_collections.vbs.cloud.plugins.module_utils.errors import AmbiguousName, BackupStateError, InputError, VbsError
from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_name_filter
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import wait_for_restore

BACKUP_HINTS = {
    "creating": "wait until the backup is created, then run the task again",
    "restoring": "the backup is being restored already: wait for that restore to finish, then "
                 "run the task again",
    "error": "a failed backup cannot be restored: restore another backup of the disk",
    "deleting": "the backup is being deleted: restore another backup of the disk",
    "error_deleting": "the backup failed to delete: restore another backup of the disk",
}
VOLUME_HINTS = {
    "in-use": "detach the disk from its server first",
    "restoring-backup": "another restore onto this disk is running: wait for it to finish",
}


def _label(record):
    return " (%s)" % record["name"] if record.get("name") else ""


class VbsBackupRestoreModule(VbsModule):
    argument_spec = dict(
        backup_id=dict(type="str"),
        name=dict(type="str"),
        target_volume=dict(type="str"),
        target_volume_id=dict(type="str"),
        timeout=dict(type="int", default=1800),
        volume=dict(type="str"),
        volume_id=dict(type="str"),
        wait=dict(type="bool", default=True),
    )
    module_kwargs = dict(
        mutually_exclusive=[("volume", "volume_id"), ("target_volume", "target_volume_id")],
        required_one_of=[("target_volume", "target_volume_id")])

    def run(self):
        self.validate()
        self.resolve("volume", "volume_id")  # names to IDs; no request when IDs are given
        self.target_found = self.resolve("target_volume", "target_volume_id")
        backup = self.find()
        volume = self.target(backup)
        params = self.params
        where = "backup %s%s onto volume %s%s" % (
            backup["id"], _label(backup), volume["id"], _label(volume))
        if self.check_mode:
            predicted = dict(backup_id=backup["id"], volume_id=volume["id"],
                             volume_name=volume.get("name"))
            return self.result("Would restore %s, replacing its data." % where, predicted,
                               backup, volume)
        answer = self.client.restore_backup(backup["id"], volume["id"])
        if not params["wait"]:
            return self.result("Started restoring %s; not waiting for it (wait: false)." % where,
                               answer, backup, volume)
        try:
            backup, volume = wait_for_restore(self.client, backup, volume["id"],
                                              params["timeout"])
        except VbsError as exc:  # the restore was accepted: the failure says so
            exc.changed = True
            if not getattr(exc, "backup", None):
                exc.backup = backup
            exc.result = dict(getattr(exc, "result", None) or {}, restore=answer)
            raise
        return self.result("Restored %s." % where, answer, backup, volume)

    def validate(self):
        params = self.params
        self.check_ids("backup_id", "volume_id", "target_volume_id", "project_id")
        if params["name"] is not None:
            check_name_filter(params["name"])
        if params["timeout"] < 0:
            raise InputError("timeout", "%d is negative" % params["timeout"], "seconds, 0 or more")
        if params["target_volume_id"] is None and params["target_volume"] is None:
            raise InputError("target_volume_id", "it is missing",
                             "give target_volume_id (or target_volume, its name or ID), the "
                             "disk to restore onto")
        if params["backup_id"]:
            return
        if params["name"] is None:
            raise InputError("backup_id", "it is missing",
                             "to choose the backup to restore give backup_id, or name and "
                             "volume_id")
        if params["volume_id"] is None and params["volume"] is None:
            raise InputError("volume_id", "it is missing",
                             "to find a backup by name give volume_id, the disk that was "
                             "backed up")

    def find(self):
        """The backup to restore, which must be 'available'."""
        params = self.params
        if params["backup_id"]:
            backup = self.client.get_backup(params["backup_id"])
            if backup is None:
                raise VbsError("Backup %s does not exist. What to do: check backup_id, for "
                               "example with vbs_backup_info." % params["backup_id"])
            self.check_match(backup)
        else:
            backup = self.find_by_name()
        status = backup.get("status")
        if status != "available":
            raise BackupStateError(
                "Backup %s%s is in status '%s', not 'available': it cannot be restored now. What "
                "to do: %s." % (backup["id"], _label(backup), status, BACKUP_HINTS.get(
                    status, "wait until it is 'available', or restore another backup")),
                backup)
        return backup

    def check_match(self, backup):
        params = self.params
        wrong = ["%s is '%s', not '%s'" % (key, backup.get(key), params[key])
                 for key in ("name", "volume_id")
                 if params[key] is not None and backup.get(key) != params[key]]
        if wrong:
            raise BackupStateError(
                "Backup %s does not match the task: its %s. Nothing was restored. What to do: "
                "check backup_id, or leave name and volume_id out."
                % (backup["id"], "; its ".join(wrong)),
                backup)

    def find_by_name(self):
        params = self.params
        found = self.client.named_backups(params["name"], params["volume_id"], ignore=())
        usable = [b for b in found if b.get("status") not in GONE_STATUSES] or found
        if not usable:
            raise VbsError("No backup named '%s' exists on volume %s. What to do: check name and "
                           "volume_id (the disk that was backed up), or give backup_id."
                           % (params["name"], params["volume_id"]))
        if len(usable) > 1:
            raise AmbiguousName(params["name"], params["volume_id"], usable)
        return usable[0]

    def target(self, backup):
        """The disk to restore onto, which must exist, be 'available' and be large enough."""
        volume_id = self.params["target_volume_id"]
        volume = self.target_found or self.client.get_volume(volume_id)  # read once
        if volume is None:
            raise BackupStateError(
                "Volume %s (target_volume_id) does not exist. Nothing was restored. What to do: "
                "check target_volume_id; restore onto an existing disk." % volume_id, backup)
        volume = dict(volume, id=volume.get("id") or volume_id)
        status = volume.get("status")
        if status != "available":
            raise BackupStateError(
                "Volume %s%s is in status '%s', not 'available': backup %s cannot be restored "
                "onto it now. What to do: %s." % (
                    volume_id, _label(volume), status, backup["id"],
                    VOLUME_HINTS.get(status, "the target disk must be 'available'")),
                backup, volume)
        size, needed = volume.get("size"), backup.get("size")
        if isinstance(size, int) and isinstance(needed, int) and size < needed:
            raise BackupStateError(
                "Volume %s%s has %d GB, less than the %d GB of backup %s. Nothing was restored. "
                "What to do: restore onto a disk of at least %d GB." % (
                    volume_id, _label(volume), size, needed, backup["id"], needed),
                backup, volume)
        return volume

    def result(self, msg, restore, backup, volume):
        return dict(changed=True, msg=msg, restore=restore,
                    backup=backup_record(backup), volume=volume)


def main():
    VbsBackupRestoreModule()()


if __name__ == "__main__":
    main()
