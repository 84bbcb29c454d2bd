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
      - Without O(snapshot_id) it is also sent with the snapshot the task makes, which an
        attached disk needs.
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
        with C(auto) in any case (C(AutoBackup1) and C(AUTO-x) are refused too).
      - The key of idempotency. When a backup of this name exists on O(volume_id) (and is not in
        status C(error) or C(deleting)), it is returned and nothing is created; when several
        exist the task fails listing their IDs.
      - Without a name every run with O(state=present) creates a new backup.
    type: str
  snapshot:
    description:
      - Name or ID of the snapshot of the disk to back up, as in C(openstack.cloud.volume_backup);
        an alternative to O(snapshot_id), which it sets.
      - Looked up through the block-storage API before anything else is done. A value shaped
        like an ID (a UUID) is read with C(GET /snapshots/{id}); when no snapshot has that ID,
        or the value is a name, the snapshots of the disk of that name are listed
        (C(GET /snapshots/detail?name=...&volume_id=...)). The task fails when none or several
        have the name; give O(snapshot_id) then.
      - Without O(snapshot) and O(snapshot_id) the task makes the snapshot itself.
    type: str
    version_added: 1.1.0
  snapshot_id:
    description:
      - ID of the snapshot of O(volume_id) to back up. Costs no lookup.
      - Without it the task makes the snapshot itself (a backup in one task) through the
        block-storage API, backs it up, and deletes it again, also when the backup fails; see
        the notes and RV(snapshot). The snapshot is named C(<name>-vbs-cloud-snap) (or
        C(vbs-cloud-snap) without O(name)) and carries the metadata C(vbs.cloud=made-for-backup).
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
  volume:
    description:
      - Name or ID of the disk to back up, as in C(openstack.cloud.volume_backup); an
        alternative to O(volume_id), which it sets.
      - Looked up through the block-storage API before anything else is done. A value shaped
        like an ID (a UUID) is read with C(GET /volumes/{id}); when no volume has that ID, or the
        value is a name, the volumes of that name are listed (C(GET /volumes/detail?name=...)).
        The task fails when none or several have the name; give O(volume_id) then.
    type: str
    version_added: 1.1.0
  volume_id:
    description:
      - ID of the disk to back up. Required to create a backup, and to find one by O(name),
        unless O(volume) is given. Costs no lookup.
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
    description: Sends no write request and predicts C(changed) and the backup. Before predicting
      a create it reads the disk (and the snapshot, when O(snapshot_id) is given), and fails as
      the create would when the disk does not exist, is C(in-use) without O(force), is in a
      status that cannot be backed up, or the snapshot is not an C(available) snapshot of the
      disk. Only check mode sends these reads.
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
  - "Without O(snapshot_id), with O(wait=true): the task makes the snapshot, waits until it is
    C(available), creates the backup from it, waits for the backup, deletes the snapshot and
    waits until it is gone (at most 300 seconds more). If the backup fails, the snapshot is
    deleted too, unless a backup made from it is still being created."
  - "Without O(snapshot_id), with O(wait=false): the snapshot stays until its backup is done.
    Every run of the module with O(state=present) and without O(snapshot_id) on a disk (any
    O(name), any O(wait), also when the backup is found by name) deletes the disk's snapshots that carry the metadata
    C(vbs.cloud=made-for-backup), are C(available) or C(error), and whose backups (at least one
    backup was made from it) are all past C(creating). Such a deletion counts as a change.
    A snapshot without that metadata is never deleted. A marked snapshot without any backup
    made from it (a run interrupted between the snapshot and the backup, or a backup deleted
    since) is kept and reported in RV(snapshots_kept) with a warning."
  - An existing backup found by O(name) means no snapshot is made. Check mode makes no snapshot
    and no backup, and reports the leftovers it would delete.
  - openstack.cloud's and opentelekomcloud.cloud's modules leave the snapshots they make; this
    one does not.
  - Reads, and calls that never reached the service, are retried on HTTP 429 (after its
    C(Retry-After)) or the API gateway's throttling code C(APIG.0308), 500, 502, 503, 504 and
    lost connections, with exponential back-off and jitter, at most 5 attempts within
    O(timeout). While waiting for a backup, a poll that still fails that way is read again at
    the next poll, until O(timeout).
  - "A create is never sent again while an earlier one may still be making the backup. A POST
    that may have reached the service (no answer within O(api_timeout), a lost or cut-off
    answer, HTTP 500, 502, 503, 504 or another 5xx but 501) is, without O(name), not sent again:
    the task fails saying the outcome is unknown. With O(name), the disk's backups of that name
    are looked up for a grace period of max(2 x O(api_timeout), 30) seconds (30 without
    O(api_timeout)), ending at O(timeout) at the latest; a backup that appears is adopted (the
    task reports it as created). Only when none has appeared by the end of the grace period is
    the POST sent again. Once a POST of unknown outcome was sent, the name is looked up again
    before every later POST (also after a busy disk, an HTTP 429 or a refused connection) and
    before the task fails."
  - "A create sends at most 5 POSTs that end in HTTP 429, a 5xx or a lost connection, within
    O(timeout); refusals because the disk's previous backup is running are tried again until
    O(timeout) (with O(wait=true)). Every POST has its number in RV(retries) (C(attempt)), and a
    failure says how many times the request was sent, how each ended, and what was found."
  - "When a create sent the POST again after one of unknown outcome, the disk's backups of the
    name are counted once more at the end; if there are several (a lost request made one after
    all), the task says so in a warning and in RV(duplicates)."
  - When the service accepted the create (or the deletion) and the task then fails (the backup
    went to C(error), a wait timed out), the failure has C(changed=true) and RV(backup_id).
  - With O(state=absent) and O(wait=true), a backup that goes back to C(available) (or C(error))
    after the DELETE did not take it, and is sent the DELETE again, at most 3 more times, each
    listed in RV(retries). A backup that goes to C(error_deleting) is not deleted again (only the
    cloud provider's support can remove it); the task fails saying so, with the backup ID and
    the request ID of the DELETE.
seealso:
  - name: VBS native API, creating a backup
    description: The API this module implements.
    link: https://support.huaweicloud.com/intl/en-us/api-vbs/en-us_topic_0051408629.html
"""

EXAMPLES = r"""
- name: Back up a disk in one task (the module makes the snapshot and deletes it afterwards)
  vbs.cloud.vbs_backup:
    cloud: otc
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    name: db01-data-nightly
    force: true  # the disk is attached to a server
  register: backup

- name: Back up a disk from a snapshot made beforehand (the name makes re-runs safe)
  vbs.cloud.vbs_backup:
    cloud: otc
    volume_id: c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768
    snapshot_id: 2bb856e1-b3d8-4432-a858-09e4ce939389
    name: db01-data-nightly
    description: Nightly backup of the database disk
  register: backup

- name: Back up a disk and snapshot given by name, as with openstack.cloud.volume_backup
  vbs.cloud.vbs_backup:
    cloud: otc
    volume: db01-data          # a name or an ID; fails if several disks have the name
    snapshot: db01-data-snap   # looked up among the snapshots of that disk
    name: db01-data-nightly

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
    would be created. Also on a failure after the service accepted the create or the deletion
    (the failure then has C(changed=true)).
  returned: success, and on failures that concern a known backup
  type: str
  sample: 54ba0e69-48a0-4a77-9cdf-a7979a7e2648
backup:
  description:
    - The backup, in the shape of the records of M(vbs.cloud.vbs_backup_info) (the service's
      full record, C(service_metadata) and a JSON C(description) decoded into dicts) when the
      backup was found or waited for.
    - After a create without O(wait) no request is spent on reading it. The backup is then the
      service's answer (C(id), C(name), C(links)) with the fields sent (C(volume_id),
      C(snapshot_id), C(description), C(container)) and C(status) V(creating), the status every
      backup starts in. Read it with M(vbs.cloud.vbs_backup_info) for the other fields.
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
snapshot:
  description:
    - The snapshot the backup is made from. With O(snapshot_id) that snapshot
      (RV(snapshot.made_by_task=false)); without it the snapshot this run made, or, when the
      backup was found by O(name), the one the backup was made from.
  returned: with O(state=present), also on failures after the task made a snapshot
  type: dict
  contains:
    id:
      description: Snapshot ID; V(null) in check mode when one would be made.
      type: str
      sample: 0e5d3a57-6b8c-4f8c-9d55-6f6ab4d1e0a2
    name:
      description: Name of the snapshot the task made.
      type: str
      sample: db01-data-nightly-vbs-cloud-snap
    made_by_task:
      description: Whether this run of the task made the snapshot.
      type: bool
    removed:
      description: Whether this run deleted the snapshot (in check mode, would delete it).
      type: bool
    status:
      description: Its status when the task ended; V(deleted) when it no longer exists.
      type: str
      sample: deleted
    removal:
      description: How a snapshot made for a backup that remains will be deleted (when
        RV(snapshot.removed=false)).
      type: str
