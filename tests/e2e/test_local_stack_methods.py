"""The local API refuses the methods it does not route (TRACE, ...) as API Gateway does, with the
app's JSON error shape, instead of Python's http.server answering them by itself."""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlparse

import pytest

from tests.e2e.http import call


def raw(api_url: str, method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    url = urlparse(api_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("method,path", [("TRACE", "/health"), ("TRACE", "/expenses"), ("CONNECT", "/health"),
                                         ("PROPFIND", "/orgs"), ("BREW", "/")])
def test_methods_the_api_does_not_route_are_refused_with_a_json_405(local_stack, method, path):
    status, headers, body = raw(local_stack["api_url"], method, path)
    assert status == 405
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == "method_not_allowed" and error["field"] == "method" and method in error["message"]
    assert "TRACE" not in headers["Allow"] and "GET" in headers["Allow"]


def test_a_refused_method_with_a_body_leaves_the_connection_usable(local_stack):
    url = urlparse(local_stack["api_url"])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("TRACE", "/health", body=b'{"x": 1}', headers={"Content-Type": "application/json"})
        first = conn.getresponse()
        first.read()
        conn.request("GET", "/health")  # the same kept-alive connection
        second = conn.getresponse()
        assert (first.status, second.status, json.loads(second.read())) == (405, 200, {"status": "ok"})
    finally:
        conn.close()
    assert call("GET", f"{local_stack['api_url']}/health")[0] == 200
