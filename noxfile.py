# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The version matrix: the unit tests and ansible-test sanity on each supported ansible-core,
with the oldest and the newest openstacksdk the collection supports.

    python3 -m pip install nox   # or: pipx run nox ...
    nox -l                       # list the sessions
    nox                          # everything (about 10 minutes on 2 cores after the first run)
    nox -s "units(core='2.16', sdk='oldest')" "sanity(core='2.19')"

units runs pytest (tests/unit, HTTP faked at the wire) in a virtual environment with exactly
that ansible-core and openstacksdk. sanity runs tools/sanity (ansible-test sanity, no ignore
file) with that ansible-core; ansible-test makes its own environments for each test.
"""

from __future__ import annotations

import nox

nox.options.envdir = ".cache/nox"  # .cache/ is ignored by git, the galaxy build and the linters
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"  # ansible-core 2.16 and 2.17 need Python <= 3.12; 2.19 needs >= 3.11
CORES = ["2.16", "2.17", "2.18", "2.19"]
OPENSTACKSDK = {
    "oldest": "openstacksdk==1.0.0",  # the minimum stated in requirements.txt and the docs
    "newest": "openstacksdk",
}
UNIT_PACKAGES = ["pytest", "requests-mock", "hypothesis"]


def _core(version: str) -> str:
    return "ansible-core~=%s.0" % version


@nox.session(python=PYTHON)
@nox.parametrize("sdk", list(OPENSTACKSDK))
@nox.parametrize("core", CORES)
def units(session: nox.Session, core: str, sdk: str) -> None:
    """pytest tests/unit with one ansible-core and one openstacksdk."""
    session.install(_core(core), OPENSTACKSDK[sdk], *UNIT_PACKAGES)
    session.run("python", "-c", "from importlib.metadata import version as v; "
                "print('ansible-core', v('ansible-core'), '- openstacksdk', v('openstacksdk'))",
                silent=False)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning",
                "tests/unit", *session.posargs)


@nox.session(python=PYTHON)
@nox.parametrize("core", CORES)
def sanity(session: nox.Session, core: str) -> None:
    """tools/sanity (ansible-test sanity --venv) with one ansible-core."""
    session.install(_core(core))
    session.run("tools/sanity", "sanity", external=True, env={"VBS_ANSIBLE_BIN": session.bin})
