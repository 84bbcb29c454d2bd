#!/usr/bin/env python
"""Count the HTTP requests of a backup in one task against the running lab, next to a backup of
a snapshot made beforehand (both with wait: true), and write every request to a JSON file.

  VBS_LAB_HOME=... .venv/bin/python tests/benchmark/one_task_requests.py [--cloud lab] [--out F]

Run with the project's venv; the lab must be running (tests/lab/start). The collection is taken
from ANSIBLE_COLLECTIONS_PATH (default: the work tree, linked under .cache/collections). The
requests are counted on the wire by httpcount/sitecustomize.py in the module process.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LAB_HOME = os.path.abspath(os.environ.get("VBS_LAB_HOME") or os.path.join(ROOT, ".cache", "lab"))
LABCTL = [sys.executable, os.path.join(ROOT, "tests", "lab", "labctl.py")]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")


def labctl(*args):
    return subprocess.run(LABCTL + list(args), check=True, capture_output=True,
                          text=True).stdout.split()[-1]


def run_task(args, cloud, workdir, label):
    log = os.path.join(workdir, label + ".log")
    playbook = os.path.join(workdir, label + ".yml")
    with open(playbook, "w") as out:
        json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
            {"vbs.cloud.vbs_backup": dict(args, cloud=cloud), "register": "r"},
            {"ansible.builtin.copy": {"content": "{{ r | to_json }}",
                                      "dest": os.path.join(workdir, label + ".json")}}]}], out)
    env = dict(os.environ, BENCH_HTTP_LOG=log, PYTHONPATH=os.path.join(HERE, "httpcount"),
               OS_CLIENT_CONFIG_FILE=os.path.join(LAB_HOME, "clouds.yaml"))
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(ROOT, ".cache", "collections"))
    env.pop("OS_CLOUD", None)
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i",
                           "localhost,", "-c", "local", "-e",
                           "ansible_python_interpreter=%s" % sys.executable, playbook],
                          check=False, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit("%s failed:\n%s" % (label, done.stdout[-3000:]))
    with open(os.path.join(workdir, label + ".json")) as answer:
        result = json.load(answer)
    requests = []
    with open(log) as lines:
        for line in lines:
            method, url, status = line.split()[1:4]
            path = UUID.sub("{id}", url.split("?")[0].split("//", 1)[1].split("/", 1)[1])
            requests.append("%s /%s %s" % (method, path, status))
    return result, requests


def kind(request):
    path = request.split()[1]
    if "/auth/tokens" in path:
        return "token"
    if "/snapshots" in path:
        return "snapshot"
    return "backup"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cloud", default="lab")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "performance-one-task.json"))
    args = parser.parse_args()
    os.environ.setdefault("OS_CLIENT_CONFIG_FILE", os.path.join(LAB_HOME, "clouds.yaml"))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    given_disk = labctl("volume-create", "count-given-" + stamp)
    snapshot = labctl("snapshot-create", given_disk, "count-given-snap-" + stamp)
    own_disk = labctl("volume-create", "count-own-" + stamp)
    figures = {"run": stamp, "cloud": args.cloud, "cases": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for label, task in (
                ("given_snapshot", dict(volume_id=given_disk, snapshot_id=snapshot,
                                        name="count-given")),
                ("one_task", dict(volume_id=own_disk, name="count-own"))):
            result, requests = run_task(task, args.cloud, workdir, label)
            counts = dict((k, sum(1 for r in requests if kind(r) == k))
                          for k in ("token", "backup", "snapshot"))
            figures["cases"][label] = {
                "task": dict(task, wait=True), "requests": requests, "total": len(requests),
                "by_kind": counts, "snapshot": result.get("snapshot"),
                "backup_status": result["backup"]["status"]}
    figures["snapshots_left"] = json.loads(subprocess.run(
        LABCTL + ["snapshot-list", own_disk], check=True, capture_output=True, text=True).stdout)
    with open(args.out, "w") as out:
        json.dump(figures, out, indent=1)
        out.write("\n")
    for label, case in figures["cases"].items():
        print("%-15s %2d requests %s" % (label, case["total"], case["by_kind"]))
    print("snapshots left on the one-task disk: %s" % figures["snapshots_left"])
    print("written to %s" % args.out)


if __name__ == "__main__":
    main()
