# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the fake cloud of the unit tests answers: a Keystone token with its catalog."""

from __future__ import annotations

AUTH_URL = "http://keystone.test/v3"
PROJECT_ID = "5751d8c3f2f6415993ee4326b41630ec"
VBS_ROOT = "http://volume.test/v2/" + PROJECT_ID
PASSWORD = "s3cr3t-Pa55word"
TOKEN = "gAAAAAB-test-token"


IDENTITY_VERSION = {"version": {
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "links": [{"rel": "self", "href": AUTH_URL + "/"}],
    "media-types": [{"base": "application/json",
                     "type": "application/vnd.openstack.identity-v3+json"}]}}


def token_body(project_id=PROJECT_ID, volume_url="http://volume.test/v2/%s"):
    endpoints = [dict(id="e-" + iface, interface=iface, region="RegionOne", region_id="RegionOne",
                      url=volume_url % project_id) for iface in ("public", "internal", "admin")]
    return {"token": {
        "methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": project_id, "name": "demo", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}],
        "catalog": [
            {"type": "volumev2", "name": "cinderv2", "id": "s1", "endpoints": endpoints},
            {"type": "identity", "name": "keystone", "id": "s2", "endpoints": [
                dict(id="k1", interface="public", region="RegionOne", region_id="RegionOne",
                     url=AUTH_URL)]},
        ],
    }}


def writes(mock):
    """The requests that were not reads or authentication."""
    return [r for r in mock.request_history
            if r.method in ("POST", "PUT", "DELETE", "PATCH") and "/auth/tokens" not in r.url]
