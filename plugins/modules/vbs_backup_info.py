#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vbs_backup_info
short_description: List VBS disk backups, or read one
version_added: 1.0.0
description:
  - Reads one backup by O(backup_id) (C(GET /v2/{project_id}/backups/{backup_id})), or lists
    the backups that match O(name), O(volume_id) and O(status)
    (C(GET /v2/{project_id}/backups/detail)) with the VBS (Volume Backup Service) native
    OpenStack API of Huawei Cloud, Open Telekom Cloud and compatible clouds.
  - Follows the pages of the listing, so every matching backup is returned however many there
    are.
  - Never changes anything.
author:
  - vbs.cloud developers (@vbs-cloud)
options:
  backup_id:
    description:
      - ID of the backup to read. A backup that does not exist gives an empty O(ignore:backups)
        list, not a failure.
      - O(name), O(status) and O(volume_id), when also given, must match the backup too, or the
        list is empty.
    type: str
  name:
    description:
      - Only backups of exactly this name.
      - Any non-empty string is accepted, including names a create would refuse (such as the
        C(autobk_…) names of backup policies), so that every backup can be found.
    type: str
  status:
    description:
      - Only backups in this status.
    type: str
    choices: [available, creating, deleting, error, error_deleting, error_restoring, restoring]
  volume:
    description:
      - Only backups of this disk, given by name or ID, as in
        C(openstack.cloud.volume_backup_info); an alternative to O(volume_id), which it sets.
      - Looked up through the block-storage API first (C(GET /volumes/{id}) for a value shaped
        like an ID, else C(GET /volumes/detail?name=...)). The task fails when no disk or
        several disks have the name (C(openstack.cloud.volume_backup_info) returns an empty list
        instead). The backups of a deleted disk are found with O(volume_id) only.
    type: str
    version_added: 1.1.0
  volume_id:
    description:
      - Only backups of this disk. Costs no lookup.
    type: str
extends_documentation_fragment:
  - vbs.cloud.openstack
attributes:
  check_mode:
    description: Reads are sent in check mode too; the result is the same.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no difference to show.
    support: none
  action_group:
    description: Use C(group/vbs.cloud.vbs) in C(module_defaults) to set its options.
    support: full
    membership:
      - vbs.cloud.vbs
notes:
  - The native VBS API is deprecated by Huawei Cloud and Open Telekom Cloud; it is kept for
    existing users, and new users are directed to CBR (Cloud Backup and Recovery).
  - The filters are sent to the service and applied again to its answer, since not every
    deployment filters on its side.
  - The backups come in the order of the service (by default the newest first).
seealso:
  - module: vbs.cloud.vbs_backup
    description: Create or delete a backup.
  - module: vbs.cloud.vbs_backup_restore
    description: Restore a backup onto a disk.
  - name: VBS native API, querying details about backups
    description: The API this module implements, on the page
      "Querying Details About VBS Backups (Native OpenStack API)".
    link: https://github.com/opentelekomcloud-docs/volume-backup-service/tree/main/api-ref/source/api_description/vbs_backups
"""

EXAMPLES = r"""
- name: List every backup of a disk
  vbs.cloud.vbs_backup_info:
    cloud: otc
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
  register: disk_backups

- name: List the backups of a disk given by its name (or ID), as with openstack.cloud
  vbs.cloud.vbs_backup_info:
    cloud: otc
    volume: db01-data

- name: Show their IDs, names, statuses and whether they are full or incremental
  ansible.builtin.debug:
    msg: >-
      {{ item.id }} {{ item.name }} {{ item.status }}
      {{ 'incremental' if (item.service_metadata | default({})).Type | default(0) | int == 1
         else 'full' }}
  loop: "{{ disk_backups.backups }}"

- name: Read one backup by ID (an empty list when it does not exist)
  vbs.cloud.vbs_backup_info:
    backup_id: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
  register: one

