"""moto's server in-process, over real HTTP on loopback, one request at a time.

moto's backends are not thread-safe (a transaction changes several tables and rolls back on
failure), so one lock wraps the WSGI app, held until the response body has been produced:
conditional writes and transactions then behave as DynamoDB's do. local/moto_fixes.py keeps moto
from growing without bound in a long-running process.
"""
from __future__ import annotations

import os
import threading

# Pool and client ids derived from their names: the same on every start, so a restored state matches.
os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from . import moto_fixes

LOCK = threading.RLock()
READ_ACTIONS = ("Get", "Query", "Scan", "Describe", "List", "BatchGet", "InitiateAuth", "Verify")


class Changes:
    """Counts requests that may change state, so the snapshotter knows when there is news."""

    count = 0


def _mutates(environ) -> bool:
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return not target.rsplit(".", 1)[-1].startswith(READ_ACTIONS)
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD")


moto_fixes.install()  # an undo log for transactions, expiring shard iterators, trimmable streams


class Serialized:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with LOCK:
            if _mutates(environ):
                Changes.count += 1
            body = self.app(environ, start_response)
            try:
                chunks = list(body)
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()
        return chunks


class EmbeddedAWS:
    def __init__(self, host: str, port: int):
        self.server = make_server(host, port, Serialized(DomainDispatcherApplication(create_backend_app)),
                                  threaded=True)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="moto", daemon=True)

    def start(self) -> EmbeddedAWS:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
