"""/unsubscribe answers its page as text/html, as the document declares, and every error as JSON."""
from __future__ import annotations

import json

from tests.mocked import aws, aws_mock, chalice_app, client  # noqa: F401 (fixtures)


def test_an_invalid_unsubscribe_link_is_a_json_error_and_the_page_is_declared_html(client):
    for method in ("GET", "POST"):
        for query, status, field in (("u=x&t=y&type=everything", 400, "type"), ("u=x&t=y&type=budget", 404, "t")):
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
            resp = getattr(client.http, method.lower())(f"/unsubscribe?{query}", headers=headers)
            assert resp.status_code == status and resp.headers["Content-Type"] == "application/json", resp.body
            assert json.loads(resp.body)["error"]["field"] == field
    doc = json.loads(client.http.get("/openapi.json").body)
    for method in ("get", "post"):
        responses = doc["paths"]["/unsubscribe"][method]["responses"]
        assert list(responses["200"]["content"]) == ["text/html"]
        assert list(responses["4XX"]["content"]) == ["application/json"]
