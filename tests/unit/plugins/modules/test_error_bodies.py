# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every shape of error answer the real clouds send, at the wire, through a module run.

Each failure is one line: what failed, the HTTP status, the service's code and message, the
request ID, and what to do, without a doubled full stop.
"""

from __future__ import annotations

import pytest

from ansible_collections.vbs.cloud.plugins.module_utils.errors import HINTS_BY_CODE, HINTS_BY_STATUS
from ansible_collections.vbs.cloud.plugins.modules import vbs_backup, vbs_backup_info, vbs_backup_restore
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT, writes

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
TARGET = "3b6b2b09-7b6e-4e2c-9f1a-2f6f1f3f0c11"
CREATE = dict(volume_id=VOLUME, snapshot_id=SNAPSHOT, wait=False)
CREATED = {"backup": {"id": BACKUP, "name": "backup1", "links": []}}
OP = "Creating the backup failed: "


def assert_one_line(msg):
    assert "\n" not in msg and ".." not in msg.replace("...", ""), msg
    assert msg.endswith("."), msg


# (status, headers, body, expected message) -- one case per shape of body
SHAPES = {
    "badRequest": (
        400, {"X-Openstack-Request-Id": "req-1"},
        {"badRequest": {"code": "VolumeBackup.0013",
                        "message": "The previous backup creation task is not complete."}},
        OP + "HTTP 400 Bad Request; service error VolumeBackup.0013: The previous backup "
        "creation task is not complete (request ID req-1). What to do: "
        + HINTS_BY_CODE["VolumeBackup.0013"] + "."),
    "itemNotFound with Cinder's numeric code": (
        404, {},
        {"itemNotFound": {"message": "Volume x could not be found.", "code": 404}},
        OP + "HTTP 404 Not Found; service error itemNotFound: Volume x could not be found. "
        "What to do: " + HINTS_BY_STATUS[404] + "."),
    "forbidden": (
        403, {"X-Openstack-Request-Id": "req-3"},
        {"forbidden": {"message": "Policy doesn't allow volume:backup to be performed.",
                       "code": 403}},
        OP + "HTTP 403 Forbidden; service error forbidden: Policy doesn't allow volume:backup "
        "to be performed (request ID req-3). What to do: " + HINTS_BY_STATUS[403] + "."),
    "error (VBS-specific API)": (
        400, {},
        {"error": {"code": "VolumeBackup.0015",
                   "message": "The snapshot does not belong to the volume."}},
        OP + "HTTP 400 Bad Request; service error VolumeBackup.0015: The snapshot does not "
        "belong to the volume. What to do: " + HINTS_BY_CODE["VolumeBackup.0015"] + "."),
    "API gateway": (
        403, {},
        {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication information",
         "request_id": "b5f1c2d3e4"},
        OP + "HTTP 403 Forbidden; service error APIG.0301: Incorrect IAM authentication "
        "information (request ID b5f1c2d3e4). What to do: " + HINTS_BY_STATUS[403] + "."),
    "envelope and request_id side by side": (
        400, {},
        {"badRequest": {"code": "VolumeBackup.0040", "message": "backup count reached limit"},
         "request_id": "0f9e8d7c"},
        OP + "HTTP 400 Bad Request; service error VolumeBackup.0040: backup count reached "
        "limit (request ID 0f9e8d7c). What to do: " + HINTS_BY_CODE["VolumeBackup.0040"] + "."),
    "error and error_code side by side": (
        400, {},
        {"error": {"message": "The disk status is error.", "code": 400},
         "error_code": "VolumeBackup.0202", "error_msg": "The disk status is error."},
        OP + "HTTP 400 Bad Request; service error VolumeBackup.0202: The disk status is error. "
        "What to do: " + HINTS_BY_CODE["VolumeBackup.0202"] + "."),
    "a code without a message": (
        400, {}, {"badRequest": {"code": "VolumeBackup.0021"}},
        OP + "HTTP 400 Bad Request; service error VolumeBackup.0021: The disk does not exist or "
        "has been deleted. What to do: " + HINTS_BY_CODE["VolumeBackup.0021"] + "."),
    "not JSON": (
        400, {"Content-Type": "text/html"}, "<html>\n<body><h1>400 Bad Request</h1>\n</body></html>",
        OP + "HTTP 400 Bad Request; service error (no code): <html> <body><h1>400 Bad "
        "Request</h1> </body></html>. What to do: " + HINTS_BY_STATUS[400] + "."),
    "empty": (
        400, {}, None,
        OP + "HTTP 400 Bad Request. What to do: " + HINTS_BY_STATUS[400] + "."),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_error_body_shape_gives_one_clear_line(cloud, run_module, shape):
    status, headers, body, expected = SHAPES[shape]
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    answer = {"json": body} if isinstance(body, dict) else {"text": body or ""}
    cloud.post(VBS_ROOT + "/backups", status_code=status, headers=headers, **answer)

    result = run_module(vbs_backup.main, dict(CREATE, name="backup1"))

    assert result["failed"] and result["msg"] == expected
    assert_one_line(result["msg"])
    assert result["error"]["status"] == status
    assert len(writes(cloud)) == 1  # a 4xx is never sent again


def test_the_data_keeps_the_service_message_whole(cloud, run_module):
    cloud.post(VBS_ROOT + "/backups", status_code=404, json={
        "itemNotFound": {"message": "Volume x could not be found.", "code": 404}})
    result = run_module(vbs_backup.main, CREATE)
    assert result["error"] == {"status": 404, "code": "itemNotFound",
                               "message": "Volume x could not be found.", "request_id": None}


def test_a_header_request_id_wins_over_the_body_one(cloud, run_module):
    cloud.post(VBS_ROOT + "/backups", status_code=400, headers={"X-Openstack-Request-Id": "req-h"},
               json={"error_code": "VolumeBackup.0012", "error_msg": "bad disk status",
                     "request_id": "body-id"})
    result = run_module(vbs_backup.main, CREATE)
    assert result["error"]["request_id"] == "req-h" and "(request ID req-h)" in result["msg"]
    assert "force: true" in result["msg"]


def test_a_message_on_several_lines_is_shown_on_one(cloud, run_module):
    cloud.post(VBS_ROOT + "/backups", status_code=400, json={"badRequest": {
        "code": "VolumeBackup.0006", "message": "Invalid description.\n  Too long.\n"}})
    result = run_module(vbs_backup.main, CREATE)
    assert "VolumeBackup.0006: Invalid description. Too long. What to do: use a description" \
        in result["msg"]
    assert_one_line(result["msg"])


# --- throttling: HTTP 429 or the gateway's APIG.0308, whatever the status ----------------------

THROTTLED = {"error_code": "APIG.0308", "error_msg": "The throttling threshold has been "
                                                     "reached: policy user over ratelimit,"
                                                     "limit:20,time:1 minute",
             "request_id": "5c1d0b6a"}


@pytest.mark.parametrize("status", [429, 400, 403, 500])
def test_a_throttled_create_is_sent_again_and_succeeds(cloud, run_module, no_sleep, status):
    cloud.post(VBS_ROOT + "/backups", [{"status_code": status, "json": THROTTLED},
                                       {"status_code": 202, "json": CREATED}])
    result = run_module(vbs_backup.main, CREATE)  # no name: only a certainly unsent call repeats
    assert result["changed"] and result["backup_id"] == BACKUP
    assert len(writes(cloud)) == 2
    assert [r["reason"] for r in result["retries"]] == [
        "HTTP %d" % status + ("" if status == 429 else ", throttled by the API gateway")]
    assert len(no_sleep) == 1


def test_a_throttled_read_is_read_again(cloud, run_module, no_sleep):
    cloud.get(VBS_ROOT + "/backups/detail", [{"status_code": 403, "json": THROTTLED},
                                             {"json": {"backups": []}}])
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"] == [] and len(result["retries"]) == 1


def test_throttling_that_does_not_end_fails_with_the_gateway_code(cloud, run_module, no_sleep):
    cloud.post(VBS_ROOT + "/backups", status_code=400, json=THROTTLED)
    result = run_module(vbs_backup.main, CREATE)
    assert result["failed"] and len(writes(cloud)) == 5  # MAX_ATTEMPTS
    assert result["msg"].startswith(
        OP + "HTTP 400 Bad Request; service error APIG.0308: The throttling threshold has been "
        "reached: policy user over ratelimit,limit:20,time:1 minute (request ID 5c1d0b6a). ")
    assert result["msg"].endswith(" What to do: " + HINTS_BY_CODE["APIG.0308"] + ".")
    assert_one_line(result["msg"])


def test_another_gateway_code_is_not_retried(cloud, run_module, no_sleep):
    cloud.post(VBS_ROOT + "/backups", status_code=400,
               json={"error_code": "APIG.0201", "error_msg": "Backend timeout"})
    result = run_module(vbs_backup.main, CREATE)
    assert result["failed"] and len(writes(cloud)) == 1 and "retries" not in result


# --- the other modules read the same shapes --------------------------------------------------

def test_restore_errors_name_the_restore_and_its_code(cloud, run_module):
    backup_url = VBS_ROOT + "/backups/" + BACKUP
    cloud.get(backup_url, json={"backup": {"id": BACKUP, "status": "available", "size": 10}})
    cloud.get(VBS_ROOT + "/volumes/" + TARGET,
              json={"volume": {"id": TARGET, "status": "available", "size": 20}})
    cloud.post(backup_url + "/restore", status_code=400, json={
        "badRequest": {"code": "VolumeBackup.0211",
                       "message": "Cloud disks at the DR site cannot be restored."},
        "request_id": "r-211"})
    result = run_module(vbs_backup_restore.main, dict(backup_id=BACKUP, target_volume_id=TARGET))
    assert result["msg"] == (
        "Restoring backup %s failed: HTTP 400 Bad Request; service error VolumeBackup.0211: "
        "Cloud disks at the DR site cannot be restored (request ID r-211). What to do: %s."
        % (BACKUP, HINTS_BY_CODE["VolumeBackup.0211"]))


def test_info_errors_of_the_vbs_specific_shape(cloud, run_module):
    cloud.get(VBS_ROOT + "/backups/detail", status_code=403, json={
        "error": {"code": "VolumeBackup.0042", "message": "no rights"}})
    result = run_module(vbs_backup_info.main, {})
    assert result["msg"] == (
        "Listing backups failed: HTTP 403 Forbidden; service error VolumeBackup.0042: no rights. "
        "What to do: %s." % HINTS_BY_CODE["VolumeBackup.0042"])
