# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of error codes: complete against the VBS appendix, well formed, and the
source of docs/docsite/rst/troubleshooting.rst (tools/docs_errors.py), which must be up to date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.vbs.cloud.plugins.module_utils.errors import (
    ERROR_CODES, HINTS_BY_CODE, HINTS_BY_STATUS, MEANINGS_BY_CODE, parse_error_body,
)

ROOT = Path(__file__).resolve().parents[4]
SCRIPT = ROOT / "tools" / "docs_errors.py"
PAGE = ROOT / "docs" / "docsite" / "rst" / "troubleshooting.rst"

# Every code of the VBS error-code appendix that is not about backup policies
# (opentelekomcloud-docs/volume-backup-service, api-ref/source/appendix/error_codes.rst).
APPENDIX = """
common.0011 VolumeBackup.0014 VolumeBackup.0041 VolumeBackup.0042 VolumeBackup.0044
VolumeBackup.0002 VolumeBackup.0003 VolumeBackup.0004 VolumeBackup.0005 VolumeBackup.0006
VolumeBackup.0007 VolumeBackup.0008 VolumeBackup.0009 VolumeBackup.0010 VolumeBackup.0011
VolumeBackup.0012 VolumeBackup.0013 VolumeBackup.0017 VolumeBackup.0018 VolumeBackup.0019
VolumeBackup.0020 VolumeBackup.0021 VolumeBackup.0022 VolumeBackup.0023 VolumeBackup.0024
VolumeBackup.0025 VolumeBackup.0026 VolumeBackup.0027 VolumeBackup.0028 VolumeBackup.0029
VolumeBackup.0030 VolumeBackup.0035 VolumeBackup.0036 VolumeBackup.0037 VolumeBackup.0038
VolumeBackup.0039 VolumeBackup.0040 VolumeBackup.0043 VolumeBackup.0049 VolumeBackup.0050
VolumeBackup.0053 VolumeBackup.0062 VolumeBackup.0063 VolumeBackup.0064 VolumeBackup.0070
VolumeBackup.0071 VolumeBackup.0072 VolumeBackup.0073 VolumeBackup.0074 VolumeBackup.0075
VolumeBackup.0076 VolumeBackup.0077 VolumeBackup.0078 VolumeBackup.0079 VolumeBackup.0080
VolumeBackup.0081 VolumeBackup.0082 VolumeBackup.0083 VolumeBackup.0084
VolumeBackup.0100 VolumeBackup.0101 VolumeBackup.0102 VolumeBackup.0103 VolumeBackup.0104
VolumeBackup.0105 VolumeBackup.0109 VolumeBackup.0110 VolumeBackup.0113 VolumeBackup.0123
VolumeBackup.0125 VolumeBackup.0900
VolumeBackup.0111 VolumeBackup.0200 VolumeBackup.0201 VolumeBackup.0202 VolumeBackup.0203
VolumeBackup.0204 VolumeBackup.0205 VolumeBackup.0206 VolumeBackup.0207 VolumeBackup.0208
VolumeBackup.0209 VolumeBackup.0210 VolumeBackup.0211 VolumeBackup.0089
""".split()
# Known from the real service beyond the appendix.
BEYOND = ["VolumeBackup.0015", "APIG.0308"]


def test_every_code_of_the_appendix_has_what_to_do():
    assert sorted(set(APPENDIX) - set(HINTS_BY_CODE)) == []
    assert sorted(set(HINTS_BY_CODE) - set(APPENDIX)) == sorted(BEYOND)


