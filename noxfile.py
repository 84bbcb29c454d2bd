# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version matrix: the unit tests and ansible-test sanity on each supported ansible-core,
each on a Python it supports, with the oldest and the newest openstacksdk the collection supports.

    tools/matrix                 # everything, two workers (one per CPU core): see tools/matrix
    nox -l                       # list the sessions
    nox -s "units(2.21)" "sanity(2.16)"
    python noxfile.py --check    # which interpreter each session gets, or what is missing

units(CORE) runs pytest (tests/unit, HTTP faked at the wire) in one virtual environment with
that ansible-core, first with openstacksdk 1.0.0, then upgraded to the newest openstacksdk.
sanity(CORE) runs tools/sanity (ansible-test sanity, no ignore file) with that ansible-core on
the same Python; ansible-test makes its own environments for each test.

The Pythons are looked up on PATH, then under ~/.pyenv/versions (the machine image has 3.11,
3.12 and 3.13 there, but pyenv's shims only run its global version), then /usr/bin.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

# ansible-core -> the Python its sessions run on: one that ansible-core supports as controller
# (2.16 and 2.17: 3.10-3.12; 2.18 and 2.19: 3.11-3.13; 2.20 and 2.21: 3.12-3.14) and that the
# collection claims (tests/config.yml, the doc fragment's requirements: 3.11 and newer).
CORES = {
    "2.16": "3.11",
    "2.17": "3.11",
    "2.18": "3.11",
    "2.19": "3.11",
    "2.20": "3.12",
    "2.21": "3.13",
}
OPENSTACKSDK = {
    "oldest": "openstacksdk==1.0.0",  # the minimum stated in requirements.txt and the docs
    "newest": "openstacksdk",
}
UNIT_PACKAGES = ["pytest", "requests-mock", "hypothesis"]


def _usable(path: str | None) -> bool:
    """A Python that runs (a pyenv shim of a version that is not selected does not) with venv."""
    if not path:
        return False
    try:
        return subprocess.run([path, "-c", "import ensurepip, venv"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60, check=False).returncode == 0
    except OSError:
        return False


def find_python(version: str) -> str | None:
    """The path of a usable pythonX.Y, or None."""
    name = "python" + version
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates = [shutil.which(name)]
    candidates += sorted(glob.glob(os.path.join(pyenv, "versions", version + ".*", "bin", name)),
                         key=lambda p: [int(x) for x in p.split(os.sep)[-3].split(".")
                                        if x.isdigit()], reverse=True)
    candidates += [os.path.join(d, name) for d in ("/usr/local/bin", "/usr/bin")]
    return next((c for c in candidates if c and os.path.isfile(c) and _usable(c)), None)


MISSING_HELP = (
    "Python %s is needed for ansible-core %s and was found neither on PATH nor under "
    "~/.pyenv/versions nor in /usr/bin. The machine image has it under ~/.pyenv/versions; "
    "elsewhere install it with pyenv (pyenv install %s) or the system's packages where they "
    "have it (Debian 13: apt-get install python3.13-venv, for 3.13 only).")


if __name__ == "__main__":  # python noxfile.py --check | --python X.Y
    if sys.argv[1:2] == ["--python"]:
        found = find_python(sys.argv[2])
        print(found or "")
        sys.exit(0 if found else 1)
    missing = 0
    for version in sorted(set(CORES.values())):
        found = find_python(version)
        cores = ", ".join(c for c, v in CORES.items() if v == version)
        print("Python %s (ansible-core %s): %s" % (version, cores, found or "MISSING"))
        if not found:
            missing += 1
            print("  " + MISSING_HELP % (version, cores, version))
    sys.exit(1 if missing else 0)

import nox  # noqa: E402
from nox.command import CommandFailed  # noqa: E402

nox.options.envdir = ".cache/nox"  # .cache/ is ignored by git, the galaxy build and the linters
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"  # no interpreter downloads: only PyPI is reachable

PYTHONS = {version: find_python(version) or version for version in set(CORES.values())}
MATRIX = [nox.param(PYTHONS[python], core, id=core) for core, python in CORES.items()]


def _core(version: str) -> str:
    return "ansible-core~=%s.0" % version


def _versions(session: nox.Session) -> None:
    session.run("python", "-c", "import sys; from importlib.metadata import version as v; "
                "print('Python %d.%d.%d' % sys.version_info[:3], '- ansible-core', "
                "v('ansible-core'), '- openstacksdk', v('openstacksdk'))", silent=False)


@nox.session
@nox.parametrize("python, core", MATRIX)
def units(session: nox.Session, core: str) -> None:
    """pytest tests/unit with one ansible-core: openstacksdk 1.0.0, then the newest, one venv."""
    session.install(_core(core), OPENSTACKSDK["oldest"], *UNIT_PACKAGES)
    failed = []
    for sdk in ("oldest", "newest"):  # both run, even when the first fails
        if sdk == "newest":
            session.install("--upgrade", _core(core), OPENSTACKSDK["newest"])
        _versions(session)
        try:
            session.run("pytest", "-q", "-p", "no:cacheprovider", "-W",
                        "ignore::DeprecationWarning", "tests/unit", *session.posargs)
        except CommandFailed:
            failed.append(OPENSTACKSDK[sdk])
    if failed:
        session.error("pytest failed with ansible-core %s and %s" % (core, " and ".join(failed)))


@nox.session
@nox.parametrize("python, core", MATRIX)
def sanity(session: nox.Session, core: str) -> None:
    """tools/sanity (ansible-test sanity --venv) with one ansible-core, on the session's Python."""
    session.install(_core(core))
    session.run("tools/sanity", "sanity", external=True,
                env={"VBS_ANSIBLE_BIN": session.bin, "VBS_PYTHON_VERSION": CORES[core]})
