"""Stand-in for ansible-test's get-pip.py: bootstrap pip from ensurepip, then install what is asked.

ansible-test runs this as ``python get_pip.py [pip options] [packages] --no-setuptools --no-wheel``
in an empty virtual environment to put a pinned pip there. It downloads the real get-pip.py
from its own file host, which machines that only reach PyPI cannot; the ansible-test sessions of
noxfile.py seed its cache with this file instead. It works the same on a connected machine.

ansible-test passes only HOME, PATH and the locale variables, and ensurepip disables the pip
configuration (PIP_CONFIG_FILE=/dev/null). The index, proxy and CA settings of the machine are
taken, at run time, from the environment of the nearest ancestor process that noxfile.py
marked with VBS_GET_PIP_ENVIRONMENT=1 (ansible-test itself, read from /proc/<pid>/environ), and
applied to the second step. Nothing is written anywhere; without /proc (or without a marked
ancestor) only pip's configuration files apply.
"""

import ensurepip
import os
import re
import subprocess
import sys

MARKER = b"VBS_GET_PIP_ENVIRONMENT=1"
KEEP = re.compile(r"^(PIP_.*|(https?|no|all)_proxy|(HTTPS?|NO|ALL)_PROXY|SSL_CERT_(FILE|DIR)"
                  r"|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|UV_.*)$")


def _parent(pid):
    with open("/proc/%d/stat" % pid, "rb") as handle:
        stat = handle.read()
    return int(stat[stat.rindex(b")") + 2:].split()[1])  # after "pid (comm) state"


def saved_environment(pid=None):
    """The pip, proxy and CA settings of the nearest marked ancestor, or {}."""
    pid = os.getppid() if pid is None else pid
    try:
        for _hop in range(64):  # not "_": pylint of ansible-test 2.20+ disallows that name
            if pid <= 1:
                break
            with open("/proc/%d/environ" % pid, "rb") as handle:
                entries = handle.read().split(b"\0")
            if MARKER in entries:
                found = {}
                for entry in entries:
                    key, _sep, value = entry.decode("utf-8", "surrogateescape").partition("=")
                    if KEEP.match(key):
                        found[key] = value
                return found
            pid = _parent(pid)
    except (OSError, ValueError, IndexError):
        pass
    return {}


def main():
    packages = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    saved = saved_environment()
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)  # changes os.environ of this process
    environment.update(saved)
    if "PIP_CONFIG_FILE" not in saved:
        environment.pop("PIP_CONFIG_FILE", None)
    command = [sys.executable, "-m", "pip", "install", "--quiet"] + packages
    sys.exit(subprocess.call(command, env=environment))


if __name__ == "__main__":
    main()
