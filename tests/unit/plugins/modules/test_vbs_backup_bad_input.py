# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input, option by option: a clear error naming the option, and not one request sent.

Ansible converts values before the module sees them: a list, dict, int or float given to a
``str`` option becomes its Python text (``['a']``, ``{'a': 1}``, ``123``), and
``null`` means "not set" (so the default applies, or a required option is missing). The table
below gives each option its wrong types, empty and blank values, long values, forbidden and
look-alike characters, control characters and ``null``; values that are *valid* after Ansible's
conversion (an int name ``123`` is the name ``'123'``; any text without ``<``/``>`` is a valid
description) are asserted as accepted at the end.
"""

from __future__ import annotations

import json

import pytest
from ansible.module_utils.common.parameters import PASS_VARS

from ansible_collections.vbs.cloud.plugins.modules import (
    vbs_backup, vbs_backup_info, vbs_backup_prune, vbs_backup_restore,
)
from ansible_collections.vbs.cloud.tests.unit.wire import PASSWORD, VBS_ROOT

VOLUME = "c68ae7fb-0aa5-4a97-ab01-ed02c5b7e768"
SNAPSHOT = "2bb856e1-b3d8-4432-a858-09e4ce939389"
BACKUP = "54ba0e69-48a0-4a77-9cdf-a7979a7e2648"
CREATE = {"volume_id": VOLUME, "snapshot_id": SNAPSHOT, "name": "nightly", "wait": False}

LONG = [65, 256, 10_000, 1_000_000]
LOOK_ALIKES = {
    "cyrillic-a": "b\u0430ckup",          # а (U+0430) looks like a
    "full-width": "\uff42\uff41\uff43\uff4b\uff55\uff50",  # ｂａｃｋｕｐ
    "zero-width-space": "back\u200bup",
    "rtl-override": "back\u202eup",
    "latin-e-acute": "caf\u00e9",
}
CONTROL = {"nul": "a\x00b", "bell": "a\x07b", "escape": "\x1b[31mred", "newline": "a\nb",
           "trailing-newline": "ab\n", "tab": "a\tb", "carriage-return": "a\rb", "del": "a\x7fb"}
WRONG_TYPES = {"list": ["a"], "dict": {"a": 1}, "nested": [{"a": ["b"]}]}


def cases_for_id(option):
    """Bad values of an ID option; each (id, value)."""
    yield from ((kind, value) for kind, value in WRONG_TYPES.items())
    yield "empty", ""
    yield "blank", "   "
    yield "padded", " %s " % VOLUME
    for length in LONG:
        yield "long-%d" % length, "a" * length
    for char in "/?#% <>'\"\\;&=+*[]{}|^`~!@$,":
        yield "char-%r" % char, "abc%sdef" % char
    yield "dot-dot", ".."
    yield "leading-hyphen", "-abc"
    yield "uuid-with-cyrillic", VOLUME[:-1] + "\u0430"
    yield "uuid-full-width", "\uff43" + VOLUME[1:]
    for kind, value in LOOK_ALIKES.items():
        yield kind, value
    for kind, value in CONTROL.items():
        yield kind, value


def cases_for_name():
    yield from ((kind, value) for kind, value in WRONG_TYPES.items())
    yield "empty", ""
    yield "blank", "   "
    yield "padded", " nightly "
    for length in LONG:
        yield "long-%d" % length, "a" * length
    for char in " ./?#%<>'\"\\;&=+*[]{}|^`~!@$,:":
        yield "char-%r" % char, "ab%scd" % char
    for reserved in ("auto", "autobk_1", "auto-x", "automatic"):
        yield "reserved-%s" % reserved, reserved
    for kind, value in LOOK_ALIKES.items():
        yield kind, value
    for kind, value in CONTROL.items():
        yield kind, value


def cases_for_description():
    for length in LONG[1:]:  # 65 characters is a valid description
        yield "long-%d" % length, "d" * length
    for value in ("<", ">", "a<b", "<script>", "x" * 254 + ">"):
        yield "angle-%r" % value[:10], value


def cases_for_container():
    for length in LONG[1:]:
        yield "long-%d" % length, "c" * length
    for kind, value in CONTROL.items():
        if kind != "del":
            yield kind, value
    yield "zero-width-space", "back\u200bup"
    yield "rtl-override", "back\u202eup"


def cases_for_bool(option):
    for value in ("maybe", "", "2", 2, -1, 1.5, [], {}, ["yes"], None):
        yield "%s=%r" % (option, value), value


# (module, base args, option, id, value, words in msg besides the option's name)
TABLE = []


def add(module, base, option, cases):
    for case_id, value in cases:
        TABLE.append(pytest.param(module, base, option, value,
                                  id="%s-%s-%s" % (module.__name__.rsplit(".", 1)[1], option,
                                                   case_id)))


for _option in ("volume_id", "snapshot_id", "backup_id", "project_id"):
    add(vbs_backup, CREATE, _option, cases_for_id(_option))
add(vbs_backup, CREATE, "name", cases_for_name())
add(vbs_backup, CREATE, "description", cases_for_description())
add(vbs_backup, CREATE, "container", cases_for_container())
for _option in ("force", "wait", "incremental", "validate_certs"):
    add(vbs_backup, CREATE, _option, ((c, v) for c, v in cases_for_bool(_option)
                                      if not (v is None and _option in ("incremental",
                                                                        "validate_certs"))))
add(vbs_backup, CREATE, "state", [(v, v) for v in ("gone", "", "PRESENT", "absent ")]
    + [("list", ["present"]), ("null", None)])
add(vbs_backup, CREATE, "timeout", [("negative", -1), ("text", "soon"), ("float", 1.5),
                                    ("list", [1]), ("dict", {"s": 1}), ("null", None),
                                    ("blank", " ")])
add(vbs_backup, CREATE, "api_timeout", [("zero", 0), ("negative", -5), ("text", "slow"),
                                        ("list", [30])])
add(vbs_backup, CREATE, "interface", [("unknown", "private"), ("empty", ""), ("null", None)])
add(vbs_backup, CREATE, "sdk_log_level", [("unknown", "TRACE"), ("lower", "debug")])
add(vbs_backup, CREATE, "sdk_log_path", [("missing-dir", "/nonexistent/dir/sdk.log"),
                                         ("a-directory", "/")])
add(vbs_backup, CREATE, "service_type", [("empty", ""), ("blank", " "), ("space", "volume v2"),
                                         ("list", ["volumev2"]), ("slash", "volume/v2")])
add(vbs_backup, CREATE, "endpoint_override", [
    ("empty", ""), ("no-scheme", "volume.test/v2"), ("ftp", "ftp://volume.test/v2"),
    ("space", "http://volume.test/v2 x"), ("newline", "http://volume.test/v2\n"),
    ("list", ["http://volume.test/v2"]), ("no-host", "http:///v2")])
add(vbs_backup, CREATE, "cloud", [("empty", ""), ("blank", "  "), ("list", ["lab"]),
                                  ("int", 5), ("newline", "lab\n"), ("unknown", "no-such-cloud")])
add(vbs_backup, CREATE, "auth", [("text", "notadict"), ("list", ["x-list"]), ("int", 1)])
add(vbs_backup, CREATE, "auth_type", [("unknown", "no-such-plugin")])
add(vbs_backup, CREATE, "region_name", [("unknown", "nowhere")])
for _option in ("ca_cert", "client_cert", "client_key"):
    add(vbs_backup, CREATE, _option, [("missing", "/nonexistent/%s.pem" % _option),
                                      ("a-directory", "/")])

for _option in ("backup_id", "volume_id", "project_id"):
    add(vbs_backup_info, {}, _option, cases_for_id(_option))
RESTORE = {"backup_id": BACKUP, "target_volume_id": VOLUME, "wait": False}
for _option in ("backup_id", "volume_id", "target_volume_id", "project_id"):
    add(vbs_backup_restore, RESTORE, _option, cases_for_id(_option))
PRUNE = {"volume_id": VOLUME, "name_pattern": "nightly-*", "keep": 7, "wait": False}
for _option in ("volume_id", "project_id"):
    add(vbs_backup_prune, PRUNE, _option, cases_for_id(_option))
add(vbs_backup_prune, PRUNE, "name_pattern", [
    ("empty", ""), ("blank", "   "), ("padded", " nightly-* "), ("null", None)]
    + [("long-%d" % length, "n" * length) for length in LONG[1:]]
    + list(CONTROL.items())
    + [("zero-width-space", "nightly\u200b-*"), ("rtl-override", "nightly-\u202e*")])
add(vbs_backup_prune, PRUNE, "keep", [("negative", -1), ("text", "all"), ("float", 1.5),
                                      ("list", [2]), ("dict", {"n": 2}), ("null", None)])
add(vbs_backup_prune, PRUNE, "older_than", [
    ("no-unit", "7"), ("int", 7), ("upper", "7D"), ("space", "7 d"), ("negative", "-1d"),
    ("fraction", "1.5d"), ("word", "7days"), ("years", "1y"), ("empty", ""), ("blank", " "),
    ("arabic-digit", "\u0667d"), ("full-width", "\uff17d"), ("newline", "7d\n"),
    ("list", ["7d"]), ("dict", {"d": 7})]
    + [("long-%d" % length, "9" * length + "d") for length in LONG])
add(vbs_backup_prune, PRUNE, "wait", cases_for_bool("wait"))
add(vbs_backup_prune, PRUNE, "timeout", [("negative", -1), ("text", "soon"), ("null", None)])


@pytest.mark.parametrize("module, base, option, value", TABLE)
def test_bad_input_fails_naming_the_option_and_sends_nothing(cloud, run_module, module, base,
                                                             option, value):
    result = run_module(module.main, dict(base, **{option: value}))
    assert result.get("failed"), result
    msg = result["msg"]
    named = ("'%s'" % option in msg or "argument %s" % option in msg
             or "value of %s must be" % option in msg
             or (option in ("cloud", "region_name", "auth_type")
                 and msg.startswith("Reading the cloud configuration failed")))
    assert named, msg
    assert "\n" not in msg.strip(), msg  # one line
    assert len(msg) < 600, msg[:600]  # a long value is not echoed back
    assert "Traceback" not in json.dumps(result)
    assert cloud.request_history == [], [r.url for r in cloud.request_history]


def test_the_table_is_large():
    assert len(TABLE) >= 400


# --- values Ansible converts, and values the rules accept -----------------------------------

def created(mock):
    return mock.post(VBS_ROOT + "/backups", status_code=202,
                     json={"backup": {"id": BACKUP, "name": "nightly", "links": []}})


@pytest.mark.parametrize("value, sent", [(123, "123"), (12.5, None)])
def test_a_number_as_name_is_converted_to_text(cloud, run_module, value, sent):
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    post = created(cloud)
    result = run_module(vbs_backup.main, dict(CREATE, name=value))
    if sent is None:  # '12.5' has a '.', which names may not contain
        assert result["failed"] and "'name'" in result["msg"] and not cloud.request_history
    else:
        assert result["changed"] and post.last_request.json()["backup"]["name"] == sent


@pytest.mark.parametrize("value", [["a"], {"a": 1}, 5], ids=["list", "dict", "int"])
def test_a_list_or_dict_as_description_becomes_its_text(cloud, run_module, value):
    """Ansible's own conversion (ansible-core 2.19 adds no warning to the module's result): the
    text has no '<' or '>', so the API rule accepts it and it is sent as that text."""
    post = created(cloud)
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup.main, dict(CREATE, description=value))
    assert result["changed"]
    assert post.last_request.json()["backup"]["description"] == str(value)


@pytest.mark.parametrize("value", ["", " ", "a\nb", "tab\there", "nul\x00", "\u202eevil",
                                   "caf\u00e9 \u0430", "d" * 255],
                         ids=["empty", "blank", "newline", "tab", "nul", "rtl", "unicode", "255"])
def test_descriptions_the_api_rule_allows_are_sent_as_given(cloud, run_module, value):
    """The API page allows any 0 to 255 characters without '<' and '>'."""
    post = created(cloud)
    cloud.get(VBS_ROOT + "/backups/detail", json={"backups": []})
    result = run_module(vbs_backup.main, dict(CREATE, description=value))
    assert result["changed"]
    assert post.last_request.json()["backup"]["description"] == value


def test_a_null_name_means_no_name_and_nothing_is_looked_up(cloud, run_module):
    post = created(cloud)
    result = run_module(vbs_backup.main, dict(CREATE, name=None))
    assert result["changed"] and "name" not in post.last_request.json()["backup"]
    assert not [r for r in cloud.request_history if r.method == "GET" and "/backups" in r.url]


@pytest.mark.parametrize("option", ["volume_id"])  # a null snapshot_id: the task makes one
def test_a_null_required_id_is_missing(cloud, run_module, option):
    result = run_module(vbs_backup.main, dict(CREATE, **{option: None}))
    assert result["failed"] and "'%s'" % option in result["msg"] and "missing" in result["msg"]
    assert cloud.request_history == []


def test_a_null_target_volume_is_missing(cloud, run_module):
    result = run_module(vbs_backup_restore.main, dict(RESTORE, target_volume_id=None))
    assert result["failed"] and "target_volume_id" in result["msg"]
    assert cloud.request_history == []


def test_a_bad_client_key_path_is_not_echoed(cloud, run_module):
    """client_key is no_log: its value is masked, even in the error about it."""
    result = run_module(vbs_backup.main, dict(CREATE, client_key="/nonexistent/" + PASSWORD))
    assert result["failed"] and "'client_key'" in result["msg"]
    assert PASSWORD not in json.dumps(result)
    assert cloud.request_history == []


# --- secrets of a cloud dict when Ansible itself refuses an argument ---------------------------

SECRET_CLOUD = {"auth": {"auth_url": "http://keystone.test/v3", "username": "demo",
                         "password": PASSWORD, "project_name": "demo",
                         "user_domain_name": "Default", "project_domain_name": "Default"}}
APP_SECRET = "AppCred-" + PASSWORD


@pytest.mark.parametrize("module, args", [
    (vbs_backup, dict(CREATE, cloud=SECRET_CLOUD, wait="maybe")),
    (vbs_backup, dict(CREATE, cloud=SECRET_CLOUD, timeout="soon")),
    (vbs_backup, dict(CREATE, cloud=SECRET_CLOUD, unknown_option=1)),
    (vbs_backup_info, dict(cloud={"auth_type": "v3applicationcredential", "auth": {
        "auth_url": "http://keystone.test/v3", "application_credential_id": "abc",
        "application_credential_secret": APP_SECRET}}, status="nonsense")),
    (vbs_backup_restore, dict(cloud=SECRET_CLOUD)),  # target_volume_id missing
], ids=["bool", "int", "unknown-option", "app-credential", "required"])
def test_a_cloud_dict_secret_is_masked_when_ansible_refuses_an_argument(
        cloud, run_module, module, args):
    """Found by the vbs_backup_secrets integration target: the invocation printed at -vvv (and
    kept by AWX) held the cloud dict's password when argument validation failed.

    ansible-core 2.21 adds the invocation only when asked (ANSIBLE_INJECT_INVOCATION, sent to
    the module as _ansible_inject_invocation), older cores always: asked for where known."""
    if "inject_invocation" in PASS_VARS:
        args = dict(args, _ansible_inject_invocation=True)
    result = run_module(module.main, args)
    assert result["failed"]
    text = json.dumps(result)
    assert PASSWORD not in text and APP_SECRET not in text
    assert "module_args" in text  # the invocation is there, masked
    assert cloud.request_history == []
