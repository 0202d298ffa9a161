"""Unit, API and flow tests run against moto in-process (mock_aws).

Environment variables are set before the app is imported: Chalice's test client sets stage
variables only during an invoke, and the models read table names at import.
"""
from __future__ import annotations

import gzip
import http.server
import os
import pathlib
import threading

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_SESSION_TOKEN"] = "testing"
# botocore 1.44 sends stream calls to account-based hosts that moto's in-process mock does not route.
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ["MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY"] = "HASH"
os.environ["MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY"] = "HASH"
os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
os.environ["POWERTOOLS_METRICS_NAMESPACE"] = "Tally"
os.environ["TALLY_AUTO_CONFIRM_SIGN_UP"] = "true"
os.environ["TALLY_DASHBOARD_ORIGIN"] = "http://127.0.0.1:8701"
os.environ["TALLY_STAGE"] = "test"
os.environ.pop("TALLY_AWS_ENDPOINT_URL", None)
os.environ.pop("TALLY_NOW", None)

# The local stack's moto fixes (local/moto_fixes.py: transactions roll back with an undo log instead of
# deep-copying whole tables) apply to the in-process mock too: same rollback, without the import tests
# taking minutes.
import local.embedded_aws  # noqa: E402,F401

# On AWS API Gateway verifies tokens before the app runs; here, as in the local stack, Chalice's local
# gateway is made to verify them the same way (signature against moto's JWKS, issuer, expiry).
import local.cognito_authorizer  # noqa: E402

local.cognito_authorizer.install()

# moto signs Cognito tokens with its bundled key: the authorizer checks them against its public JWKS.
import moto  # noqa: E402

_JWKS = gzip.decompress((pathlib.Path(moto.__file__).parent / "cognitoidp/resources/jwks-public.json.gz").read_bytes())


class _JwksHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(_JWKS)

    def log_message(self, *args):
        pass


# Served over loopback HTTP, as Cognito serves it (PyJWT fetches only http/https).
_jwks_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
threading.Thread(target=_jwks_server.serve_forever, daemon=True).start()
os.environ["TALLY_JWKS_URL"] = f"http://127.0.0.1:{_jwks_server.server_port}/.well-known/jwks.json"

# Cognito pool and client ids are deterministic under moto's HASH strategy: learn them once,
# so settings (read once, at import) hold the ids the session's pool will have.
from moto import mock_aws  # noqa: E402

from tests.support import create_pool  # noqa: E402

with mock_aws():
    _pool, _client = create_pool()
os.environ["TALLY_USER_POOL_ID"] = _pool
os.environ["TALLY_USER_POOL_CLIENT_ID"] = _client
