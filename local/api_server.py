"""The local API's HTTP handler: Chalice's, refusing the methods API Gateway would not route.

`chalice.local` handles GET, PUT, POST, HEAD, DELETE, PATCH and OPTIONS; for any other method
(TRACE, CONNECT, PROPFIND, ...) Python's http.server answers by itself, 501 with an HTML page. On
AWS, API Gateway refuses those methods; locally they get the app's error shape, as JSON, with 405.
"""
from __future__ import annotations

import json

from chalice.local import ChaliceRequestHandler

API_METHODS = ("GET", "PUT", "POST", "HEAD", "DELETE", "PATCH", "OPTIONS")


class ApiRequestHandler(ChaliceRequestHandler):
    def __getattr__(self, name: str):
        # http.server looks up do_<METHOD>: every method Chalice does not route lands here
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self._parse_payload()  # read (and drop) any body, so a kept-alive connection stays in step
        body = json.dumps({"error": {"code": "method_not_allowed",
                                     "message": f"{self.command} is not allowed; the API answers "
                                                + ", ".join(API_METHODS),
                                     "field": "method"}}).encode()
        self.send_response(405)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Allow", ", ".join(API_METHODS))
        self.end_headers()
        self.wfile.write(body)
