"""Stand-in for ansible-test's get-pip.py: bootstrap pip from ensurepip, then install what is asked.

ansible-test runs this as ``python get_pip.py [pip options] [packages] --no-setuptools --no-wheel``
in an empty virtual environment to put a pinned pip there. It downloads the real get-pip.py
from its own file host, which machines that only reach PyPI cannot; tools/sanity seeds its
cache with this file instead. It works the same on a connected machine.

ansible-test passes only HOME, PATH and the locale variables, and ensurepip disables the pip
configuration (PIP_CONFIG_FILE=/dev/null): the environment of the caller of tools/sanity,
recorded below when the file is seeded, is restored for the second step so that the index,
proxy and CA settings of the machine apply.
"""

import ensurepip
import os
import subprocess
import sys

SAVED_ENVIRONMENT = {}  # filled in by tools/sanity


def main():
    packages = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
    environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)  # changes os.environ of this process
    environment.update(SAVED_ENVIRONMENT)
    if "PIP_CONFIG_FILE" not in SAVED_ENVIRONMENT:
        environment.pop("PIP_CONFIG_FILE", None)
    command = [sys.executable, "-m", "pip", "install", "--quiet"] + packages
    sys.exit(subprocess.call(command, env=environment))


if __name__ == "__main__":
    main()