- name: Find the backups that failed
  vbs.cloud.vbs_backup_info:
    status: error
  register: failed_backups

# A whole cycle: back up, list, restore onto another disk, delete.
- name: Back up, list, restore and delete
  module_defaults:
    group/vbs.cloud.vbs:
      cloud: otc
  block:
    - name: Back up the disk
      vbs.cloud.vbs_backup:
        volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
        snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
        name: db01-data-nightly
      register: backup

    - name: List the backups of the disk
      vbs.cloud.vbs_backup_info:
        volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
        status: available
      register: available

    - name: Restore the newest one onto a spare disk
      vbs.cloud.vbs_backup_restore:
        backup_id: "{{ available.backups[0].id }}"
        target_volume_id: 3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11
      register: restored

    - name: Delete the backup made above
      vbs.cloud.vbs_backup:
        state: absent
        backup_id: "{{ backup.backup_id }}"

# Ad-hoc, with the cloud chosen by OS_CLOUD:
#   OS_CLOUD=otc ansible localhost -m vbs.cloud.vbs_backup_info \
#     -a "volume_id=c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
"""

RETURN = r"""
backups:
  description:
    - The backups found, as full records of the service; empty when none matches.
    - C(service_metadata) is decoded from the JSON string of the service into a dict; when it
      is not valid JSON it is left as the string. So is C(description) when it holds a JSON
      object (such as C({"DESC":"...","INC":1})); any other description stays a string.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: ID of the backup.
      type: str
      sample: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
    name:
      description: Name of the backup.
      type: str
      sample: db01-data-nightly
    description:
      description:
        - Description of the backup, a string; a dict when the service stored a JSON object
          in it, such as C({"DESC":"...","INC":1}), which is decoded like C(service_metadata).
      type: raw
      sample: Nightly backup of the database disk
    status:
      description: Status of the backup.
      type: str
      sample: available
    volume_id:
      description: ID of the disk that was backed up.
      type: str
      sample: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    snapshot_id:
      description: ID of the snapshot that was backed up.
      type: str
    size:
      description: Size of the backup in GB.
      type: int
      sample: 10
    fail_reason:
      description: Why the backup failed, when it did.
      type: str
    created_at:
      description: When the backup was created.
      type: str
      sample: "2026-01-01T00:00:00.000000"
    service_metadata:
      description:
        - Details of the service, such as C(progress) and C(Type) (V(0) full, V(1)
          incremental backup).
      type: dict
      sample:
        progress: "100"
        Type: 1
        snap_id: 665e411f5d87431ca98c199fbd4a64fd
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
from ansible_collections.vbs.cloud.plugins.module_utils.records import backup_record
from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_name_filter

FILTERS = ("name", "status", "volume_id")
STATUSES = ["available", "creating", "deleting", "error", "error_deleting", "error_restoring",
            "restoring"]


class VbsBackupInfoModule(VbsModule):
    argument_spec = dict(
        backup_id=dict(type="str"),
        name=dict(type="str"),
        status=dict(type="str", choices=STATUSES),
        volume=dict(type="str"),
        volume_id=dict(type="str"),
    )
    module_kwargs = dict(mutually_exclusive=[("volume", "volume_id")])

    def run(self):
        params = self.params
        self.check_ids("backup_id", "volume_id", "project_id")
        if params["name"] is not None:
            check_name_filter(params["name"])
        self.resolve("volume", "volume_id")  # a name or ID to volume_id; no request without it
        filters = dict((key, params[key]) for key in FILTERS if params[key] is not None)
        if params["backup_id"]:
            backup = self.client.get_backup(params["backup_id"])
            backups = [backup] if backup is not None else []
            backups = [b for b in backups
                       if all(b.get(key) == value for key, value in filters.items())]
        else:
            backups = self.client.list_backups(**filters)
        return dict(changed=False, backups=[backup_record(b) for b in backups])


def main():
    VbsBackupInfoModule()()


if __name__ == "__main__":
    main()
