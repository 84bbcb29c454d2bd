#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: vbs_backup
short_description: Create or delete a VBS disk backup
version_added: 1.0.0
description:
  - Creates a backup of an EVS disk with the VBS (Volume Backup Service) native OpenStack API
    (C(POST /v2/{project_id}/backups)) of Huawei Cloud, Open Telekom Cloud and compatible clouds,
    or deletes one.
  - Every rule of the API on names, descriptions and IDs is checked before any request is sent.
  - With O(name) the module is idempotent; without it every run creates a new backup.
author:
  - vbs.cloud developers (@vbs-cloud)
options:
  backup_id:
    description:
      - ID of an existing backup. With O(state=present) the backup must exist and is returned
        unchanged; with O(state=absent) it is deleted.
    type: str
  container:
    description:
      - Backup container. Reserved by the API and skipped by the service.
      - At most 255 printable characters (the limit of OpenStack Cinder).
    type: str
  description:
    description:
      - Description of the backup, 0 to 255 characters without C(<) or C(>).
    type: str
  force:
    description:
      - Whether to back up a disk that is attached to a server (status C(in-use)).
    type: bool
    default: false
  incremental:
    description:
      - Whether to make an incremental backup. Skipped by the service, which makes the first
        backup of a disk a full one and later ones incremental.
    type: bool
  name:
    description:
      - Name of the backup, 1 to 64 ASCII letters, digits, underscores and hyphens, not starting
        with C(auto).
      - The key of idempotency. When a backup of this name exists on O(volume_id) (and is not in
        status C(error) or C(deleting)), it is returned and nothing is created; when several
        exist the task fails listing their IDs.
      - Without a name every run with O(state=present) creates a new backup.
    type: str
  snapshot_id:
    description:
      - ID of the snapshot of O(volume_id) to back up. Required to create a backup.
    type: str
  state:
    description:
      - V(present) creates the backup unless it exists; V(absent) deletes it.
    type: str
    choices: [absent, present]
    default: present
  timeout:
    description:
      - Seconds to wait for the backup to be created (or deleted) when O(wait=true).
      - When it runs out the task fails, and the operation goes on in the cloud.
    type: int
    default: 1800
  volume_id:
    description:
      - ID of the disk to back up. Required to create a backup, and to find one by O(name).
    type: str
  wait:
    description:
      - Whether to wait until the backup is V(available) (or gone, with O(state=absent)).
      - With O(wait=true), a create refused because the disk's previous backup is still running
        is tried again until O(timeout); without it the task fails with that reason.
    type: bool
    default: true
extends_documentation_fragment:
  - vbs.cloud.openstack
attributes:
  check_mode:
    description: Sends no write request and predicts C(changed) and the backup.
    support: full
  diff_mode:
    description: Shows the backup before and after the task.
    support: full
  action_group:
    description: Use C(group/vbs.cloud.vbs) in C(module_defaults) to set its options.
    support: full
    membership:
      - vbs.cloud.vbs
notes:
  - The native VBS API is deprecated by Huawei Cloud and Open Telekom Cloud; it is kept for
    existing users, and new users are directed to CBR (Cloud Backup and Recovery).
  - VBS makes the first backup of a disk a full backup and later ones incremental; O(container)
    and O(incremental) are skipped by the service and only sent when set.
  - Only one backup of a disk can be created at a time; a second create while one is running is
    refused by the service (C(VolumeBackup.0013)).
  - The disk must be C(available), or C(in-use) with O(force=true).
  - Reads, and calls that never reached the service, are retried on HTTP 429 (after its
    C(Retry-After)), 500, 502, 503, 504 and lost connections, with exponential back-off and
    jitter, at most 5 attempts within O(timeout). A create whose answer was lost or was a 5xx is
    never simply sent again; with O(name) the backup it made is looked up and adopted, without
    O(name) the task fails saying so, so that no duplicate backup is ever made.
  - With O(state=absent) and O(wait=true), a backup that goes back to C(available) (or C(error))
    after the DELETE did not take it, and is sent the DELETE again, at most 3 more times, each
    listed in RV(retries). A backup that goes to C(error_deleting) is not deleted again: only the
    cloud provider's support can remove it, and the task fails saying so, with the backup ID and
    the request ID of the DELETE.
seealso:
  - name: VBS native API, creating a backup
    description: The API this module implements.
    link: https://support.huaweicloud.com/intl/en-us/api-vbs/en-us_topic_0051408629.html
"""

EXAMPLES = r"""
- name: Back up a disk once (the name makes re-runs safe)
  vbs.cloud.vbs_backup:
    cloud: otc
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
    name: db01-data-nightly
    description: Nightly backup of the database disk
  register: backup

- name: Use the backup ID in the next task
  ansible.builtin.debug:
    msg: "Backup {{ backup.backup_id }} is {{ backup.backup.status }}"

- name: Back up an attached disk without waiting for the backup to finish
  vbs.cloud.vbs_backup:
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
    name: web01-root
    force: true
    wait: false

- name: Set the cloud once for every VBS module with module_defaults
  module_defaults:
    group/vbs.cloud.vbs:
      cloud: otc
      region_name: eu-de
  block:
    - name: Back up the disk
      vbs.cloud.vbs_backup:
        volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
        snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
        name: db01-data-weekly

# Ad-hoc, with the cloud chosen by OS_CLOUD:
#   OS_CLOUD=otc ansible localhost -m vbs.cloud.vbs_backup \
#     -a "volume_id=c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768 \
#         snapshot_id=2bb856e1-b3d8-4432-a858-09e4ce939389 name=adhoc-1"

