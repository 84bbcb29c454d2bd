# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vbs.cloud developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The input rules of the VBS API page, checked before any request is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.vbs.cloud.plugins.module_utils.errors import InputError

NAME_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")
NAME_MAX = 64
DESCRIPTION_MAX = 255
ID_FORBIDDEN = re.compile(r"[\s/?#%]")
ID_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
ID_MAX = 64  # Keystone project IDs are at most 64 characters, Cinder IDs are UUIDs (36)
CONTAINER_MAX = 255


def _check_string(value, option, what):
    if not isinstance(value, str):
        raise InputError(option, "expected a string, got %s" % type(value).__name__,
                         "%s is a string" % what)


def check_name(value, option="name"):
    _check_string(value, option, "a backup name")
    if not value:
        raise InputError(option, "the name is empty", "1 to 64 characters")
    if len(value) > NAME_MAX:
        raise InputError(option, "the name has %d characters" % len(value), "1 to 64 characters")
    if not NAME_PATTERN.match(value):
        bad = sorted(set(ch for ch in value if not re.match(r"[A-Za-z0-9_-]", ch)))
        raise InputError(option, "the name contains %s" % ", ".join(repr(ch) for ch in bad),
                         "only ASCII letters, digits, underscores (_) and hyphens (-)")
    if value[:4].lower() == "auto":  # the service refuses the prefix in any case (0005)
        raise InputError(option, "the name '%s' starts with '%s'" % (value, value[:4]),
                         "names starting with 'auto', in any case, are reserved for automatic "
                         "backups")


def check_name_filter(value, option="name"):
    """A name to look backups up by: any non-empty string.

    Looser than ``check_name``: backups made by backup policies (``autobk_…``) or by other
    tools may have names that a create would refuse, and they must still be found.
    """
    _check_string(value, option, "a backup name")
    if not value:
        raise InputError(option, "the name is empty",
                         "give the name of the backups to find, or leave the option out")


def check_description(value, option="description"):
    _check_string(value, option, "a description")
    if len(value) > DESCRIPTION_MAX:
        raise InputError(option, "the description has %d characters" % len(value),
                         "0 to 255 characters")
    if "<" in value or ">" in value:
        raise InputError(option, "the description contains '<' or '>'",
                         "a description must not contain '<' or '>'")


def check_id(value, option):
    _check_string(value, option, "an ID")
    if not value.strip():
        raise InputError(option, "the value is empty", "an ID must be given and non-empty")
    if len(value) > ID_MAX:
        raise InputError(option, "the value has %d characters" % len(value),
                         "an ID is a single token such as a UUID, at most %d characters" % ID_MAX)
    if ID_FORBIDDEN.search(value) or not value.isprintable():
        raise InputError(option, "%r contains spaces, control characters or URL delimiters" % value,
                         "an ID is a single token such as a UUID")
    if not ID_PATTERN.match(value):
        bad = sorted(set(ch for ch in value if not re.match(r"[A-Za-z0-9_.-]", ch)))
        raise InputError(option, "%r contains %s" % (value, ", ".join(repr(ch) for ch in bad)
                                                     or "no letter or digit at the start"),
                         "an ID is a single token of ASCII letters, digits, '-', '_' and '.', "
                         "such as a UUID")


def check_container(value, option="container"):
    """The reserved ``container`` field: no rule on the API page; Cinder's own limits apply."""
    _check_string(value, option, "a container")
    if len(value) > CONTAINER_MAX:
        raise InputError(option, "the container has %d characters" % len(value),
                         "0 to %d characters" % CONTAINER_MAX)
    if not value.isprintable():
        raise InputError(option, "%r contains control or invisible characters" % value,
                         "a container is printable text")


PATTERN_MAX = 255
DURATION_MAX = 32
DURATION_PATTERN = re.compile(r"\A(?:[0-9]+[smhdw])+\Z")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def check_name_pattern(value, option="name_pattern"):
    """A shell-style pattern of backup names (``nightly-*``), matched case-sensitively."""
    _check_string(value, option, "a name pattern")
    if not value.strip():
        raise InputError(option, "the pattern is empty",
                         "a shell-style pattern such as nightly-*; '*' alone matches every name")
    if len(value) > PATTERN_MAX:
        raise InputError(option, "the pattern has %d characters" % len(value),
                         "1 to %d characters" % PATTERN_MAX)
    if value != value.strip():
        raise InputError(option, "%r starts or ends with white space" % value,
                         "backup names have no white space at either end, so such a pattern "
                         "matches nothing")
    if not value.isprintable():
        raise InputError(option, "%r contains control or invisible characters" % value,
                         "a pattern is printable text")


def check_duration(value, option):
    """A duration such as ``7d``, ``12h``, ``90m``, ``30s``, ``2w`` or ``1d12h``; in seconds."""
    _check_string(value, option, "a duration")
    rule = ("a whole number followed by a unit, s, m, h, d or w (seconds, minutes, hours, days, "
            "weeks), such as 7d, 12h or 90m; several may follow each other, as in 1d12h")
    if len(value) > DURATION_MAX:
        raise InputError(option, "the value has %d characters" % len(value), rule)
    if not DURATION_PATTERN.match(value):
        raise InputError(option, "%r is not a duration" % value, rule)
    return sum(int(number) * DURATION_UNITS[unit]
               for number, unit in re.findall(r"([0-9]+)([smhdw])", value))
