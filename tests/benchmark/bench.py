"""Side-by-side benchmark of vbs.cloud.vbs_backup and openstack.cloud.volume_backup.

Run through ``tests/benchmark/run``, which prepares the venv, the collection and the lab and
then calls this script with the bench venv's Python. What it measures, in one run, with the
playbooks of the three contenders interleaved round by round (ours, anchor, ping, ours, …):

- HTTP requests per task (every request on the wire, token included, counted by
  ``httpcount/sitecustomize.py`` in the module processes): create without wait, create with
  wait, idempotent re-run;
- wall and CPU time (user + sys of the whole ansible-playbook process tree) of a playbook of
  N create tasks, of one task looping over L volumes, and of that loop fanned out with
  ``async``; ``ansible.builtin.ping`` in the same shapes is the floor;
- the start-up (import) cost of each module in a fresh interpreter.

Backups made by the timed playbooks (``wait: false``) are cancelled at once by an admin
force-delete from a watcher thread, so that the lab's backup driver (~9 s of CPU per 1 GiB
volume) does not compete with the measured processes for the machine's cores. The watcher and
this script are not part of the measured process tree.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import openstack
from openstack import exceptions as sdk_exceptions

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
KINDS = ("ours", "anchor", "ping")
MODULES = {"ours": "vbs.cloud.vbs_backup", "anchor": "openstack.cloud.volume_backup",
           "ping": "ansible.builtin.ping"}
UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), flush=True)


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


# --- the lab ----------------------------------------------------------------------------------

class Lab:
    """Volumes and snapshots for the benchmark, and the sweeping of its backups."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.conn = openstack.connect(cloud="lab")
        self.admin = openstack.connect(cloud="lab-admin")
        self.bs = self.conn.block_storage
        pid_file = os.path.join(os.environ["VBS_LAB_HOME"], "run", "cinder.pid")
        try:
            with open(pid_file) as handle:
                self.cinder_pid = int(handle.read().strip())
        except (OSError, ValueError):
            self.cinder_pid = None

    def _wait(self, fetch, ids, status, timeout=300):
        end = time.monotonic() + timeout
        pending = set(ids)
        while pending:
            for rid in list(pending):
                record = fetch(rid)
                if record.status == status:
                    pending.discard(rid)
                elif record.status == "error":
                    raise RuntimeError("%s went to error" % rid)
            if pending:
                if time.monotonic() > end:
                    raise RuntimeError("timed out waiting for %s" % sorted(pending))
                time.sleep(0.5)

    def raise_quotas(self):
        """The lab's default quotas (10 volumes, 10 snapshots) are below what the run needs."""
        project = self.conn.current_project_id
        answer = self.admin.block_storage.put(
            "/os-quota-sets/%s" % project,
            json={"quota_set": {"volumes": -1, "snapshots": -1, "gigabytes": -1,
                                "backups": -1, "backup_gigabytes": -1}})
        sdk_exceptions.raise_from_response(answer)

    def disks(self, count):
        """``count`` (volume id, snapshot id) pairs named bench-vol-<i>, made when missing."""
        self.raise_quotas()
        volumes = {v.name: v for v in self.bs.volumes(details=True)
                   if (v.name or "").startswith("bench-vol-") and v.status == "available"}
        made = []
        for i in range(count):
            name = "bench-vol-%02d" % i
            if name not in volumes:
                volumes[name] = self.bs.create_volume(size=1, name=name)
                made.append(volumes[name].id)
        self._wait(self.bs.get_volume, made, "available")
        snapshots = {s.name: s for s in self.bs.snapshots(details=True)
                     if (s.name or "").startswith("bench-snap-") and s.status == "available"}
        made = []
        pairs = []
        for i in range(count):
            volume = volumes["bench-vol-%02d" % i]
            name = "bench-snap-%02d" % i
            snapshot = snapshots.get(name)
            if snapshot is None or snapshot.volume_id != volume.id:
                snapshot = self.bs.create_snapshot(volume_id=volume.id, name=name)
                made.append(snapshot.id)
            pairs.append((volume.id, snapshot.id))
        self._wait(self.bs.get_snapshot, made, "available")
        return pairs

    def bench_backups(self, conn=None):
        bs = (conn or self.admin).block_storage
        answer = bs.get("/backups/detail", params={"all_tenants": 1})
        sdk_exceptions.raise_from_response(answer)
        return [b for b in answer.json().get("backups", [])
                if (b.get("name") or "").startswith(self.prefix)]

    def force_delete(self, backup_id, conn=None):
        bs = (conn or self.admin).block_storage
        bs.post("/backups/%s/action" % backup_id, json={"os-force_delete": {}})

    def sweep(self, volume_ids, timeout=180):
        """Delete every backup of this run and wait until the disks are available again."""
        end = time.monotonic() + timeout
        while True:
            backups = self.bench_backups()
            for backup in backups:
                if backup["status"] in ("creating", "available", "error"):
                    self.force_delete(backup["id"])
            busy = [v.id for v in self.bs.volumes(details=True)
                    if v.id in volume_ids and v.status != "available"]
            if not backups and not busy:
                return
            if time.monotonic() > end:
                raise RuntimeError("lab did not settle: backups %s, busy volumes %s"
                                   % ([b["id"] for b in backups], busy))
            time.sleep(0.5)

    def cinder_cpu(self):
        if not self.cinder_pid:
            return None
        try:
            with open("/proc/%d/stat" % self.cinder_pid) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle_cpu(self, limit=0.05, window=0.5, timeout=20):
        """Wait until the Cinder process uses under ``limit`` of a core (background work)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            before = self.cinder_cpu()
            if before is None:
                return
            time.sleep(window)
            if (self.cinder_cpu() - before) / window < limit:
                return


class Canceller(threading.Thread):
    """Force-deletes the backups of this run as soon as they appear (cancels the driver)."""

    def __init__(self, lab):
        super().__init__(daemon=True)
        self.lab = lab
        self.conn = openstack.connect(cloud="lab-admin")
        self.active = threading.Event()
        self.stopped = threading.Event()
        self.seen = set()

    def run(self):
        while not self.stopped.is_set():
            if self.active.wait(0.2):
                try:
                    for backup in self.lab.bench_backups(self.conn):
                        if backup["status"] == "creating" and backup["id"] not in self.seen:
                            self.seen.add(backup["id"])
                            self.lab.force_delete(backup["id"], self.conn)
                except Exception as exc:  # keep going; the sweep after the playbook settles
                    log("canceller: %s" % exc)
                time.sleep(0.3)


# --- playbooks --------------------------------------------------------------------------------

def play(tasks, python):
    return [{
        "name": "bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": python}, "tasks": tasks,
    }]


def module_args(kind, volume_id, snapshot_id, name, wait, cloud="lab"):
    if kind == "ours":
        return {"cloud": cloud, "volume_id": volume_id, "snapshot_id": snapshot_id,
                "name": name, "wait": wait}
    if kind == "anchor":
        return {"cloud": cloud, "volume": volume_id, "snapshot": snapshot_id, "name": name,
                "wait": wait}
    return {}


def create_tasks(kind, pairs, tag):
    return [{"name": "create %d" % i,
             MODULES[kind]: module_args(kind, v, s, "%s-%d" % (tag, i), False)}
            for i, (v, s) in enumerate(pairs)]


def loop_task(kind, pairs, tag, extra=None, cloud="lab"):
    args = module_args(kind, "{{ item.0 }}", "{{ item.1 }}", "%s-{{ ansible_loop.index }}" % tag,
                       False, cloud)
    task = {"name": "loop", MODULES[kind]: args, "loop": [list(p) for p in pairs],
            "loop_control": {"extended": True, "label": "{{ ansible_loop.index }}"}}
    task.update(extra or {})
    return task


def async_tasks(kind, pairs, tag):
    return [
        loop_task(kind, pairs, tag, {"async": 600, "poll": 0, "register": "jobs"}),
        {"name": "wait for the jobs", "ansible.builtin.async_status": {
            "jid": "{{ item.ansible_job_id }}"}, "loop": "{{ jobs.results }}",
         "loop_control": {"label": "{{ item.ansible_job_id }}"}, "register": "job",
         "until": "job.finished", "retries": 600, "delay": 1},
    ]


def wait_tasks(kind, volume_id, snapshot_id, name):
    with_wait = {MODULES[kind]: module_args(kind, volume_id, snapshot_id, name, True)}
    no_wait = {MODULES[kind]: module_args(kind, volume_id, snapshot_id, name, False)}
    return [dict(with_wait, name="create with wait"),
            dict(with_wait, name="re-run with wait"),
            dict(no_wait, name="re-run without wait")]


# --- running ----------------------------------------------------------------------------------

class Runner:
    def __init__(self, workdir, python, collections):
        self.workdir = workdir
        self.python = python
        self.count = 0
        self.env = dict(os.environ)
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_DEPRECATION_WARNINGS": "false",
            "PYTHONPATH": os.path.join(HERE, "httpcount"),
        })
        for key in ("ANSIBLE_CONFIG", "OS_CLOUD"):
            self.env.pop(key, None)
        self.bin = os.path.dirname(python)

    def playbook(self, label, plays, env=None):
        """Run a playbook; (wall s, cpu s, {pid: [requests]})."""
        self.count += 1
        path = os.path.join(self.workdir, "%03d-%s.yml" % (self.count, label))
        with open(path, "w") as handle:
            json.dump(plays, handle, indent=1)  # JSON is YAML
        http_log = path[:-4] + ".http"
        out = path[:-4] + ".out"
        env = dict(self.env, BENCH_HTTP_LOG=http_log, **(env or {}))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        with open(out, "w") as handle:
            rc = subprocess.call([os.path.join(self.bin, "ansible-playbook"), "-i", "localhost,",
                                  path], stdout=handle, stderr=subprocess.STDOUT,
                                 cwd=self.workdir, env=env)
        wall = time.monotonic() - started
        reap_orphans()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if rc != 0:
            with open(out) as handle:
                tail = handle.read()[-3000:]
            raise RuntimeError("playbook %s failed (rc %d):\n%s" % (path, rc, tail))
        return wall, cpu, read_http_log(http_log)

    def python_c(self, code, collections):
        env = dict(self.env, PYTHONPATH=collections)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.check_call([self.python, "-c", code], env=env, cwd=self.workdir)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def reap_orphans(timeout=15):
    """Reap the async jobs that were re-parented to us (we are a child subreaper)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def read_http_log(path):
    by_pid = {}
    if not os.path.exists(path):
        return by_pid
    with open(path) as handle:
        for line in handle:
            pid, method, url, status, seconds = line.split()
            by_pid.setdefault(int(pid), []).append(
                {"method": method, "url": url, "status": status, "seconds": float(seconds)})
    return by_pid


