# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module's DOCUMENTATION, EXAMPLES and RETURN is YAML (as the docs sessions, ansible-doc and
the sanity tests need): a plain ``key: value`` inside a sentence breaks them all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

MODULES = sorted((Path(__file__).resolve().parents[4] / "plugins" / "modules").glob("*.py"))
BLOCKS = ("DOCUMENTATION", "EXAMPLES", "RETURN")


def blocks(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return dict((node.targets[0].id, node.value.value) for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in BLOCKS)


@pytest.mark.parametrize("path", MODULES, ids=[path.stem for path in MODULES])
def test_documentation_blocks_are_yaml(path):
    found = blocks(path)
    assert sorted(found) == sorted(BLOCKS)
    for name, text in found.items():
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            pytest.fail("%s %s is not YAML: %s" % (path.name, name, " ".join(str(exc).split())))
