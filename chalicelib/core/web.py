"""HTTP edge shared by every module: routes with auth by default, JSON bodies validated by
pydantic models, domain errors → JSON responses, CORS for the dashboard's origin only.

A route is authenticated unless declared `public=True`; the OpenAPI document is built from
what `route` records here.
"""
from __future__ import annotations

import functools
import importlib
import json
from decimal import Decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, Union

from chalice import CORSConfig, Response
from pydantic import BaseModel, ValidationError

from . import auth
from .auth import Principal
from .errors import InvalidInput, PayloadTooLarge, TallyError, UnsupportedMediaType
from .settings import get_settings

M = TypeVar("M", bound=BaseModel)
O = TypeVar("O", bound=BaseModel)

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


class NoContent:
    """The declared response of a route that answers 204 with no body."""

    def __repr__(self) -> str:
        return "NO_CONTENT"


NO_CONTENT = NoContent()


@dataclass(frozen=True)
class Media:
    """The declared response of a route whose body is not JSON (CSV, HTML): the view returns a
    chalice `Response` with this content type."""

    media_type: str
    description: str = "OK"
    schema: tuple[tuple[str, str], ...] = (("type", "string"),)


ResponseSpec = Union[type[BaseModel], Media, NoContent]


@dataclass(frozen=True)
class Reply(Generic[O]):
    """A view's answer with a status other than the route's default (one of the route's `also`)."""

    body: O
    status: int
    headers: dict[str, str] = field(default_factory=dict)


class ContractViolation(TypeError):
    """A view answered something its route does not declare: a bug, never a client's fault."""


@dataclass(frozen=True)
class RouteDoc:
    path: str
    method: str
    summary: str
    body: type[BaseModel] | None
    response: ResponseSpec
    status: int
    also: tuple[tuple[int, str], ...]
    public: bool
    query: type[BaseModel] | None
    path_patterns: tuple[tuple[str, str], ...] = ()


ROUTE_DOCS: list[RouteDoc] = []
"""Every route's contract, once its module is imported: `load_routes()` first to see them all."""

RouteEntry = tuple[str, tuple[str, ...], bool, tuple[str, ...]]
"""One route of a route table: its path, methods, whether it is public and the content types it takes."""

_VIEWS: dict[tuple[str, str], Callable[..., Response]] = {}
_ENTRIES: dict[str, list[RouteEntry]] = {}
_DOCS: dict[str, list[RouteDoc]] = {}
_MOUNTED: list[str] = []
_APP: Any = None


def validation_field(exc: ValidationError) -> tuple[str, str]:
    """The first failing field of a pydantic error as a dotted path, and its message in words
    (pydantic's "Value error, " prefix left out: the field is named apart)."""
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if p not in ("__root__", "[key]")) or "body"
    msg = str(first.get("msg", "invalid value"))
    if first.get("type") == "string_pattern_mismatch":
        msg = "is not in the form the API document gives for it"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    return loc, msg


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, msg = validation_field(exc)
        raise InvalidInput(f"{field}: {msg}", field=field) from None


class Req:
    """What a view gets: the caller, the JSON body, the query string."""

    def __init__(self, request: Any, user: Principal | None, query_model: type[BaseModel] | None = None):
        self._request = request
        self.user = user
        self.query: dict[str, str] = dict(request.query_params or {})
        self.headers = request.headers
        self._query_model = query_model

    @property
    def principal(self) -> Principal:
        if self.user is None:
            raise ContractViolation("public routes have no principal")
        return self.user

    @property
    def raw_body(self) -> bytes:
        """The body's bytes as sent (a signed webhook's signature is over them, not over parsed JSON)."""
        return bytes(self._request.raw_body or b"")

    def json(self) -> Any:
        raw = self._request.raw_body or b""
        ctype = (self.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise UnsupportedMediaType("the body must be application/json", field="body")
        if not raw.strip():
            raise InvalidInput("a JSON body is required", field="body")
        try:
            return json.loads(raw, parse_float=_number, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("the body is not valid JSON", field="body") from None

    def body(self, model: type[M]) -> M:
        data = self.json()
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object", field="body")
        return parse_model(model, data)

    def query_model(self, model: type[M]) -> M:
        """The query string as the route's declared query model (the document lists its fields)."""
        if model is not self._query_model:
            raise ContractViolation(f"{model.__name__} is not the query model this route declares")
        return parse_model(model, self.query)


def _number(text: str) -> Decimal | int:
    """A JSON number with a fraction or exponent: exact as Decimal, never a float; an integral one
    (`7.0`, `1e3`) is an integer, as JSON Schema counts it."""
    value = Decimal(text)
    if value.is_finite() and value == value.to_integral_value() and abs(value) < Decimal(10) ** 30:
        return int(value)
    return value


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, default=str),
        status_code=status,
        headers={"Content-Type": "application/json", **SECURITY_HEADERS, **(headers or {})},
    )


