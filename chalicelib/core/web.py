"""HTTP edge shared by every module: routes with auth by default, JSON bodies validated by
pydantic models, domain errors → JSON responses, CORS for the dashboard's origin only.

A route is authenticated unless declared `public=True`; the OpenAPI document is built from
what `route` records here.
"""
from __future__ import annotations

import functools
import json
from decimal import Decimal
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from chalice import CORSConfig, Response
from pydantic import BaseModel, ValidationError

from .auth import Principal, bearer_token, verify_id_token
from .errors import InvalidInput, PayloadTooLarge, TallyError, UnsupportedMediaType
from .settings import get_settings

M = TypeVar("M", bound=BaseModel)

CORS = CORSConfig(
    allow_origin=get_settings().dashboard_origin,
    allow_headers=["Authorization", "Content-Type"],
    max_age=600,
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    public: bool
    query: tuple[str, ...]


ROUTE_DOCS: list[RouteDoc] = []


def validation_field(exc: ValidationError) -> tuple[str, str]:
    """The first failing field of a pydantic error as a dotted path, and its message."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p != "__root__") or "body"
    msg = first.get("msg", "invalid value")
    return loc, msg


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, msg = validation_field(exc)
        raise InvalidInput(f"{field}: {msg}", field=field) from None


class Req:
    """What a view gets: the caller, the JSON body, the query string."""

    def __init__(self, request, user: Principal | None):
        self._request = request
        self.user = user
        self.query: dict[str, str] = dict(request.query_params or {})
        self.headers = request.headers

    @property
    def principal(self) -> Principal:
        assert self.user is not None, "public routes have no principal"
        return self.user

    def json(self) -> Any:
        raw = self._request.raw_body or b""
        ctype = (self.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise UnsupportedMediaType("the body must be application/json", field="body")
        if not raw.strip():
            raise InvalidInput("a JSON body is required", field="body")
        try:
            return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("the body is not valid JSON", field="body") from None

    def body(self, model: type[M]) -> M:
        data = self.json()
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object", field="body")
        return parse_model(model, data)

    def query_model(self, model: type[M]) -> M:
        return parse_model(model, self.query)


def _reject_constant(name: str):
    raise ValueError(name)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, default=str),
        status_code=status,
        headers={"Content-Type": "application/json", **SECURITY_HEADERS, **(headers or {})},
    )


def error_response(err: TallyError) -> Response:
    return json_response(err.body(), status=err.status)


def route(
    bp,
    path: str,
    methods: tuple[str, ...] = ("GET",),
    *,
    summary: str = "",
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    public: bool = False,
    query: tuple[str, ...] = (),
    content_types: tuple[str, ...] = ("application/json",),
    max_body_bytes: int | None = None,
) -> Callable:
    """Register `fn(req, **uri_params)` on a Chalice app or blueprint, authenticated unless public."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def view(**params):
            request = bp.current_request
            try:
                raw = request.raw_body or b""
                limit = max_body_bytes or get_settings().max_body_bytes
                if len(raw) > limit:
                    raise PayloadTooLarge(f"the body exceeds {limit} bytes", field="body")
                user = None if public else verify_id_token(bearer_token(request.headers))
                result = fn(Req(request, user), **params)
            except TallyError as err:
                return error_response(err)
            if isinstance(result, Response):
                result.headers = {**SECURITY_HEADERS, **(result.headers or {})}
                return result
            return json_response(result, status=status)

        for method in methods:
            ROUTE_DOCS.append(RouteDoc(path, method, summary or (fn.__doc__ or "").strip().split("\n")[0],
                                       body, response, status, public, query))
        bp.route(path, methods=list(methods), cors=CORS, content_types=list(content_types))(view)
        return fn

    return decorate


def public_routes() -> set[tuple[str, str]]:
    return {(d.path, d.method) for d in ROUTE_DOCS if d.public}


def install(app) -> None:
    """App-wide HTTP concerns that need no per-route knowledge."""

    @app.middleware("http")
    def _security_headers(event, get_response):
        resp = get_response(event)
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp
