# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests of the API page's input rules (hypothesis).

The rules, as written on the API page:
- name: 1 to 64 characters of digits, letters, underscores and hyphens, not starting with auto
  (in any case: the service refuses AutoBackup1 and AUTO-x with VolumeBackup.0005);
- description: 0 to 255 characters, without '<' or '>'.
Each check must accept exactly the strings the rule allows, and say which option broke it.
"""

from __future__ import annotations

import re

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ansible_collections.vbs.cloud.plugins.module_utils.errors import InputError  # noqa: E402
from ansible_collections.vbs.cloud.plugins.module_utils.rules import (  # noqa: E402
    check_description, check_id, check_name,
)

NAME_RULE = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
TRICKY = (" ", "\n", "\x00", "\u0430", "\uff41", "\u200b", "\u202e", "\u00e9",
          "<", ">", ".", "/", "\t", "\u0131", "\u212a")  # ı and K (Kelvin) fold to ASCII letters

settings.register_profile("vbs", max_examples=400, deadline=None)
settings.load_profile("vbs")


def name_allowed(value):
    return bool(NAME_RULE.fullmatch(value)) and value[:4].lower() != "auto"


def accepts(check, value, *args):
    try:
        check(value, *args)
    except InputError:
        return False
    return True


# Strings near the rule's edges: mostly the allowed alphabet, with tricky characters mixed in,
# lengths around 0, 64 and 65, and the reserved prefix.
near_names = st.one_of(
    st.text(alphabet=NAME_ALPHABET, min_size=0, max_size=70),
    st.lists(st.sampled_from(list(NAME_ALPHABET) + list(TRICKY) + ["auto", "AUTO"]),
             max_size=70).map("".join),
    st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(["auto", "Auto", "aut", "auto_"]),
              st.text(alphabet=NAME_ALPHABET, max_size=64)),
    st.text(max_size=80),
)


@given(near_names)
@example("a" * 64)
@example("a" * 65)
@example("")
@example("auto")
@example("Auto")
@example("AutoBackup1")
@example("AUTO-x")
@example("aUtO")
@example("autx")
@example("abc\n")
@example("\u212a")  # KELVIN SIGN: re's IGNORECASE would match it to k; the rule must not
def test_name_check_accepts_exactly_the_rule(value):
    assert accepts(check_name, value) == name_allowed(value), repr(value)


@given(near_names)
def test_a_refused_name_names_the_option_and_the_rule(value):
    try:
        check_name(value, option="name")
    except InputError as exc:
        assert str(exc).startswith("Invalid value for option 'name'")
        assert exc.data["option"] == "name" and exc.data["rule"]
        assert "\n" not in str(exc).replace(repr("\n")[1:-1], "")


near_descriptions = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(["a", " ", "<", ">", "\n", "\x00", "\u202e"]), max_size=260),
    st.integers(min_value=250, max_value=260).map(lambda n: "d" * n),
)


@given(near_descriptions)
@example("d" * 255)
@example("d" * 256)
@example("")
@example("\u00a0<")
def test_description_check_accepts_exactly_the_rule(value):
    allowed = len(value) <= 255 and "<" not in value and ">" not in value
    assert accepts(check_description, value) == allowed, repr(value)


@given(st.text(max_size=80))
@example("c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768")
@example("5751d8c3f2f6415993ee4326b41630ec")
def test_id_check_accepts_only_single_ascii_tokens(value):
    allowed = bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", value))
    assert accepts(check_id, value, "volume_id") == allowed, repr(value)


@given(st.uuids())
def test_every_uuid_is_a_valid_id(value):
    check_id(str(value), "volume_id")
    check_id(str(value).upper(), "volume_id")
    check_id(value.hex, "project_id")


@given(st.one_of(st.integers(), st.lists(st.text()), st.dictionaries(st.text(), st.text()),
                 st.none(), st.binary()))
def test_non_strings_are_refused_by_every_check(value):
    for check, args in ((check_name, ()), (check_description, ()), (check_id, ("volume_id",))):
        assert not accepts(check, value, *args)


@pytest.mark.parametrize("value", ["AutoBackup1", "AUTO-x", "aUTO", "auto"])
def test_the_auto_prefix_is_refused_in_any_case(value):
    with pytest.raises(InputError) as caught:
        check_name(value)
    assert "starts with '%s'" % value[:4] in str(caught.value)
    assert "in any case" in str(caught.value)


# --- older_than of vbs_backup_prune: a duration such as 7d, 12h, 90m, 1d12h --------------------

from ansible_collections.vbs.cloud.plugins.module_utils.rules import check_duration  # noqa: E402

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(sorted(UNITS))),
                min_size=1, max_size=4))
@example([(7, "d")])
@example([(1, "d"), (12, "h")])
def test_a_duration_is_the_sum_of_its_parts(parts):
    text = "".join("%d%s" % part for part in parts)
    if len(text) > 32:
        with pytest.raises(InputError):
            check_duration(text, "older_than")
        return
    assert check_duration(text, "older_than") == sum(n * UNITS[unit] for n, unit in parts)


@given(st.text(max_size=12))
@example("7")
@example("7D")
@example("1.5d")
@example("\u0667d")
def test_anything_else_is_refused_naming_the_option(text):
    if re.fullmatch(r"(?:[0-9]+[smhdw])+", text, re.ASCII):
        return
    with pytest.raises(InputError) as refused:
        check_duration(text, "older_than")
    assert "'older_than'" in str(refused.value)