def test_each_code_is_in_the_table_once():
    codes = [code for _title, entries in ERROR_CODES for entry in entries for code in entry[0]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("hint", sorted(set(HINTS_BY_CODE.values()) | set(HINTS_BY_STATUS.values())))
def test_hints_end_a_sentence_that_the_line_starts(hint):
    # "... What to do: <hint>." -- no capital, no closing full stop, one line
    assert hint == hint.strip() and hint[0].islower() and not hint.endswith(".")
    assert "\n" not in hint and "  " not in hint


@pytest.mark.parametrize("meaning", sorted(set(MEANINGS_BY_CODE.values())))
def test_meanings_are_sentences(meaning):
    assert meaning[0].isupper() and meaning.endswith(".") and "\n" not in meaning


def test_the_snapshot_of_another_disk_gets_a_proper_hint():
    assert "snapshot_id" in HINTS_BY_CODE["VolumeBackup.0015"]
    assert "volume_id" in HINTS_BY_CODE["VolumeBackup.0015"]


@pytest.mark.parametrize("body, parsed", [
    ({"badRequest": {"code": "VolumeBackup.0013", "message": "m"}},
     ("VolumeBackup.0013", "m", None)),
    ({"itemNotFound": {"message": "m", "code": 404}}, ("itemNotFound", "m", None)),
    ({"forbidden": {"message": "m"}}, ("forbidden", "m", None)),
    ({"error": {"code": "VolumeBackup.0015", "message": "m"}}, ("VolumeBackup.0015", "m", None)),
    ({"error": {"code": 401, "title": "Unauthorized", "message": "m"}},
     ("Unauthorized", "m", None)),
    ({"error_code": "APIG.0308", "error_msg": "m", "request_id": "r"}, ("APIG.0308", "m", "r")),
    ({"badRequest": {"code": "VolumeBackup.0013", "message": "m"}, "request_id": "r"},
     ("VolumeBackup.0013", "m", "r")),
    ({"request_id": "r", "badRequest": {"code": 400, "message": "m"}}, ("badRequest", "m", "r")),
    ({"error": {"code": 400, "message": "m"}, "error_code": "VolumeBackup.0202"},
     ("VolumeBackup.0202", "m", None)),
    ({"error": {"message": "inner"}, "error_code": "APIG.0308", "error_msg": "outer"},
     ("APIG.0308", "inner", None)),
    ({"code": "VolumeBackup.0012", "message": " m\n m "}, ("VolumeBackup.0012", "m m", None)),
    ({"code": 400, "message": "m"}, (None, "m", None)),
    ({"backup": {"id": "x"}}, (None, None, None)),
    ({}, (None, None, None)),
    ([{"code": "x"}], (None, None, None)),
    (None, (None, None, None)),
    ("text", (None, None, None)),
])
def test_parse_error_body(body, parsed):
    assert parse_error_body(body) == parsed


# --- the page comes from the table ------------------------------------------------------------

needs_script = pytest.mark.skipif(not (SCRIPT.is_file() and PAGE.is_file()),
                                  reason="tools/ and docs/ are not in this tree")


def run_script(*args):
    return subprocess.run([sys.executable, str(SCRIPT)] + list(args), capture_output=True,
                          text=True, check=False)


@needs_script
def test_the_troubleshooting_page_is_up_to_date():
    done = run_script("--check")
    assert done.returncode == 0, done.stderr


@needs_script
def test_the_page_shows_every_code_and_status():
    page = PAGE.read_text(encoding="utf-8")
    for code in HINTS_BY_CODE:
        assert "``%s``" % code in page
    for status in HINTS_BY_STATUS:
        assert "  * - %d\n" % status in page


@needs_script
def test_the_check_fails_on_a_stale_page(tmp_path):
    stale = tmp_path / "troubleshooting.rst"
    stale.write_text(PAGE.read_text(encoding="utf-8").replace(
        "VolumeBackup.0209", "VolumeBackup.9999"), encoding="utf-8")
    done = run_script("--check", "--page", str(stale))
    assert done.returncode == 1 and "out of date" in done.stderr and "9999" in done.stderr
    done = run_script("--page", str(stale))  # writing it makes it right again
    assert done.returncode == 0 and stale.read_text(encoding="utf-8") == PAGE.read_text(
        encoding="utf-8")


@needs_script
def test_the_page_is_valid_restructuredtext():
    docutils_core = pytest.importorskip("docutils.core")
    import io

    warnings = io.StringIO()
    docutils_core.publish_doctree(PAGE.read_text(encoding="utf-8"), settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": warnings})
    assert warnings.getvalue() == ""
