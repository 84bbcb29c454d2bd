# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every gate of tools/test but the integration tests, as nox sessions: the standard sessions of
antsibull-nox (antsibull-nox.toml) and the version matrix and checks defined here.

    nox -l                       # list the sessions
    nox -s matrix                # the version matrix, two workers (one per CPU core)
    nox -s "units(2.21)" sanity-2.16 ansible-lint
    python noxfile.py --check    # which interpreter each session gets, or what is missing

From antsibull-nox.toml: lint (antsibull-nox config lint, yamllint), ansible-lint (profile
production), docs-check (antsibull-docs lint-collection-docs), extra-checks (unwanted files,
trailing whitespace, the action group vbs) and build-import-check (ansible-galaxy collection
build, then galaxy-importer, failed here on any warning of its log).

The version matrix, on each supported ansible-core, each on a Python it supports (CORES):
units(CORE) runs pytest (tests/unit, HTTP faked at the wire) in one virtual environment with
that ansible-core, first with openstacksdk 1.0.0, then upgraded to the newest openstacksdk;
sanity-CORE runs ansible-test sanity (no ignore file) with that ansible-core on the same Python,
through antsibull-nox's add_ansible_test_session (which copies the collection into a tree of its
own); ansible-test makes its own environments for each test (--venv). `matrix` runs them in two
nox processes at once: `nox -t matrix-a` (the sanity sessions on Python 3.11, and the units of
the two oldest cores) and `nox -t matrix-b` (the others); ansible-test keeps its environments per
Python, so two ansible-test runs never share a Python.

Also here: ansible-test-units (ansible-test units on the .venv's ansible-core), docs (the
troubleshooting page up to date, and the HTML site built offline with Sphinx -W), changelog
(antsibull-changelog lint, CHANGELOG.md up to date) and ee (ansible-builder introspect and
create). Virtual environments in .cache/nox, reused by later runs.

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

import contextlib  # noqa: E402
import difflib  # noqa: E402
import functools  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402
import zlib  # noqa: E402
from pathlib import Path  # noqa: E402

import antsibull_nox  # noqa: E402
import nox  # noqa: E402
from antsibull_nox.sessions.collections import prepare_collections  # noqa: E402
from nox.command import CommandFailed  # noqa: E402

nox.options.envdir = ".cache/nox"  # .cache/ is ignored by git, the galaxy build and the linters
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"  # no interpreter downloads: only PyPI is reachable

ROOT = Path(__file__).resolve().parent
CONSTRAINTS = ["-c", str(ROOT / "tests" / "constraints.txt")]
PYTHONS = {version: find_python(version) or version for version in set(CORES.values())}
# The two workers of `matrix`: a runs the sanity sessions on Python 3.11 (one after the other, as
# ansible-test keeps its environments per Python) and, to even out their times, the units of the
# two oldest cores; b runs the rest.
WORKER_A_UNITS = sorted(CORES, key=lambda core: tuple(map(int, core.split("."))))[:2]
MATRIX = [nox.param(PYTHONS[python], core, id=core, tags=["matrix-a" if core in WORKER_A_UNITS else "matrix-b"])
          for core, python in CORES.items()]
# the .venv's ansible-core (tests/constraints.txt), for ansible-test-units
VENV_CORE = re.search(r"^ansible-core==(\d+\.\d+)\.", (ROOT / "tests" / "constraints.txt").read_text(),
                      re.M).group(1)

antsibull_nox.load_antsibull_nox_toml()


def _core(version: str) -> str:
    return "ansible-core~=%s.0" % version


def _versions(session: nox.Session) -> None:
    session.run("python", "-c", "import sys; from importlib.metadata import version as v; "
                "print('Python %d.%d.%d' % sys.version_info[:3], '- ansible-core', "
                "v('ansible-core'), '- openstacksdk', v('openstacksdk'))", silent=False)


def _wrap(name: str, wrapper) -> nox.registry.Func:
    """Run wrapper(session, session_function) in place of the registered session `name`."""
    registered = nox.registry.get()[name]
    inner = registered.func
    registered.func = functools.wraps(inner)(lambda session: wrapper(session, inner))
    return registered


@nox.session(tags=["matrix"])
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


