# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The return values every module shares (``error``, ``retries``, ``endpoints``, added by the
base class) are documented identically in each module's RETURN, and ``error`` documents both of
its shapes: what the base class really returns for an API error and for an input error."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.vbs.cloud.plugins.module_utils.errors import ApiError, InputError

MODULES = sorted((Path(__file__).resolve().parents[4] / "plugins" / "modules").glob("*.py"))
SHARED = ("error", "retries", "endpoints")
API_ERROR = ("status", "code", "message", "request_id")
INPUT_ERROR = ("option", "problem", "rule")


def returns(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    text = next(node.value.value for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "RETURN")
    return yaml.safe_load(text)


def test_there_are_modules():
    assert len(MODULES) >= 3


@pytest.mark.parametrize("path", MODULES[1:], ids=[path.stem for path in MODULES[1:]])
def test_the_shared_return_values_are_documented_alike(path):
    first, this = returns(MODULES[0]), returns(path)
    for key in SHARED:
        assert key in this, "%s documents no '%s'" % (path.name, key)
        assert this[key] == first[key], "%s documents '%s' unlike %s" % (
            path.name, key, MODULES[0].name)


def test_error_documents_both_of_its_shapes():
    error = returns(MODULES[0])["error"]
    assert sorted(error["contains"]) == sorted(API_ERROR + INPUT_ERROR)
    text = " ".join(error["description"])
    assert "API error" in text and "input error" in text


def test_the_documented_shapes_are_the_ones_returned():
    api = ApiError("Creating the backup", 400, "Bad Request", code="VolumeBackup.0013",
                   message="busy", request_id="req-1")
    assert sorted(api.data) == sorted(API_ERROR)
    assert sorted(InputError("name", "too long", "1 to 64 characters").data) == sorted(INPUT_ERROR)


def test_endpoints_documents_both_roots():
    assert sorted(returns(MODULES[0])["endpoints"]["contains"]) == ["backups", "volumes"]
