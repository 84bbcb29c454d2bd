# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the fake cloud of the unit tests answers: a Keystone token with its catalog."""

from __future__ import annotations

AUTH_URL = "http://keystone.test/v3"
PROJECT_ID = "5751d8c3f2f6415993ee4326b41630ec"
VBS_ROOT = "http://volume.test/v2/" + PROJECT_ID
PASSWORD = "s3cr3t-Pa55word"
TOKEN = "gAAAAAB-test-token"
WALL_CLOCK_START = 1767225600.0  # the fake clock's time(): Thu, 01 Jan 2026 00:00:00 GMT


IDENTITY_VERSION = {"version": {
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "links": [{"rel": "self", "href": AUTH_URL + "/"}],
    "media-types": [{"base": "application/json",
                     "type": "application/vnd.openstack.identity-v3+json"}]}}


# Catalog shapes, as (type, URL) with "{p}" for the project, each in one region. Sources:
# ../shared/reference/vbs-real-clouds.md (OTC eu-de's recorded catalog; Huawei's SDK/Terraform).
OTC_VBS = "https://vbs.eu-de.otc.t-systems.com/v2"
OTC_EVS = "https://evs.eu-de.otc.t-systems.com"
HUAWEI_VBS = "https://vbs.ap-southeast-1.myhuaweicloud.com/v2"
HUAWEI_EVS = "https://evs.ap-southeast-1.myhuaweicloud.com"
CATALOG_SHAPES = {
    # the lab and the default of these tests: a Cinder with its v2 API only
    "cinder-v2": ("RegionOne", [("volumev2", "http://volume.test/v2/{p}")]),
    # Open Telekom Cloud eu-de: vbsv2 with the project, vbs without, EVS under four types
    "otc": ("eu-de", [
        ("vbsv2", OTC_VBS + "/{p}"), ("vbs", OTC_VBS + "/"), ("volumev2", OTC_EVS + "/v2/{p}"),
        ("volume", OTC_EVS + "/v2/{p}"), ("evs", OTC_EVS + "/v2/{p}"),
        ("volumev3", OTC_EVS + "/v3/{p}")]),
    # OTC with only the project-less vbs entry (how otcextensions finds VBS)
    "otc-vbs-only": ("eu-de", [("vbs", OTC_VBS + "/"), ("volumev2", OTC_EVS + "/v2/{p}")]),
    # Huawei Cloud: vbsv2 and EVS
    "huawei": ("ap-southeast-1", [
        ("vbsv2", HUAWEI_VBS + "/{p}"), ("volumev2", HUAWEI_EVS + "/v2/{p}"),
        ("volumev3", HUAWEI_EVS + "/v3/{p}")]),
    # a recent Cinder: v3 only, under two types
    "cinder-v3": ("RegionOne", [("volumev3", "http://cinder.test/volume/v3/{p}"),
                                ("block-storage", "http://cinder.test/volume/v3/{p}")]),
    # block-storage without the project or the version in its URL
    "block-storage-bare": ("RegionOne", [("block-storage", "http://cinder.test/volume")]),
    # OTC eu-nl: EVS, no VBS
    "no-vbs": ("eu-nl", [("volumev2", "https://evs.eu-nl.otc.t-systems.com/v2/{p}")]),
    # nothing VBS or block storage at all
    "none": ("RegionOne", [("compute", "http://nova.test/v2.1")]),
}


def catalog_service(service_type, url, region="RegionOne", project_id=PROJECT_ID,
                    interfaces=("public", "internal", "admin")):
    """A v3 catalog entry with one endpoint per interface (the internal one on another host)."""
    def where(iface):
        address = url.format(p=project_id)
        return address.replace("://", "://internal-", 1) if iface == "internal" else address
    return {"type": service_type, "name": service_type, "id": "s-" + service_type,
            "endpoints": [dict(id="e-%s-%s" % (service_type, iface), interface=iface,
                               region=region, region_id=region, url=where(iface))
                          for iface in interfaces]}


def shape_catalog(shape, project_id=PROJECT_ID):
    region, services = CATALOG_SHAPES[shape]
    return [catalog_service(kind, url, region, project_id) for kind, url in services]


def token_body(project_id=PROJECT_ID, volume_url="http://volume.test/v2/%s", catalog=None):
    """Keystone's answer to a password authentication; ``catalog`` replaces the one volumev2."""
    endpoints = [dict(id="e-" + iface, interface=iface, region="RegionOne", region_id="RegionOne",
                      url=volume_url % project_id) for iface in ("public", "internal", "admin")]
    services = catalog if catalog is not None else [
        {"type": "volumev2", "name": "cinderv2", "id": "s1", "endpoints": endpoints}]
    return {"token": {
        "methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
        "issued_at": "2026-01-01T00:00:00.000000Z",
        "user": {"id": "u1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
        "project": {"id": project_id, "name": "demo", "domain": {"id": "default", "name": "Default"}},
        "roles": [{"id": "r1", "name": "member"}],
        "catalog": services + [
            {"type": "identity", "name": "keystone", "id": "s2", "endpoints": [
                dict(id="k1", interface="public", region="RegionOne", region_id="RegionOne",
                     url=AUTH_URL)]},
        ],
    }}


def writes(mock):
    """The requests that were not reads or authentication."""
    return [r for r in mock.request_history
            if r.method in ("POST", "PUT", "DELETE", "PATCH") and "/auth/tokens" not in r.url]