# The pip version that ansible-test pins, read from the ansible-test of the session's venv.
PIP_VERSION = ("import pathlib, re, ansible_test; print(re.search(r\"pip='([0-9.]+)'\", (pathlib.Path("
               "ansible_test.__file__).parent / '_internal' / 'python_requirements.py').read_text()).group(1))")


def _before_ansible_test(session: nox.Session) -> None:
    """Before ansible-test runs, in antsibull-nox's copy of the collection: no ignore file, and
    the pip bootstrap seeded.

    ansible-test --venv puts pip into each environment it makes with a get-pip.py that it
    downloads from a host that machines reaching only PyPI cannot reach: its cache gets
    tools/lib/get_pip.py, unchanged, named after the pip this ansible-test pins (get_pip_24_2.py
    up to 2.19, get_pip_25_2.py from 2.20 on), written atomically as another core's run may read
    it. The script takes the pip, proxy and CA settings from the environment of the ansible-test
    process, marked with VBS_GET_PIP_ENVIRONMENT (see tools/lib/get_pip.py).
    """
    ignores = sorted(glob.glob("tests/sanity/ignore-*.txt"))
    if ignores:
        session.error("%s must not exist: fix what ansible-test reports instead" % ", ".join(ignores))
    pip = session.run("python", "-c", PIP_VERSION, silent=True).strip()
    target = Path.home() / ".ansible" / "test" / "cache" / ("get_pip_%s.py" % pip.replace(".", "_"))
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name("%s.%d.tmp" % (target.name, os.getpid()))
    shutil.copyfile(ROOT / "tools" / "lib" / "get_pip.py", temporary)
    os.replace(temporary, target)
    os.environ["VBS_GET_PIP_ENVIRONMENT"] = "1"  # marks ansible-test's environment for get_pip.py


def ansible_test_session(name: str, test: str, core: str, tags: list[str]) -> None:
    """`ansible-test TEST --venv --python X` with one ansible-core (from PyPI) on the Python of
    CORES, through antsibull-nox (which prepares the collection's tree and runs ansible-test)."""
    python = CORES[core]
    running = []
    antsibull_nox.add_ansible_test_session(
        name=name, description="ansible-test %s with ansible-core %s on Python %s" % (test, core, python),
        ansible_test_params=[test, "--venv", "--python", python, "--color", "no"],
        default=True, ansible_core_version=core, ansible_core_source="pypi",
        callback_before=lambda: _before_ansible_test(running[-1]),
        # antsibull-nox then copies tests/output back into the tree, deepest directories first,
        # which fails on the nested ones ansible-test leaves in its scratch directory .tmp
        callback_after=lambda: shutil.rmtree("tests/output/.tmp", ignore_errors=True))

    def remember(session: nox.Session, inner) -> None:
        running.append(session)
        inner(session)

    registered = _wrap(name, remember)
    registered.python = PYTHONS[python]  # antsibull-nox would take the newest the core allows
    registered.tags = tags


for _core_version, _python in CORES.items():
    ansible_test_session("sanity-" + _core_version, "sanity", _core_version,
                         ["matrix", "matrix-a" if _python == "3.11" else "matrix-b"])
ansible_test_session("ansible-test-units", "units", VENV_CORE, [])


@nox.session(python=False, default=False)
def matrix(session: nox.Session) -> None:
    """The version matrix (units and sanity sessions) in two workers at once, one per CPU core.

    `nox -t matrix-a` runs the sanity sessions on Python 3.11 and two units sessions, `nox -t
    matrix-b` the others (WORKER_A_UNITS).
    Logs: .cache/nox-a.log, .cache/nox-b.log.
    """
    for version in sorted(set(CORES.values())):
        if not find_python(version):
            cores = ", ".join(c for c, v in CORES.items() if v == version)
            session.error(MISSING_HELP % (version, cores, version))
    workers = []
    for worker in ("a", "b"):
        log = ROOT / ".cache" / ("nox-%s.log" % worker)
        log.parent.mkdir(exist_ok=True)
        with open(log, "wb") as handle:
            workers.append((worker, log, subprocess.Popen(
                [sys.executable, "-m", "nox", "-f", str(ROOT / "noxfile.py"), "-t", "matrix-" + worker,
                 *session.posargs], stdout=handle, stderr=subprocess.STDOUT)))
    failed = [worker for worker, _log, process in workers if process.wait() != 0]
    for worker, log, _process in workers:
        lines = log.read_text(errors="replace").splitlines()
        if worker in failed:
            print("\n".join([line for line in lines if re.search(r"^nox > (Session|Ran)|FAILED|ERROR", line)][-30:]))
        for line in lines:  # each session's outcome and time, as nox reports them
            if re.match(r"nox > Session .* (was successful|failed|aborted)", line):
                print("    " + line[6:])
    if failed:
        session.error("worker %s failed (logs: %s)" % (" and ".join(failed), ", ".join(
            ".cache/nox-%s.log" % worker for worker in failed)))