# AWX / Ansible Automation Platform: attach an "OpenStack" credential to the job template.
# It writes a clouds.yaml with one cloud and sets OS_CLIENT_CONFIG_FILE, so no auth option
# is needed in the task:
- name: Back up a disk from an AWX job template
  vbs.cloud.vbs_backup:
    volume_id: "{{ volume_id }}"
    snapshot_id: "{{ snapshot_id }}"
    name: "awx-{{ tower_job_id | default('manual') }}"

- name: Delete a backup by name
  vbs.cloud.vbs_backup:
    state: absent
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name: db01-data-nightly
"""

RETURN = r"""
backup_id:
  description: ID of the backup created, found or deleted; V(null) in check mode when the backup
    would be created.
  returned: success
  type: str
  sample: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
backup:
  description:
    - The backup. After a create without O(wait) the service's answer (C(id), C(name),
      C(links)); with O(wait), or when the backup was found, the full record including its
      C(status).
    - In check mode, the fields that would be sent.
  returned: success, and on failures that concern a known backup
  type: dict
  sample:
    id: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
    name: backup1
    status: available
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
    links:
      - href: https://volume.example.com/v2/5751d8c3f2f6415993ee4326b41630ec/backups/54ba0e69-48a0-4a77-9cdf-a7979a7e2648
        rel: self
error:
  description: The error answer of the service, when the task failed on one.
  returned: failure on an API error
  type: dict
  contains:
    status:
      description: HTTP status.
      type: int
      sample: 400
    code:
      description: The service's error code.
      type: str
      sample: VolumeBackup.0013
    message:
      description: The service's error message.
      type: str
    request_id:
      description: Request ID to give the cloud's support.
      type: str
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
      sample: Listing backups
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
from ansible_collections.vbs.cloud.plugins.module_utils.errors import AmbiguousName, InputError, VbsError
from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_container, check_description, check_name
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import delete_and_wait, wait_for_backup

CREATE_FIELDS = ("volume_id", "snapshot_id", "name", "description", "container", "incremental",
                 "project_id")
BUSY_STATUSES = ("creating", "restoring")


class VbsBackupModule(VbsModule):
    argument_spec = dict(
        backup_id=dict(type="str"),
        container=dict(type="str"),
        description=dict(type="str"),
        force=dict(type="bool", default=False),
        incremental=dict(type="bool"),
        name=dict(type="str"),
        snapshot_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["absent", "present"]),
        timeout=dict(type="int", default=1800),
        volume_id=dict(type="str"),
        wait=dict(type="bool", default=True),
    )

    def run(self):
        self.validate()
        backup = self.find()
        if self.params["state"] == "absent":
            return self.delete(backup)
        return self.create(backup)

    def validate(self):
        params = self.params
        self.check_ids("volume_id", "snapshot_id", "backup_id", "project_id")
        if params["name"] is not None:
            check_name(params["name"])
        if params["description"] is not None:
            check_description(params["description"])
        if params["container"] is not None:
            check_container(params["container"])
        if params["timeout"] < 0:
            raise InputError("timeout", "%d is negative" % params["timeout"], "seconds, 0 or more")
        if params["backup_id"]:
            return
        if params["state"] == "present":
            for option in ("volume_id", "snapshot_id"):
                if params[option] is None:
                    raise InputError(option, "it is missing",
                                     "volume_id and snapshot_id are required to create a backup")
        elif not (params["name"] and params["volume_id"]):
            raise InputError("backup_id", "it is missing",
                             "to delete a backup give backup_id, or name and volume_id")

    def find(self):
        """The backup the task names, or None; fails when a name matches several."""
        params = self.params
        if params["backup_id"]:
            backup = self.client.get_backup(params["backup_id"])
            if backup is None and params["state"] == "present":
                raise VbsError("Backup %s does not exist. What to do: check backup_id, or leave "
                               "it out to create a backup." % params["backup_id"])
            return backup
        if not params["name"]:
            return None
        ignored = GONE_STATUSES if params["state"] == "present" else ("deleting",)
        found = self.client.named_backups(params["name"], params["volume_id"], ignored)
        if len(found) > 1:
            raise AmbiguousName(params["name"], params["volume_id"], found)
        return found[0] if found else None

    def create(self, backup):
        params = self.params
        if backup is not None:
            if params["wait"] and not self.check_mode and backup.get("status") in BUSY_STATUSES:
                backup = wait_for_backup(self.client, backup, params["timeout"])
            return self.result(False, backup, backup)
        fields = dict((key, params[key]) for key in CREATE_FIELDS if params[key] is not None)
        if params["force"]:
            fields["force"] = True
        if self.check_mode:
            return self.result(True, None, dict(fields, id=None))
        backup = self.client.create_backup(fields, wait_while_busy=params["wait"])
        if params["wait"]:
            backup = wait_for_backup(self.client, dict(backup, status="creating"),
                                                 params["timeout"])
        return self.result(True, None, backup)

    def delete(self, backup):
        params = self.params
        if backup is None:
            return self.result(False, None, {})
        if self.check_mode:
            return self.result(True, backup, {})
        if params["wait"] and backup.get("status") in BUSY_STATUSES:
            backup = wait_for_backup(self.client, backup, params["timeout"],
                                                 until=("available", "error"))
        changed = delete_and_wait(self.client, backup, params["timeout"], wait=params["wait"])
        return self.result(changed, backup, {})

    def result(self, changed, before, after):
        backup = after or before or {}
        result = dict(changed=changed, backup_id=backup.get("id"), backup=backup)
        if self.ansible._diff:
            result["diff"] = dict(before=before or {}, after=after or {})
        return result


def main():
    VbsBackupModule()()


if __name__ == "__main__":
    main()