def error_response(err: TallyError) -> Response:
    return json_response(err.body(), status=err.status)


def answer(doc: RouteDoc, result: Any) -> Response:
    """The view's result as the response its route declares; anything else is a ContractViolation."""
    spec = doc.response
    if isinstance(spec, NoContent):
        if result is not None:
            raise ContractViolation(f"{doc.method} {doc.path} declares no content")
        return Response(body="", status_code=204, headers=dict(SECURITY_HEADERS))
    if isinstance(spec, Media):
        if not isinstance(result, Response):
            raise ContractViolation(f"{doc.method} {doc.path} declares a {spec.media_type} Response")
        result.headers = {**SECURITY_HEADERS, **(result.headers or {})}
        return result
    status, headers, body = doc.status, {}, result
    if isinstance(result, Reply):
        status, headers, body = result.status, result.headers, result.body
        if status != doc.status and status not in dict(doc.also):
            raise ContractViolation(f"{doc.method} {doc.path} does not declare status {status}")
    if not isinstance(body, spec):
        raise ContractViolation(f"{doc.method} {doc.path} declares {spec.__name__}, "
                                f"the view returned {type(body).__name__}")
    return Response(body=body.model_dump_json(), status_code=status,
                    headers={"Content-Type": "application/json", **SECURITY_HEADERS, **headers})