class _Tee:
    """A text stream that writes to several."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def _strict_import(session: nox.Session, inner) -> None:
    """build-import-check, failed on any WARNING or ERROR line of galaxy-importer's log (which
    reports lint findings and other problems without failing), and without the collections path
    of tools/common.sh: galaxy-importer sees only the built collection."""
    log = io.StringIO()
    outer = os.environ.pop("ANSIBLE_COLLECTIONS_PATH", None)
    try:
        with contextlib.redirect_stdout(_Tee(sys.stdout, log)):  # antsibull-nox prints the log
            inner(session)
    finally:
        if outer is not None:
            os.environ["ANSIBLE_COLLECTIONS_PATH"] = outer
    problems = [line.strip() for line in log.getvalue().splitlines()
                if re.match(r"\s*(WARNING|ERROR)", line) and not re.match(r"\s*WARNING: Location '", line)]
    if problems:
        session.error("galaxy-importer reported %d warning(s):\n%s" % (len(problems), "\n".join(problems)))


_wrap("build-import-check", _strict_import)


# No network: instead of the intersphinx inventories of docs.python.org and docs.ansible.com, a
# local inventory with the few ansible-core labels that the generated pages link to. A new label
# shows up as an "undefined label" warning of Sphinx: add it here.
DOCS_LABELS = [  # label, page under https://docs.ansible.com/projects/ansible/devel/, title
    ("ansible_configuration_settings", "reference_appendices/config.html", "Ansible Configuration Settings"),
    ("common_return_values", "reference_appendices/common_return_values.html", "Return Values"),
]


def _offline_intersphinx(site: Path) -> None:
    body = "".join("%s std:label -1 %s#%s %s\n" % (name, page, name.replace("_", "-"), title)
                   for name, page, title in DOCS_LABELS)
    (site / "ansible_devel.inv").write_bytes(
        b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
        b"# The remainder of this file is compressed using zlib.\n" + zlib.compress(body.encode("utf-8")))
    with open(site / "conf.py", "a", encoding="utf-8") as handle:
        handle.write("\n# noxfile.py: offline, see ansible_devel.inv\nintersphinx_mapping = {\n"
                     "    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/',\n"
                     "                      %r),\n}\n" % str(site / "ansible_devel.inv"))


@nox.session
def docs(session: nox.Session) -> None:
    """The troubleshooting page up to date, and the HTML site built offline (Sphinx -W).

    tools/docs_errors.py --check, then the collection's site in docs/_build/html with antsibull-docs
    sphinx-init and Sphinx -W (any warning fails). Work files: .cache/docs/. The docs lint is
    docs-check.
    """
    session.install(*CONSTRAINTS, "ansible-core", "antsibull-docs", "sphinx", "sphinx-ansible-theme",
                    "ansible-pygments")
    session.run("python", "tools/docs_errors.py", "--check")
    collections = prepare_collections(session, install_in_site_packages=False, install_out_of_tree=True)
    if not collections:
        return
    env = {"ANSIBLE_COLLECTIONS_PATH": str(collections.current_place)}
    site = ROOT / ".cache" / "docs" / "site"
    shutil.rmtree(site.parent, ignore_errors=True)
    (site / "rst").mkdir(parents=True)
    for directory in (site, site / "rst"):
        directory.chmod(0o755)  # antsibull-docs refuses directories others can write to
    session.run("antsibull-docs", "sphinx-init", "--use-current", "--squash-hierarchy", "--fail-on-error",
                "--no-add-antsibull-docs-version", "--dest-dir", str(site), "--project", "vbs.cloud",
                "--copyright", "vbs.cloud developers", "--title", "vbs.cloud collection documentation",
                "--html-short-title", "vbs.cloud", "vbs.cloud", env=env, silent=True)
    _offline_intersphinx(site)
    html = ROOT / "docs" / "_build" / "html"
    shutil.rmtree(html, ignore_errors=True)
    with session.chdir(site):
        session.run("antsibull-docs", "--config-file", "antsibull-docs.cfg", "collection", "--cleanup",
                    "everything", "--fail-on-error", "--use-current", "--squash-hierarchy", "--dest-dir",
                    "rst", "vbs.cloud", env=env, silent=True)
        session.run("sphinx-build", "-b", "html", "-c", ".", "-W", "--keep-going", "-q", "rst", str(html))
    session.log("HTML site (%d pages) in docs/_build/html" % len(list(html.rglob("*.html"))))


@nox.session
def changelog(session: nox.Session) -> None:
    """antsibull-changelog lint (fragments, changelog.yaml) and CHANGELOG.md up to date.

    CHANGELOG.md must be what `antsibull-changelog generate` makes of changelogs/changelog.yaml.
    Releasing is a manual step, done once per version and committed:
    antsibull-changelog release --version X.Y.Z --date YYYY-MM-DD
    """
    session.install(*CONSTRAINTS, "antsibull-changelog")
    session.run("antsibull-changelog", "lint")
    session.run("antsibull-changelog", "lint-changelog-yaml", "changelogs/changelog.yaml")
    copy = Path(session.create_tmp()) / "changelog"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(ROOT / "changelogs", copy / "changelogs")
    for name in ("galaxy.yml", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, copy / name)
    with session.chdir(copy):
        session.run("antsibull-changelog", "generate")
    ours = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines(True)
    generated = (copy / "CHANGELOG.md").read_text(encoding="utf-8").splitlines(True)
    if ours != generated:
        print("".join(difflib.unified_diff(ours, generated, "CHANGELOG.md", "generated")))
        session.error("CHANGELOG.md is not what changelogs/changelog.yaml gives: run antsibull-changelog generate")


EE_DEFINITION = """---
version: 3
images:
  base_image:
    name: quay.io/fedora/python-311:latest
dependencies:
  python_interpreter:
    python_path: /usr/bin/python3.11
  ansible_core:
    package_pip: ansible-core>=2.16
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: /build/collections/%(tarball)s
        type: file
additional_build_files:
  - src: %(tarball)s
    dest: collections
additional_build_steps:
  prepend_galaxy:
    - COPY _build/collections/ /build/collections/
"""


@nox.session
def ee(session: nox.Session) -> None:
    """Execution environment check: ansible-builder introspect and create.

    ansible-builder introspects the built collection, which must report its Python requirements
    from meta/execution-environment.yml, and `ansible-builder create` renders a build context for
    an EE holding it (.cache/ee/context). Building the image needs podman or docker
    (`ansible-builder build` there), as antsibull-nox's ee-check does.
    """
    session.install(*CONSTRAINTS, "ansible-core", "ansible-builder==3.2.0")
    work = ROOT / ".cache" / "ee"
    shutil.rmtree(work, ignore_errors=True)
    (work / "collections").mkdir(parents=True)
    session.run("ansible-galaxy", "collection", "build", "--force", "--output-path", str(work), ".", silent=True)
    tarball = next(work.glob("vbs-cloud-*.tar.gz")).name
    session.run("ansible-galaxy", "collection", "install", "--force", "-p", str(work / "collections"),
                str(work / tarball), silent=True)
    found = session.run("ansible-builder", "introspect", "--sanitize", str(work / "collections"), silent=True)
    session.log(found)
    if not re.search(r"openstacksdk.*# from collection vbs\.cloud", found or ""):
        session.error("introspection did not find openstacksdk for vbs.cloud")
    (work / "execution-environment.yml").write_text(EE_DEFINITION % {"tarball": tarball}, encoding="utf-8")
    with session.chdir(work):
        session.run("ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context", silent=True)
    context = work / "context"
    if not ((context / "Containerfile").is_file() or (context / "Dockerfile").is_file()) \
            or not (context / "_build" / "collections" / tarball).is_file():
        session.error("the build context in .cache/ee/context is incomplete")
    session.log("build context for an EE with %s in .cache/ee/context" % tarball)