def shape(request):
    """``GET :25200/v3/auth/tokens`` with ids and query values replaced."""
    url = re.sub(r"^https?://[^/:]+", "", request["url"])
    url = UUID.sub("{id}", url)
    url = re.sub(r"=[^&]*", "", url)
    return "%s %s %s" % (request["method"], url, request["status"])


def per_task_requests(by_pid):
    """Requests of each module process that sent any, in order of the processes."""
    return [by_pid[pid] for pid in sorted(by_pid)]


# --- the benchmark ----------------------------------------------------------------------------

def machine():
    info = {"nproc": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            info["memory_gib"] = round(int(handle.readline().split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    from importlib import metadata
    for package in ("ansible", "ansible-core", "openstacksdk", "keystoneauth1", "requests"):
        info[package] = metadata.version(package)
    for package in ("keyring", "keyrings.alt"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    import ansible
    manifest = os.path.join(os.path.dirname(os.path.dirname(ansible.__file__)),
                            "ansible_collections", "openstack", "cloud", "MANIFEST.json")
    with open(manifest) as handle:
        info["openstack.cloud"] = json.load(handle)["collection_info"]["version"]
    return info


IMPORTS = {
    "floor: python -c pass": "pass",
    "floor: ansible.module_utils.basic": "import ansible.module_utils.basic",
    "ours: vbs_backup module (+ openstack.config)":
        "import ansible_collections.vbs.cloud.plugins.modules.vbs_backup",
    "anchor: volume_backup module + import openstack":
        "import ansible_collections.openstack.cloud.plugins.modules.volume_backup; "
        "import openstack",
    "lib: import openstack": "import openstack",
    "lib: keystoneauth1 session + loading + generic password":
        "import keystoneauth1.session, keystoneauth1.loading, keystoneauth1.identity.generic",
    "lib: import keyring (when installed)": "import importlib.util; "
        "importlib.util.find_spec('keyring') and __import__('keyring')",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and tasks (~2 min of measuring)")
    parser.add_argument("--n", type=int, help="create tasks per playbook (default 10)")
    parser.add_argument("--rounds", type=int, help="rounds of the N-create playbooks (5)")
    parser.add_argument("--loop", type=int, help="volumes of the loop and async playbooks (20)")
    parser.add_argument("--loop-rounds", type=int, help="rounds of loop and async (2)")
    parser.add_argument("--wait-rounds", type=int, help="rounds of create with wait (2)")
    parser.add_argument("--import-reps", type=int, help="import measurements per round (3)")
    parser.add_argument("--collections", required=True)
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument("--keep-workdir", action="store_true")
    parser.add_argument("--matrix", action="store_true",
                        help="only the latency x auth-cache matrix: rounds of one task looping "
                             "over --loop creates (default 10), every request through "
                             "tests/faults/proxy.py, without and with latency, each without "
                             "and with cache: {auth: true} (default 3 rounds)")
    parser.add_argument("--answer-delay", type=float, default=0.04,
                        help="matrix: seconds the proxy waits before forwarding a request (0.04)")
    parser.add_argument("--token-delay", type=float, default=0.25,
                        help="matrix: the same for a token request, instead (0.25)")
    args = parser.parse_args()
    quick = dict(n=5, rounds=2, loop=10, loop_rounds=1, wait_rounds=1, import_reps=2)
    full = dict(n=10, rounds=5, loop=20, loop_rounds=2, wait_rounds=2, import_reps=3)
    if args.matrix:
        full = quick = dict(n=1, rounds=3, loop=10, loop_rounds=0, wait_rounds=0, import_reps=2)
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    args.collections = os.path.abspath(args.collections)
    args.results = os.path.abspath(args.results)
    started = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    workdir = tempfile.mkdtemp(prefix="vbs-bench-")
    proxy = Proxy(workdir) if args.matrix else None  # before become_subreaper: not our child
    subreaper = become_subreaper()
    runner = Runner(workdir, sys.executable, args.collections)
    prefix = "bench-%s" % stamp[-6:]
    lab = Lab(prefix)
    log("machine: %s" % json.dumps(machine()))
    log("preparing %d volumes with snapshots" % (max(args.n, args.loop) + 1))
    pairs = lab.disks(max(args.n, args.loop) + 1)
    wait_pair, pairs = pairs[-1], pairs[:-1]
    volume_ids = set(pair[0] for pair in pairs) | {wait_pair[0]}
    lab.sweep(volume_ids)
    canceller = Canceller(lab)
    canceller.start()
    if args.matrix:
        try:
            matrix(args, runner, lab, canceller, proxy, pairs[:args.loop], volume_ids, prefix,
                   stamp, started, subreaper)
        finally:
            canceller.stopped.set()
            proxy.stop()
            if not args.keep_workdir:
                shutil.rmtree(workdir, ignore_errors=True)
        return

    raw = {"create_n": [], "loop": [], "async": [], "wait": [], "imports": []}

    def timed(kind, label, tasks, tag):
        if kind != "ping":
            canceller.active.set()
        lab.settle_cpu()
        try:
            wall, cpu, http = runner.playbook(label, play(tasks, sys.executable))
        finally:
            canceller.active.clear()
        lab.sweep(volume_ids)
        return {"kind": kind, "tag": tag, "wall": wall, "cpu": cpu,
                "requests": per_task_requests(http)}

    # 1. imports, interleaved
    collections_path = args.collections
    for r in range(args.rounds):
        for _rep in range(args.import_reps):
            for label, code in IMPORTS.items():
                wall, cpu = runner.python_c(code, collections_path)
                raw["imports"].append({"label": label, "wall": wall, "cpu": cpu})
    log("imports measured")

    # 2. N creates, interleaved
    for r in range(args.rounds):
        for kind in KINDS:
            tag = "%s-n%d-%s" % (prefix, r, kind)
            tasks = (create_tasks(kind, pairs[:args.n], tag) if kind != "ping"
                     else [{"name": "ping %d" % i, "ansible.builtin.ping": {}}
                           for i in range(args.n)])
            result = timed(kind, "create%d-%s" % (args.n, kind), tasks, tag)
            raw["create_n"].append(dict(result, round=r))
            log("round %d %-6s %d tasks: wall %.2f s, cpu %.2f s"
                % (r, kind, args.n, result["wall"], result["cpu"]))

    # 3. a loop over L volumes, then the same with async, interleaved
    for r in range(args.loop_rounds):
        for shape_name, build in (("loop", lambda k, t: [loop_task(k, pairs[:args.loop], t)]),
                                  ("async", lambda k, t: async_tasks(k, pairs[:args.loop], t))):
            for kind in KINDS:
                tag = "%s-%s%d-%s" % (prefix, shape_name, r, kind)
                if kind == "ping":
                    ping = {"name": "loop", "ansible.builtin.ping": {},
                            "loop": list(range(args.loop))}
                    tasks = ([ping] if shape_name == "loop" else
                             [dict(ping, **{"async": 600, "poll": 0, "register": "jobs"}),
                              async_tasks("ping", [], tag)[1]])
                else:
                    tasks = build(kind, tag)
                result = timed(kind, "%s%d-%s" % (shape_name, args.loop, kind), tasks, tag)
                raw[shape_name].append(dict(result, round=r))
                log("round %d %-6s %s of %d: wall %.2f s, cpu %.2f s"
                    % (r, kind, shape_name, args.loop, result["wall"], result["cpu"]))

    # 4. create with wait, re-runs (real backups; not timed)
    for r in range(args.wait_rounds):
        for kind in ("ours", "anchor"):
            tag = "%s-wait%d-%s" % (prefix, r, kind)
            lab.settle_cpu()
            wall, cpu, http = runner.playbook("wait-%s" % kind, play(
                wait_tasks(kind, wait_pair[0], wait_pair[1], tag), sys.executable))
            raw["wait"].append({"kind": kind, "round": r, "wall": wall, "cpu": cpu,
                                "requests": per_task_requests(http)})
            log("round %d %-6s create with wait + 2 re-runs: wall %.2f s, requests %s"
                % (r, kind, wall, [len(t) for t in per_task_requests(http)]))
            lab.sweep(volume_ids)

    canceller.stopped.set()
    summary = summarize(raw, args)
    result = {"stamp": stamp, "machine": machine(), "params": vars(args),
              "subreaper": subreaper, "seconds": round(time.monotonic() - started, 1),
              "summary": summary, "raw": raw}
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, "%s.json" % stamp)
    with open(path, "w") as handle:
        json.dump(result, handle, indent=1)
    table = markdown(result)
    with open(path[:-5] + ".md", "w") as handle:
        handle.write(table)
    print()
    print(table)
    log("results: %s (and .md); took %.0f s" % (path, result["seconds"]))
    if not args.keep_workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log("playbooks and logs kept in %s" % workdir)


# --- latency x auth cache -----------------------------------------------------------------------

class Proxy:
    """tests/faults/proxy.py in front of the lab's Keystone and Cinder, for the matrix.

    Started detached (double fork) before the benchmark becomes a child subreaper: reap_orphans
    waits for every child, so the proxy, which runs throughout, must not be one. Its CPU is not
    in the measured process tree; on the machine it competes like any other load.
    """

    def __init__(self, workdir):
        ready = os.path.join(workdir, "proxy.json")
        self.log_file = os.path.join(workdir, "proxy.log")
        command = [sys.executable, os.path.join(REPO, "tests", "faults", "proxy.py"),
                   "--route", "keystone@127.0.0.1:0=http://127.0.0.1:%s"
                   % os.environ.get("VBS_LAB_KEYSTONE_PORT", "25200"),
                   "--route", "cinder@127.0.0.1:0=http://127.0.0.1:%s"
                   % os.environ.get("VBS_LAB_CINDER_PORT", "28976"),
                   "--control", "127.0.0.1:0", "--ready-file", ready, "--max-seconds", "10800"]
        subprocess.check_call(["sh", "-c", 'setsid "$@" < /dev/null > "$LOG" 2>&1 &', "sh"]
                              + command, env=dict(os.environ, LOG=self.log_file))
        end = time.monotonic() + 30
        while not os.path.exists(ready):
            if time.monotonic() > end:
                raise RuntimeError("the fault proxy did not start: see %s" % self.log_file)
            time.sleep(0.1)
        with open(ready) as handle:
            info = json.load(handle)
        self.pid = info["pid"]
        self.control = info["control"]
        self.keystone = info["listeners"]["keystone"]["listen"]
        self.cinder = info["listeners"]["cinder"]["listen"]

    def call(self, method, path, body=None):
        import urllib.request
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.control + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def set_rules(self, rules):
        self.call("DELETE", "/faults")
        if rules:
            self.call("POST", "/faults", rules)

    def take_log(self):
        entries = self.call("GET", "/log")["requests"]
        self.call("DELETE", "/log")
        return entries

    def stop(self):
        import signal
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass


def latency_rules(answer, token):
    """Every request waits ``answer`` seconds at the proxy, a token request ``token`` instead."""
    return [{"method": "POST", "path": "/auth/tokens$", "action": "delay", "seconds": token},
            {"action": "delay", "seconds": answer}]


def proxy_clouds(workdir, proxy):
    """clouds.yaml files whose cloud ``bench`` sends identity and block storage via the proxy."""
    import yaml
    with open(os.environ["OS_CLIENT_CONFIG_FILE"]) as handle:
        lab = yaml.safe_load(handle)["clouds"]["lab"]
    cloud = json.loads(json.dumps(lab))
    path = re.sub(r"^https?://[^/]+", "", cloud["auth"]["auth_url"]) or "/v3"
    cloud["auth"]["auth_url"] = proxy.keystone + path
    # The catalog names the real Cinder: both modules take this override of block storage
    # (openstacksdk maps volumev2/volumev3/block-storage to the same key). Without the project:
    # openstacksdk 4.14 finds no endpoint data for ".../v3/%(project_id)s"; ours adds it.
    cloud["block_storage_endpoint_override"] = proxy.cinder + "/v3"
    files = {}
    for cache in (False, True):
        config = {"clouds": {"bench": cloud}}
        if cache:
            config["cache"] = {"auth": True}
        files[cache] = os.path.join(workdir, "clouds-%s.yaml" % ("cache" if cache else "plain"))
        with open(files[cache], "w") as handle:
            json.dump(config, handle, indent=1)
    return files


def cpu_times():
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]  # total, idle + iowait


class Load:
    """The machine's load around one playbook: 1-min load average, share of all cores busy."""

    def __enter__(self):
        self.loadavg = os.getloadavg()[0]
        self.before = cpu_times()
        return self

    def __exit__(self, *exc):
        total, idle = cpu_times()
        spent = total - self.before[0]
        self.busy = (spent - (idle - self.before[1])) / spent if spent else None


def matrix(args, runner, lab, canceller, proxy, pairs, volume_ids, prefix, stamp, started,
           subreaper):
    """Rounds of: for each setting (without and with latency, without and with the auth cache,
    its keyring emptied before each playbook), ping, then ours and the anchor through the proxy.
    Each setting has its own ping right before it: the floor drifts within a round."""
    workdir = runner.workdir
    clouds = proxy_clouds(workdir, proxy)
    keyring_home = os.path.join(workdir, "xdg-data")
    raw = {"matrix": [], "imports": []}
    configs = [(latency, cache) for latency in (False, True) for cache in (False, True)]

    for _r in range(args.rounds):
        for _rep in range(args.import_reps):
            for label, code in IMPORTS.items():
                wall, cpu = runner.python_c(code, args.collections)
                raw["imports"].append({"label": label, "wall": wall, "cpu": cpu})
    log("imports measured")

    for r in range(args.rounds):
        runs = [(kind, latency, cache) for latency, cache in configs
                for kind in ("ping", "ours", "anchor")]
        for kind, latency, cache in runs:
            tag = "%s-m%d-%s-%s%s" % (prefix, r, kind, "lat" if latency else "raw",
                                      "-cache" if cache else "")
            if kind == "ping":
                tasks = [{"name": "loop", "ansible.builtin.ping": {},
                          "loop": list(range(args.loop))}]
            else:
                tasks = [loop_task(kind, pairs, tag, cloud="bench")]
            proxy.set_rules(latency_rules(args.answer_delay, args.token_delay) if latency
                            else [])
            shutil.rmtree(keyring_home, ignore_errors=True)  # every playbook starts cold
            env = {"OS_CLIENT_CONFIG_FILE": clouds[cache], "XDG_DATA_HOME": keyring_home,
                   "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring"}
            if kind != "ping":
                canceller.active.set()
            lab.settle_cpu()
            proxy.take_log()
            try:
                with Load() as load:
                    wall, cpu, http = runner.playbook(
                        "m-%s-%s%s" % (kind, "lat" if latency else "raw", "-cache" if cache
                                       else ""), play(tasks, sys.executable), env)
            finally:
                canceller.active.clear()
            at_proxy = proxy.take_log()
            lab.sweep(volume_ids)
            entry = {"kind": kind, "round": r, "latency": latency, "cache": cache,
                     "wall": wall, "cpu": cpu, "requests": per_task_requests(http),
                     "proxy_requests": len(at_proxy),
                     "proxy_token_requests": sum(1 for e in at_proxy
                                                 if e["method"] == "POST"
                                                 and e["path"].endswith("/auth/tokens")),
                     "loadavg_1min_before": load.loadavg, "machine_busy": load.busy}
            raw["matrix"].append(entry)
            log("round %d %-6s %-7s %-8s loop of %d: wall %.2f s, cpu %.2f s, requests %s "
                "(tokens %d at the proxy), load %.1f, busy %.0f%%"
                % (r, kind, "latency" if latency else "-", "cache" if cache else "-",
                   args.loop, wall, cpu, entry["proxy_requests"],
                   entry["proxy_token_requests"], load.loadavg, 100 * (load.busy or 0)))

    summary = summarize_matrix(raw, args)
    result = {"stamp": stamp, "kind": "matrix", "machine": machine(), "params": vars(args),
              "subreaper": subreaper, "seconds": round(time.monotonic() - started, 1),
              "summary": summary, "raw": raw}
    os.makedirs(args.results, exist_ok=True)
    path = os.path.join(args.results, "%s-matrix.json" % stamp)
    with open(path, "w") as handle:
        json.dump(result, handle, indent=1)
    table = markdown_matrix(result)
    with open(path[:-5] + ".md", "w") as handle:
        handle.write(table)
    print()
    print(table)
    log("results: %s (and .md); took %.0f s" % (path, result["seconds"]))


def summarize_matrix(raw, args):
    items = args.loop

    def key(run):
        return run["round"], run["latency"], run["cache"]

    floor = {(run["round"], run["latency"], run["cache"]): run for run in raw["matrix"]
             if run["kind"] == "ping"}
    rows = []
    for latency in (False, True):
        for cache in (False, True):
            row = {"latency": latency, "cache": cache}
            above = {}
            for kind in ("ours", "anchor"):
                runs = [run for run in raw["matrix"] if run["kind"] == kind
                        and run["latency"] == latency and run["cache"] == cache]
                per_item = [len(q) for run in runs for q in run["requests"]]
                after_first = [len(q) for run in runs for q in run["requests"][1:]]
                row[kind] = {
                    "requests_per_item": stats(per_item),
                    "requests_per_item_after_first": stats(after_first),
                    "proxy_requests_per_playbook": stats([run["proxy_requests"] for run in runs]),
                    "token_requests_per_playbook": stats([run["proxy_token_requests"]
                                                          for run in runs]),
                    "wall": stats([run["wall"] for run in runs]),
                    "cpu": stats([run["cpu"] for run in runs]),
                }
                for metric in ("wall", "cpu"):
                    above[(kind, metric)] = [
                        (run[metric] - floor[key(run)][metric]) / items
                        for run in runs if key(run) in floor]
                    row[kind]["above_floor_%s_per_item" % metric] = stats(above[(kind, metric)])
            for metric in ("wall", "cpu"):
                pairs = zip(above[("ours", metric)], above[("anchor", metric)])
                row["ratio_above_floor_%s" % metric] = stats(
                    [o / a if a > 0 else None for o, a in pairs])
            rows.append(row)
    imports = {}
    for item in raw["imports"]:
        imports.setdefault(item["label"], {"wall": [], "cpu": []})
        imports[item["label"]]["wall"].append(item["wall"])
        imports[item["label"]]["cpu"].append(item["cpu"])
    runs = raw["matrix"]
    return {"rows": rows,
            "floor": {"wall": stats([r["wall"] for r in floor.values()]),
                      "cpu": stats([r["cpu"] for r in floor.values()])},
            "load": {"loadavg_1min": stats([r["loadavg_1min_before"] for r in runs]),
                     "machine_busy": stats([r["machine_busy"] for r in runs])},
            "imports": {label: {"wall": stats(v["wall"]), "cpu": stats(v["cpu"])}
                        for label, v in imports.items()}}


def markdown_matrix(result):
    s = result["summary"]
    m = result["machine"]
    p = result["params"]
    lines = [
        "Benchmark %s (matrix): %s, %s CPU(s) %s, %s GiB, Python %s, ansible-core %s, "
        "openstacksdk %s, openstack.cloud %s, keyring %s, keyrings.alt %s. %d rounds of one "
        "task looping over %d creates (wait: false), every request through the fault proxy; "
        "latency: %.0f ms before each request, %.0f ms before a token request instead; the "
        "keyring (keyrings.alt file backend) is emptied before each playbook. Machine load "
        "during the playbooks: 1-min load average %s, all cores busy %s. Figures: median "
        "(min–max)." % (result["stamp"], m.get("platform"), m.get("nproc"), m.get("cpu", "?"),
                        m.get("memory_gib", "?"), m["python"], m["ansible-core"],
                        m["openstacksdk"], m["openstack.cloud"], m.get("keyring"),
                        m.get("keyrings.alt"), p["rounds"], p["loop"],
                        1000 * p["answer_delay"], 1000 * p["token_delay"],
                        fmt(s["load"]["loadavg_1min"], digits=1),
                        fmt(s["load"]["machine_busy"], scale=100, digits=0) + " %"),
        "",
        "Per create (one loop item), above the floor (`ping` looping as often, right before):",
        "",
        "| latency | cache: {auth: true} | requests per item: ours | anchor | token requests "
        "per loop of %d: ours | anchor | wall above floor: ours | anchor | ours / anchor "
        "| CPU above floor: ours | anchor | ours / anchor |" % p["loop"],
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in s["rows"]:
        o, a = row["ours"], row["anchor"]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            "%.0f / %.0f ms" % (1000 * p["answer_delay"], 1000 * p["token_delay"])
            if row["latency"] else "none", "yes" if row["cache"] else "no",
            fmt_count(o["requests_per_item"]), fmt_count(a["requests_per_item"]),
            fmt_count(o["token_requests_per_playbook"]),
            fmt_count(a["token_requests_per_playbook"]),
            fmt(o["above_floor_wall_per_item"], digits=3),
            fmt(a["above_floor_wall_per_item"], digits=3), fmt(row["ratio_above_floor_wall"]),
            fmt(o["above_floor_cpu_per_item"], digits=3),
            fmt(a["above_floor_cpu_per_item"], digits=3), fmt(row["ratio_above_floor_cpu"])))
    lines += ["", "Requests per item after the first (cache warm within the loop): " + "; ".join(
        "%s%s: ours %s, anchor %s" % ("latency" if row["latency"] else "no latency",
                                      ", cache" if row["cache"] else "",
                                      fmt_count(row["ours"]["requests_per_item_after_first"]),
                                      fmt_count(row["anchor"]["requests_per_item_after_first"]))
        for row in s["rows"]),
        "", "Floor (`ping`, loop of %d): wall %s s, CPU %s s"
        % (p["loop"], fmt(s["floor"]["wall"]), fmt(s["floor"]["cpu"])),
        "", "Start-up: importing in a fresh interpreter (seconds)", "",
        "| import | wall | CPU |", "|---|---|---|"]
    for label, entry in s["imports"].items():
        lines.append("| %s | %s | %s |" % (label, fmt(entry["wall"], digits=3),
                                           fmt(entry["cpu"], digits=3)))
    lines.append("")
    return "\n".join(lines)


# --- summary ----------------------------------------------------------------------------------

def summarize(raw, args):
    summary = {}
    # requests per task
    counts = {}
    shapes = {}
    for scenario in ("create_n", "loop", "async"):
        for run in raw[scenario]:
            for requests in run["requests"]:
                counts.setdefault((run["kind"], "create, wait: false"), []).append(len(requests))
                shapes.setdefault((run["kind"], "create, wait: false"),
                                  [shape(q) for q in requests])
    for run in raw["wait"]:
        names = ("create, wait: true", "re-run, wait: true", "re-run, wait: false")
        for name, requests in zip(names, run["requests"]):
            counts.setdefault((run["kind"], name), []).append(len(requests))
            shapes.setdefault((run["kind"], name), [shape(q) for q in requests])
    summary["requests"] = [{"kind": k, "case": c, "count": stats(v), "example": shapes[(k, c)]}
                           for (k, c), v in sorted(counts.items())]
    summary["http_seconds_per_create"] = {
        kind: stats([sum(q["seconds"] for q in requests)
                     for run in raw["create_n"] if run["kind"] == kind
                     for requests in run["requests"]])
        for kind in ("ours", "anchor")}

    # timing: per playbook, and per task above the floor (paired by round)
    timing = {}
    for scenario, tasks in (("create_n", args.n), ("loop", args.loop), ("async", args.loop)):
        by = {}
        for run in raw[scenario]:
            by.setdefault(run["round"], {})[run["kind"]] = run
        entry = {"tasks": tasks}
        for metric in ("wall", "cpu"):
            for kind in KINDS:
                entry["%s_%s" % (kind, metric)] = stats(
                    [rounds[kind][metric] for rounds in by.values() if kind in rounds])
            above = {kind: [(rounds[kind][metric] - rounds["ping"][metric]) / tasks
                            for rounds in by.values() if kind in rounds and "ping" in rounds]
                     for kind in ("ours", "anchor")}
            entry["ours_above_floor_%s_per_task" % metric] = stats(above["ours"])
            entry["anchor_above_floor_%s_per_task" % metric] = stats(above["anchor"])
            entry["ratio_above_floor_%s" % metric] = stats(
                [o / a if a > 0 else None for o, a in zip(above["ours"], above["anchor"])])
            entry["ratio_total_%s" % metric] = stats(
                [rounds["ours"][metric] / rounds["anchor"][metric] for rounds in by.values()
                 if "ours" in rounds and "anchor" in rounds])
        timing[scenario] = entry
    summary["timing"] = timing

    imports = {}
    for item in raw["imports"]:
        imports.setdefault(item["label"], {"wall": [], "cpu": []})
        imports[item["label"]]["wall"].append(item["wall"])
        imports[item["label"]]["cpu"].append(item["cpu"])
    summary["imports"] = {label: {"wall": stats(v["wall"]), "cpu": stats(v["cpu"])}
                          for label, v in imports.items()}
    return summary


def fmt(entry, scale=1.0, digits=2):
    if not entry:
        return "–"
    pattern = "%%.%df (%%.%df–%%.%df)" % (digits, digits, digits)
    return pattern % (entry["median"] * scale, entry["min"] * scale, entry["max"] * scale)


def fmt_count(entry):
    if not entry:
        return "–"
    if entry["min"] == entry["max"]:
        return "%d" % entry["median"]
    return "%g (%d–%d)" % (entry["median"], entry["min"], entry["max"])


def markdown(result):
    s = result["summary"]
    m = result["machine"]
    p = result["params"]
    lines = [
        "Benchmark %s: %s, %s CPU(s) %s, %s GiB, Python %s, ansible-core %s, openstacksdk %s, "
        "openstack.cloud %s. Rounds: %d (N-create), %d (loop/async), %d (wait). Figures: median "
        "(min–max)." % (result["stamp"], m.get("platform"), m.get("nproc"), m.get("cpu", "?"),
                        m.get("memory_gib", "?"), m["python"], m["ansible-core"],
                        m["openstacksdk"], m["openstack.cloud"], p["rounds"], p["loop_rounds"],
                        p["wait_rounds"]),
        "",
        "HTTP requests per task (token included)",
        "",
        "| case | vbs.cloud.vbs_backup | openstack.cloud.volume_backup |",
        "|---|---|---|",
    ]
    counts = {(r["kind"], r["case"]): r["count"] for r in s["requests"]}
    for case in ("create, wait: false", "create, wait: true", "re-run, wait: true",
                 "re-run, wait: false"):
        lines.append("| %s | %s | %s |" % (case, fmt_count(counts.get(("ours", case))),
                                           fmt_count(counts.get(("anchor", case)))))
    lines += ["", "Time of a playbook (seconds; CPU = user + sys of the ansible-playbook "
                  "process tree)", "",
              "| playbook | metric | ours | anchor | ping (floor) | ours above floor / task "
              "| anchor above floor / task | ratio ours/anchor above floor |",
              "|---|---|---|---|---|---|---|---|"]
    names = {"create_n": "%d create tasks" % p["n"], "loop": "1 task, loop of %d" % p["loop"],
             "async": "loop of %d, async + async_status" % p["loop"]}
    for scenario, entry in s["timing"].items():
        for metric in ("wall", "cpu"):
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                names[scenario], metric, fmt(entry["ours_%s" % metric]),
                fmt(entry["anchor_%s" % metric]), fmt(entry["ping_%s" % metric]),
                fmt(entry["ours_above_floor_%s_per_task" % metric], digits=3),
                fmt(entry["anchor_above_floor_%s_per_task" % metric], digits=3),
                fmt(entry["ratio_above_floor_%s" % metric])))
    lines += ["", "Start-up: importing in a fresh interpreter (seconds)", "",
              "| import | wall | CPU |", "|---|---|---|"]
    for label, entry in s["imports"].items():
        lines.append("| %s | %s | %s |" % (label, fmt(entry["wall"], digits=3),
                                           fmt(entry["cpu"], digits=3)))
    lines += ["", "Requests of one create without wait:", ""]
    for r in s["requests"]:
        if r["case"] == "create, wait: false":
            lines.append("- %s: %s" % (MODULES[r["kind"]], "; ".join(r["example"])))
    http = s["http_seconds_per_create"]
    lines += ["", "Time spent waiting for HTTP answers per create (s): ours %s, anchor %s"
              % (fmt(http.get("ours"), digits=3), fmt(http.get("anchor"), digits=3)), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
