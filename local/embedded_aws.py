"""moto's server in-process, over real HTTP on loopback, one request at a time.

moto's backends are not thread-safe (a cancelled transaction restores a deep copy of whole
tables), so one lock wraps the WSGI app, held until the response body has been produced:
conditional writes and transactions then behave as DynamoDB's do.
"""
from __future__ import annotations

import os
import threading

os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY", "HASH")
os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY", "HASH")

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

LOCK = threading.RLock()


class Serialized:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with LOCK:
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

    def start(self) -> "EmbeddedAWS":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