def route(
    bp: Any,
    path: str,
    methods: tuple[str, ...] = ("GET",),
    *,
    response: ResponseSpec,
    status: int = 200,
    also: Mapping[int, str] | None = None,
    summary: str = "",
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    path_patterns: Mapping[str, str] | None = None,
    public: bool = False,
    content_types: tuple[str, ...] = ("application/json",),
    max_body_bytes: int | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `fn(req, **uri_params)` on a Chalice app or blueprint, authenticated unless public.

    The route's contract is declared here and is what the OpenAPI document says: `response` (a
    response model, `NO_CONTENT` for 204, or `Media` for a non-JSON body) answered with `status`,
    or with one of the `also` statuses through `Reply`; the request `body` model; the `query`
    model (its required fields are required parameters); `path_patterns`, the pattern of each path parameter
    the view checks beyond "a string" (what fails it is a 400 naming it). A view that answers anything else raises
    ContractViolation. Errors answer 4XX with the `Error` body.
    """
    if isinstance(response, NoContent) != (status == 204):
        raise ContractViolation(f"{path}: NO_CONTENT goes with status 204 and only with it")
    if not isinstance(response, (NoContent, Media)) and not (
            isinstance(response, type) and issubclass(response, BaseModel)):
        raise ContractViolation(f"{path}: response must be a response model, NO_CONTENT or Media")

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        docs = [RouteDoc(path, method, summary or (fn.__doc__ or "").strip().split("\n")[0], body, response,
                         status, tuple(sorted((also or {}).items())), public, query,
                         tuple(sorted((path_patterns or {}).items()))) for method in methods]

        @functools.wraps(fn)
        def view(**params: str) -> Response:
            request = _current_request(bp)
            try:
                raw = request.raw_body or b""
                limit = max_body_bytes or get_settings().max_body_bytes
                if len(raw) > limit:
                    raise PayloadTooLarge(f"the body exceeds {limit} bytes", field="body")
                user = None if public else auth.principal(request)
                result = fn(Req(request, user, query), **params)
            except TallyError as err:
                return error_response(err)
            doc = next((d for d in docs if d.method == request.method), docs[0])
            return answer(doc, result)

        ROUTE_DOCS.extend(docs)
        _DOCS.setdefault(fn.__module__, []).extend(docs)
        for method in methods:
            _VIEWS[(path, method)] = view
        _ENTRIES.setdefault(fn.__module__, []).append((path, tuple(methods), public, tuple(content_types)))
        bp.route(path, methods=list(methods), cors=CORS, content_types=list(content_types),
                 authorizer=None if public else auth.AUTHORIZER)(view)
        return fn

    return decorate


def _current_request(bp: Any) -> Any:
    """The request being answered: a blueprint knows its app once registered; a mounted module's
    blueprint never is (its routes are the app's own, see `mount`), so the installed app answers."""
    owner = getattr(bp, "_current_app", bp)
    return (owner if owner is not None else _APP).current_request


def mount(app: Any, module: str, table: tuple[RouteEntry, ...]) -> None:
    """Registers the routes of `module` (a module of `route`s) on `app` from its route table, without
    importing it: the first request to one of them imports it (its schemas, its services' names) and
    calls its view. An API cold start then loads only the module it answers for, and a stream or
    schedule function, which imports app.py too, loads no route module at all. The table is
    `chalicelib/route_table.py`, written by `make routes` from the modules themselves (a test keeps it
    true): a route missing from it is never reachable."""
    _MOUNTED.append(module)
    for path, methods, public, content_types in table:
        app.route(path, methods=list(methods), cors=CORS, content_types=list(content_types),
                  authorizer=None if public else auth.AUTHORIZER)(_mounted_view(module, path))


def _mounted_view(module: str, path: str) -> Callable[..., Response]:
    def view(**params: str) -> Response:
        importlib.import_module(module)
        return _VIEWS[(path, _APP.current_request.method)](**params)

    view.__name__ = view.__qualname__ = f"{module.rsplit('.', 2)[-2]}:{path}"
    return view


def load_routes() -> list[RouteDoc]:
    """Every route's contract: imports each mounted module (the OpenAPI document and the tests need them
    all; a request needs only its own)."""
    for module in _MOUNTED:
        importlib.import_module(module)
    order = [m for m in _DOCS if m not in _MOUNTED] + [m for m in _MOUNTED if m in _DOCS]
    return [d for m in order for d in _DOCS[m]]  # the same order whichever module a request loaded first


def route_table(modules: list[str]) -> dict[str, tuple[RouteEntry, ...]]:
    """The route table of each module, read from the module itself (imported): what `mount` takes."""
    for module in modules:
        importlib.import_module(module)
    return {m: tuple(_ENTRIES.get(m, ())) for m in modules}


def public_routes() -> set[tuple[str, str]]:
    load_routes()
    return {(d.path, d.method) for d in ROUTE_DOCS if d.public}


# Chalice answers some requests itself (405 for a method the path lacks, 415 for a content type
# the route does not take) with {"Code", "Message"}: every error body is the documented Error.
_CHALICE_CODES = {405: "method_not_allowed", 415: "unsupported_media_type", 400: "bad_request",
                  404: "not_found", 403: "forbidden", 401: "unauthorized", 413: "payload_too_large"}


def _documented_error(resp: Response) -> Response:
    if resp.status_code < 400 or not isinstance(resp.body, (str, bytes, dict)):
        return resp
    try:
        data = resp.body if isinstance(resp.body, dict) else json.loads(resp.body or "null")
    except ValueError:
        return resp
    if isinstance(data, dict) and "Code" in data and "error" not in data:
        code = _CHALICE_CODES.get(resp.status_code, "internal_error" if resp.status_code >= 500 else "bad_request")
        resp.body = json.dumps({"error": {"code": code, "message": str(data.get("Message", ""))}})
        resp.headers = {**(resp.headers or {}), "Content-Type": "application/json"}
    return resp


def install(app: Any) -> None:
    """App-wide HTTP concerns that need no per-route knowledge."""
    global _APP
    _APP = app

    @app.middleware("http")
    def _security_headers(event: Any, get_response: Callable[[Any], Response]) -> Response:
        resp = _documented_error(get_response(event))
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp
