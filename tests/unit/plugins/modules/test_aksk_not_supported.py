# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AK/SK request signing is not supported (README, getting-started, the doc fragment's notes).

A cloud configured for it (an ``aksk`` auth type with an access key and a secret key) fails
before any request, in one line that names the auth type and never echoes the secret key.
"""

from __future__ import annotations

import json

from ansible_collections.vbs.cloud.plugins.modules import vbs_backup_info

SECRET_KEY = "sk-secret-0123456789abcdef"
AKSK_CLOUD = {"auth_type": "aksk", "region_name": "eu-de",
              "auth": {"auth_url": "http://keystone.test/v3", "ak": "AKEXAMPLE",
                       "sk": SECRET_KEY, "project_name": "eu-de_backups"}}


def test_an_aksk_cloud_fails_in_one_line_naming_the_auth_type(cloud, run_module):
    result = run_module(vbs_backup_info.main, {"cloud": AKSK_CLOUD})
    assert result.get("failed"), result
    msg = result["msg"]
    assert "\n" not in msg.strip(), msg
    assert "aksk" in msg, msg
    assert "Traceback" not in json.dumps(result)
    assert SECRET_KEY not in json.dumps(result)
    assert [r.url for r in cloud.request_history] == []
