#!/usr/bin/env python
"""Lab helper for the load test (project venv): raise the demo project's quotas (as admin), then
make N volumes of 1 GiB and a snapshot of each, in parallel; prints them as JSON.

    volumes.py N PREFIX
"""
import concurrent.futures
import json
import os
import sys

import openstack

WAIT = int(os.environ.get("VBS_LAB_WAIT", "300"))


def make(conn, name):
    bs = conn.block_storage
    volume = bs.wait_for_status(bs.create_volume(name=name, size=1), "available",
                                failures=["error"], interval=1, wait=WAIT)
    snapshot = bs.wait_for_status(bs.create_snapshot(volume_id=volume.id, name=name + "-snap"),
                                  "available", failures=["error"], interval=1, wait=WAIT)
    return {"name": name, "volume_id": volume.id, "snapshot_id": snapshot.id}


def main(count, prefix):
    count = int(count)
    conn = openstack.connect(cloud=os.environ.get("OS_CLOUD") or "lab")
    admin = openstack.connect(cloud="lab-admin")
    quota = {k: max(count * 3, 50) for k in ("volumes", "snapshots", "backups")}
    quota.update(gigabytes=count * 10 + 100, backup_gigabytes=count * 10 + 100)
    answer = admin.block_storage.put("/os-quota-sets/%s" % conn.current_project_id,
                                     json={"quota_set": quota})
    answer.raise_for_status()
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(count, 10)) as pool:
        made = list(pool.map(lambda i: make(conn, "%s-%02d" % (prefix, i)), range(count)))
    print(json.dumps(made))


if __name__ == "__main__":
    main(*sys.argv[1:])