snapshots_removed:
  description: IDs of snapshots made by earlier runs (marked C(vbs.cloud=made-for-backup)) that
    this run deleted because their backups are done; in check mode, that it would delete.
  returned: when there were any
  type: list
  elements: str
snapshots_kept:
  description: IDs of marked snapshots of the disk from which no backup was made; they are kept
    (a run may be about to use one) and reported with a warning.
  returned: when there were any
  type: list
  elements: str
duplicates:
  description:
    - IDs of the other backups of O(name) on the disk, when a create had to send its POST again
      after one of unknown outcome and the disk then had several backups of the name (the lost
      request made one after all). A warning says the same. Delete the extra ones; the next run
      fails on the ambiguous name until then.
  returned: after such a create, when there were any
  type: list
  elements: str
  sample: [0b8d0a2e-5a0e-4bd8-9d0f-6d7c1c0a8f31]
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
from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    AmbiguousName, BackupStateError, InputError, UnknownOutcome, VbsError,
)
from ansible_collections.vbs.cloud.plugins.module_utils.records import backup_record, created_backup
from ansible_collections.vbs.cloud.plugins.module_utils.own_snapshot import (
    CLEANUP_TIMEOUT, MARKER_TEXT, Cleanup, make_snapshot, snapshot_name,
)
from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_container, check_description, check_name
from ansible_collections.vbs.cloud.plugins.module_utils.waiters import (
    delete_and_wait, refuse_error_deleting, wait_for_backup,
)

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
        snapshot=dict(type="str"),
        snapshot_id=dict(type="str"),
        state=dict(type="str", default="present", choices=["absent", "present"]),
        timeout=dict(type="int", default=1800),
        volume=dict(type="str"),
        volume_id=dict(type="str"),
        wait=dict(type="bool", default=True),
    )
    module_kwargs = dict(mutually_exclusive=[("volume", "volume_id"),
                                             ("snapshot", "snapshot_id")])

    def run(self):
        self.validate()
        self.resolve("volume", "volume_id")  # names to IDs; no request when IDs are given
        self.resolve("snapshot", "snapshot_id", "snapshot", self.params["volume_id"])
        backup = self.find()
        if self.params["state"] == "absent":
            return self.delete(backup)
        if self.params["snapshot_id"] is None and not self.params["backup_id"]:
            return self.create_with_own_snapshot(backup)
        result = self.create(backup)
        if self.params["snapshot_id"] is not None:
            result.setdefault("snapshot", dict(id=self.params["snapshot_id"],
                                               made_by_task=False, removed=False))
        return result

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
            if params["volume_id"] is None and params["volume"] is None:
                raise InputError("volume_id", "it is missing",
                                 "volume_id (or volume, the disk's name or ID) is required to "
                                 "create a backup")
        elif not (params["name"] and (params["volume_id"] or params["volume"])):
            raise InputError("backup_id", "it is missing",
                             "to delete a backup give backup_id, or name and volume_id (or "
                             "volume)")

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
            self.predict_create()
            return self.result(True, None, dict(fields, id=None))
        backup = self.client.create_backup(fields, wait_while_busy=params["wait"])
        try:
            if params["wait"]:
                backup = wait_for_backup(self.client, dict(backup, status="creating"),
                                         params["timeout"])
            else:  # the answer and the fields sent, status 'creating': no request to read it
                backup = created_backup(backup, fields)
        except VbsError as exc:  # the backup exists: the failure says so, with its id
            raise _accepted(exc, backup)
        result = self.result(True, None, backup)
        self.report_duplicates(result)
        return result

    def report_duplicates(self, result):
        """After a create that sent the POST again after one of unknown fate, say whether the
        disk now has several backups of the name (one request, only then)."""
        params = self.params
        if not (params["name"] and getattr(self.client, "resent_after_unknown", False)):
            return
        others = [b["id"] for b in self.client.named_backups(params["name"], params["volume_id"])
                  if b.get("id") != result["backup_id"]]
        if others:
            result["duplicates"] = sorted(others)
            self.ansible.warn(
                "Volume %s has %d backups named %s: %s and %s. A create whose answer was lost "
                "made one after all. Delete the extra backups (vbs_backup with state: absent and "
                "backup_id), or the next run of the task fails on the ambiguous name."
                % (params["volume_id"], len(others) + 1, params["name"], result["backup_id"],
                   ", ".join(sorted(others))))

    def predict_create(self):
        """Check mode: fail as the create would, from the disk and the snapshot given.

        Reads the disk (GET volume) and, when snapshot_id is given, the snapshot: requests that
        only check mode sends.
        """
        params = self.params
        volume_id = params["volume_id"]
        volume = self.client.get_volume(volume_id)
        if volume is None:
            raise VbsError("Creating the backup would fail: volume %s does not exist. What to "
                           "do: check volume_id: the disk does not exist in this project and "
                           "region." % volume_id)
        status = volume.get("status")
        if status == "in-use" and not params["force"]:
            raise BackupStateError(
                "Creating the backup would fail: volume %s is attached to a server (status "
                "'in-use'). What to do: set force: true to back up an attached disk, or detach "
                "it first." % volume_id, volume=volume)
        if status == "backing-up" and not params["wait"]:
            raise BackupStateError(
                "Creating the backup would fail: volume %s is being backed up (status "
                "'backing-up'). What to do: the disk's previous backup is still running: wait for "
                "it to finish (wait: true does), then run the task again." % volume_id,
                volume=volume)
        if status not in ("available", "in-use", "backing-up"):
            raise BackupStateError(
                "Creating the backup would fail: volume %s is in status '%s'. What to do: the "
                "disk must be 'available', or 'in-use' with force: true; wait until it is, then "
                "run the task again." % (volume_id, status), volume=volume)
        snapshot_id = params["snapshot_id"]
        if snapshot_id is None:
            return
        snapshot = self.client.get_snapshot(snapshot_id)
        if snapshot is None:
            raise VbsError("Creating the backup would fail: snapshot %s does not exist. What to "
                           "do: check snapshot_id: an existing snapshot of the disk, in this "
                           "project and region." % snapshot_id)
        if snapshot.get("volume_id") != volume_id:
            raise BackupStateError(
                "Creating the backup would fail: snapshot %s is a snapshot of volume %s, not of "
                "volume %s. What to do: check snapshot_id: give a snapshot of the disk named by "
                "volume_id." % (snapshot_id, snapshot.get("volume_id"), volume_id),
                volume=volume, snapshot=snapshot)
        if snapshot.get("status") != "available":
            raise BackupStateError(
                "Creating the backup would fail: snapshot %s is in status '%s'. What to do: back "
                "up from an 'available' snapshot of the disk; wait until it is, then run the task "
                "again." % (snapshot_id, snapshot.get("status")), volume=volume,
                snapshot=snapshot)

    # a backup in one task: snapshot the disk, back it up, delete the snapshot (own_snapshot.py)

    def create_with_own_snapshot(self, backup):
        params = self.params
        cleanup = Cleanup(self.client, params["volume_id"], [backup])
        if backup is not None or self.check_mode:
            result = self.create(backup)
            cleanup.backups = [result["backup"]] if backup is not None else []
            return self.swept(result, cleanup, None)
        made = {}
        try:
            made.update(make_snapshot(self.client, params["volume_id"], params["name"],
                                      params["force"], params["timeout"], made.update))
            params["snapshot_id"] = made["id"]
            result = self.create(None)
        except VbsError as exc:
            raise self.failed_with_own_snapshot(exc, made, cleanup)
        cleanup.backups.append(result["backup"])
        if params["wait"]:
            cleanup.delete(made["id"])
        return self.swept(result, cleanup, made)

    def swept(self, result, cleanup, made):
        """Sweep the disk's leftover snapshots; describe the snapshot used in ``result``."""
        params = self.params
        own = made["id"] if made else None
        try:
            cleanup.sweep(skip=[own] if own else (), dry_run=self.check_mode)
            if params["wait"] and not self.check_mode:
                cleanup.wait_gone(min(params["timeout"], CLEANUP_TIMEOUT))
        except VbsError as exc:
            self.ansible.warn("Removing the snapshots made for backups of volume %s failed: %s"
                              % (params["volume_id"], exc))
        if made:
            result["snapshot"] = self.snapshot_summary(made, cleanup, True)
        elif self.check_mode and result["backup_id"] is None:
            result["snapshot"] = dict(id=None, name=snapshot_name(params["name"]),
                                      made_by_task=True, removed=params["wait"])
        else:
            result["snapshot"] = self.snapshot_summary(
                {"id": result["backup"].get("snapshot_id")}, cleanup, False)
        if cleanup.removed:
            result.update(changed=True, snapshots_removed=cleanup.removed)
        if cleanup.orphans:
            result["snapshots_kept"] = [s["id"] for s in cleanup.orphans]
            self.ansible.warn(
                "Snapshots %s of volume %s were made by vbs_backup but no backup was made from "
                "them (a run was interrupted, or their backup was deleted): delete them by hand "
                "unless a run of the task is in progress." % (
                    ", ".join(result["snapshots_kept"]), params["volume_id"]))
        for snapshot_id, why in sorted(cleanup.failed.items()):
            later = ("An administrator or the cloud's support must remove it."
                     if "error_deleting" in why else "The next run of the task deletes it.")
            self.ansible.warn("Snapshot %s made for a backup was not deleted: %s. %s"
                              % (snapshot_id, why.rstrip("."), later))
        return result

    def snapshot_summary(self, snapshot, cleanup, made_by_task):
        snapshot_id = snapshot.get("id")
        removed = snapshot_id in cleanup.deleted and snapshot_id not in cleanup.failed
        summary = dict(id=snapshot_id, made_by_task=made_by_task, removed=removed,
                       status=cleanup.status(snapshot_id) or snapshot.get("status"))
        if snapshot.get("name"):
            summary["name"] = snapshot["name"]
        waiting = [s for s in cleanup.waiting if s["id"] == snapshot_id]
        if not removed and (made_by_task or waiting) and summary["status"] != "deleted":
            summary["removal"] = (
                "kept until the backup is done: the next run of a vbs_backup task without "
                "snapshot_id on volume %s deletes the snapshots vbs_backup made (metadata %s) "
                "once their backups are done" % (self.params["volume_id"], MARKER_TEXT))
        return summary

    def failed_with_own_snapshot(self, exc, made, cleanup):
        """Delete the snapshot made, unless a backup may still read it; say so in the error."""
        changed = bool(getattr(exc, "changed", False)
                       or (getattr(exc, "backup", None) or {}).get("id")
                       or isinstance(exc, UnknownOutcome))
        snapshot = None
        if made.get("id"):
            note = cleanup.after_failure(made["id"], exc, self.params["wait"],
                                         min(self.params["timeout"], CLEANUP_TIMEOUT))
            exc.args = ("%s %s" % (exc, note),)
            snapshot = self.snapshot_summary(made, cleanup, True)
            changed = changed or not snapshot["removed"]
        exc.changed = changed
        exc.result = dict(getattr(exc, "result", None) or {}, changed=changed, snapshot=snapshot)
        return exc

    def delete(self, backup):
        params = self.params
        if backup is None:
            return self.result(False, None, {})
        if self.check_mode:  # as the run would: fail on error_deleting, no DELETE to 'deleting'
            refuse_error_deleting(backup)
            return self.result(backup.get("status") != "deleting", backup, {})
        if params["wait"] and backup.get("status") in BUSY_STATUSES:
            backup = wait_for_backup(self.client, backup, params["timeout"],
                                     until=("available", "error"))
        try:
            changed = delete_and_wait(self.client, backup, params["timeout"],
                                      wait=params["wait"])
        except VbsError as exc:  # exc.changed says whether the service took the DELETE
            raise _accepted(exc, backup, changed=exc.changed)
        return self.result(changed, backup, {})

    def result(self, changed, before, after):
        before, after = backup_record(before), backup_record(after)  # as vbs_backup_info's
        backup = after or before or {}
        result = dict(changed=changed, backup_id=backup.get("id"), backup=backup)
        if self.ansible._diff:
            result["diff"] = dict(before=before or {}, after=after or {})
        return result


def _accepted(exc, backup, changed=True):
    """``exc`` raised after the service accepted a write on ``backup``: the failure reports
    ``changed`` and the backup (its id), unless the error names a record of its own."""
    exc.changed = changed
    if not getattr(exc, "backup", None):
        exc.backup = backup
    return exc


def main():
    VbsBackupModule()()


if __name__ == "__main__":
    main()
