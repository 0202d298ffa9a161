"""Route for bank statement imports."""
from __future__ import annotations

from chalice import Blueprint

from ..core.web import Req, route
from .imports import run_import
from .schemas import ImportIn

imports = Blueprint(__name__)


@route(imports, "/imports", ("POST",), body=ImportIn, max_body_bytes=4 * 1024 * 1024)
def post_import(req: Req):
    """A bank statement (CSV with a column mapping): a preview with per-line errors, or with commit=true
    the good lines from `start` (at most 1000 a call, so a client can show progress), each line once."""
    return run_import(req.principal, req.body(ImportIn))
