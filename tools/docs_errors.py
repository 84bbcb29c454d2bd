#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the error tables of docs/docsite/rst/troubleshooting.rst from plugins/module_utils/errors.py.

The table of error codes (ERROR_CODES) and the hints by HTTP status (HINTS_BY_STATUS) of
errors.py are the one source; this script writes them between the page's markers

    .. BEGIN GENERATED <name> (tools/docs_errors.py)
    .. END GENERATED <name>

Usage: tools/docs_errors.py          rewrite the page
       tools/docs_errors.py --check  exit 1, saying what differs, when the page is out of date
(tests/unit/plugins/module_utils/test_errors.py runs the check.) Needs only Python 3.
"""

from __future__ import annotations

import argparse
import difflib
import http.client
import importlib.util
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ERRORS = ROOT / "plugins" / "module_utils" / "errors.py"
PAGE = ROOT / "docs" / "docsite" / "rst" / "troubleshooting.rst"
BEGIN = ".. BEGIN GENERATED %s (tools/docs_errors.py)"
END = ".. END GENERATED %s"


def load_errors(path=ERRORS):
    """errors.py as a module of its own (it imports nothing of the collection)."""
    spec = importlib.util.spec_from_file_location("vbs_cloud_errors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What the plain text of the table shows as a literal: quoted values ('available', '<'), option
# names (snake_case words such as volume_id) and option settings (force: true).
LITERAL = re.compile(r"(?<![\w'])'(?P<quoted>[\w.:<>*-]+)'(?![\w'])"
                     r"|\b(?P<setting>[a-z]+: (?:true|false))\b"
                     r"|(?<![\w.])(?P<option>[a-z]+(?:_[a-z]+)+)\b")


def rst_text(text):
    """Plain text of the table as reStructuredText: markup characters escaped, quoted values,
    option names and settings as literals."""
    parts = []
    last = 0
    for match in LITERAL.finditer(text):
        parts.append(_escape(text[last:match.start()]))
        parts.append("``%s``" % next(group for group in match.groups() if group))
        last = match.end()
    parts.append(_escape(text[last:]))
    return "".join(parts)


def _escape(text):
    text = re.sub(r"([\\`*|])", r"\\\1", text)
    return re.sub(r"_(?=\W|$)", r"\\_", text)  # name_ would be a reference


def sentence(text):
    """A hint ("delete it first") as a sentence ("Delete it first.")."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def _cell(first, text, indent="    "):
    """A list-table cell: ``first`` is "* - " or "  - "; long text wraps under it."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(indent) + len(line) + 1 + len(word) > 96:
            lines.append(line)
            line = word
        else:
            line = "%s %s" % (line, word) if line else word
    lines.append(line)
    return ["  " + first + lines[0]] + ["  " + indent + rest for rest in lines[1:]]


def error_codes_section(errors):
    out = []
    for title, entries in errors.ERROR_CODES:
        out += [title, "~" * len(title), "",
                ".. list-table::", "  :header-rows: 1", "  :widths: 24 36 40", "",
                "  * - Code", "    - Meaning", "    - What to do"]
        for codes, meaning, what_to_do in entries:
            out += _cell("* - ", ", ".join("``%s``" % code for code in codes))
            out += _cell("  - ", rst_text(meaning))
            out += _cell("  - ", rst_text(sentence(what_to_do)))
        out.append("")
    return out[:-1]


# Reason phrases that Python 3.13 renamed (RFC 9110); fixed here so that the page is the same
# whichever Python writes or checks it.
PHRASES = {413: "Request Entity Too Large", 422: "Unprocessable Entity"}


def http_statuses_section(errors):
    out = [".. list-table::", "  :header-rows: 1", "  :widths: 14 86", "",
           "  * - Status", "    - Meaning and what to do"]
    for status, hint in sorted(errors.HINTS_BY_STATUS.items()):
        out += _cell("* - ", str(status))
        phrase = PHRASES.get(status) or http.client.responses.get(status, "HTTP %d" % status)
        out += _cell("  - ", "%s. %s" % (phrase,
                                         rst_text(sentence(hint))))
    return out


SECTIONS = {"error-codes": error_codes_section, "http-statuses": http_statuses_section}


def render(page_text, errors):
    """The page with every generated section written anew; raises ValueError on bad markers."""
    lines = page_text.split("\n")
    for name, make in SECTIONS.items():
        begin, end = BEGIN % name, END % name
        if lines.count(begin) != 1 or lines.count(end) != 1:
            raise ValueError("%s needs the lines %r and %r once each" % (PAGE.name, begin, end))
        first, last = lines.index(begin), lines.index(end)
        if last < first:
            raise ValueError("%r comes before %r" % (end, begin))
        lines[first + 1:last] = [""] + make(errors) + [""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that the page is up to date")
    parser.add_argument("--page", type=Path, default=PAGE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    current = args.page.read_text(encoding="utf-8")
    try:
        wanted = render(current, load_errors())
    except ValueError as exc:
        print("tools/docs_errors.py: %s" % exc, file=sys.stderr)
        return 2
    if wanted == current:
        print("tools/docs_errors.py: %s is up to date" % args.page.name)
        return 0
    if args.check:
        diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), "page", "table",
                                    lineterm="", n=1)
        print("tools/docs_errors.py: %s is out of date with plugins/module_utils/errors.py; "
              "run tools/docs_errors.py to write it.\n%s" % (args.page.name, "\n".join(diff)),
              file=sys.stderr)
        return 1
    args.page.write_text(wanted, encoding="utf-8")
    print("tools/docs_errors.py: wrote the error tables of %s" % args.page.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
