# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client plumbing at the wire: Retry-After as an HTTP date, pagination that repeats itself,
and which connection errors mean that nothing was sent."""

from __future__ import annotations

import email.utils

import pytest
import requests
import urllib3
from keystoneauth1 import session as ks_session

from ansible_collections.vbs.cloud.plugins.module_utils.client import VbsClient
from ansible_collections.vbs.cloud.plugins.modules import vbs_backup_info
from ansible_collections.vbs.cloud.tests.unit.wire import VBS_ROOT, WALL_CLOCK_START

DETAIL = VBS_ROOT + "/backups/detail"


def http_date(offset):
    return email.utils.formatdate(WALL_CLOCK_START + offset, usegmt=True)


def backup(number):
    return {"id": "b-%d" % number, "name": "n%d" % number, "status": "available",
            "volume_id": "v"}


def next_link(marker):
    return [{"rel": "next", "href": DETAIL + "?marker=%s&limit=1" % marker}]


def gets(mock):
    return [r for r in mock.request_history if r.method == "GET" and "/backups/detail" in r.url]


# --- Retry-After --------------------------------------------------------------------------------

@pytest.mark.parametrize("retry_after, slept", [
    (http_date(7), 7.0), (http_date(90), 90.0), (http_date(-30), 0.0), ("12", 12.0),
])
def test_retry_after_as_an_http_date_or_seconds(cloud, run_module, no_sleep, retry_after,
                                                slept):
    cloud.get(DETAIL, [{"status_code": 429, "headers": {"Retry-After": retry_after}, "json": {}},
                       {"json": {"backups": []}}])
    result = run_module(vbs_backup_info.main, {})
    assert result["backups"] == []
    assert no_sleep == [slept]
    assert result["retries"][0]["delay"] == slept


def test_the_fake_clock_moves_the_wall_clock_too(no_sleep):
    from ansible_collections.vbs.cloud.plugins.module_utils import client

    start = client.time.time()
    assert start == WALL_CLOCK_START
    client.time.sleep(5)
    assert client.time.time() == start + 5 and no_sleep == [5]


def test_an_unreadable_retry_after_falls_back_to_the_backoff(cloud, run_module, no_sleep):
    cloud.get(DETAIL, [{"status_code": 503, "headers": {"Retry-After": "soon"}, "json": {}},
                       {"json": {"backups": []}}])
    run_module(vbs_backup_info.main, {})
    assert len(no_sleep) == 1 and 0.5 <= no_sleep[0] <= 2.0


# --- pagination -------------------------------------------------------------------------------

def test_a_next_link_to_the_same_page_does_not_loop(cloud, run_module):
    cloud.get(DETAIL, json={"backups": [backup(1)], "backups_links": next_link("b-1")})
    result = run_module(vbs_backup_info.main, {})
    assert [b["id"] for b in result["backups"]] == ["b-1"]
    assert len(gets(cloud)) == 2  # the first page and the page of the marker, once each


def test_a_cycle_of_pages_is_read_once(cloud, run_module):
    pages = {None: ([backup(1)], "b-1"), "b-1": ([backup(2)], "b-2"), "b-2": ([backup(3)], None)}

    def answer(request, _context):
        marker = request.qs.get("marker", [None])[0]
        items, after = pages[marker]
        return {"backups": items, "backups_links": next_link(after or "b-1")}  # back to 2

    cloud.get(DETAIL, json=answer)
    result = run_module(vbs_backup_info.main, {})
    assert [b["id"] for b in result["backups"]] == ["b-1", "b-2", "b-3"]
    assert len(gets(cloud)) == 3


def test_ordinary_pagination_reads_every_page(cloud, run_module):
    cloud.get(DETAIL, [{"json": {"backups": [backup(1)], "backups_links": next_link("b-1")}},
                       {"json": {"backups": [backup(2)], "backups_links": next_link("b-2")}},
                       {"json": {"backups": []}}])
    result = run_module(vbs_backup_info.main, {})
    assert [b["id"] for b in result["backups"]] == ["b-1", "b-2"]


# --- nothing sent: decided by exception classes, not by their text ---------------------------

URL = "http://volume.test/v2/p/backups"
REFUSED = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection")


@pytest.mark.parametrize("exc, nothing_sent", [
    (requests.exceptions.ConnectionError(REFUSED), True),
    (requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(
        None, "/v2/p/backups", reason=REFUSED)), True),
    (requests.exceptions.ConnectTimeout(urllib3.exceptions.ConnectTimeoutError(
        None, "Connection to volume.test timed out. (connect timeout=3)")), True),
    (requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))), False),
    (requests.exceptions.ConnectionError(
        "a proxy said: NewConnectionError and ConnectTimeoutError are not the cause"), False),
    (requests.exceptions.ConnectionError(urllib3.exceptions.ProtocolError(
        "RemoteDisconnected('NewConnectionError')")), False),
], ids=["refused", "max-retries-refused", "connect-timeout", "reset", "text-only",
        "text-in-reason"])
def test_nothing_sent_is_decided_by_exception_classes(requests_mock, exc, nothing_sent):
    requests_mock.post(URL, exc=exc)
    client = VbsClient(ks_session.Session(), "http://volume.test/v2/p")
    response, _reason, safe = client._send("POST", URL, {"backup": {}}, None)
    assert response is None
    assert safe is nothing_sent
