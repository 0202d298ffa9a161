"""The OpenAPI 3.1 document, generated from the routes' declared contracts and pydantic models.

What a route declares in `web.route` (body, query, response, status, `also`) is all the document
says, and a view cannot answer anything else (web.ContractViolation).
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from .web import Media, NoContent, RouteDoc, load_routes

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
        "required": ["code", "message"]}},
    "required": ["error"],
}
ERRORS = {"description": "Bad input (400), auth (401, 403), unknown (404), conflict (409), too large (413), "
                         "wrong media type (415); the body names the field",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_DOCUMENT: dict[str, Any] | None = None


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        # An optional parameter is simply left out of the query string: null is not a value there.
        options = [o for o in prop.pop("anyOf", []) if o.get("type") != "null"]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        if prop.get("default") is None:
            prop.pop("default", None)
        params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params


class _Builder:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {"Error": ERROR_SCHEMA}

    def ref(self, model: type[BaseModel], mode: str) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)  # type: ignore[arg-type]
        for name, sub in schema.pop("$defs", {}).items():
            self.components[name] = sub
        self.components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def operation(self, doc: RouteDoc) -> dict[str, Any]:
        op: dict[str, Any] = {"summary": doc.summary, "operationId": f"{doc.method.lower()}{_op_name(doc.path)}",
                              "responses": {}}
        patterns = dict(doc.path_patterns)
        params: list[dict[str, Any]] = [{"name": p, "in": "path", "required": True,
                                         "schema": ({"type": "string", "pattern": patterns[p]} if p in patterns
                                                    else {"type": "string", "minLength": 1})}
                                        for p in re.findall(r"{(\w+)}", doc.path)]
        if doc.query is not None:
            params += _query_parameters(doc.query)
        if params:
            op["parameters"] = params
        if doc.body is not None:
            op["requestBody"] = {"required": True,
                                 "content": {"application/json": {"schema": self.ref(doc.body, "validation")}}}
        spec = doc.response
        if isinstance(spec, NoContent):
            op["responses"]["204"] = {"description": "Done; no content"}
        elif isinstance(spec, Media):
            op["responses"][str(doc.status)] = {"description": spec.description,
                                                "content": {spec.media_type: {"schema": dict(spec.schema)}}}
        else:
            content = {"application/json": {"schema": self.ref(spec, "serialization")}}
            op["responses"][str(doc.status)] = {"description": "OK", "content": content}
            for code, why in doc.also:
                op["responses"][str(code)] = {"description": why, "content": content}
        op["responses"]["4XX"] = ERRORS
        if not doc.public:
            op["security"] = [{"cognito": []}]
        return op


def _op_name(path: str) -> str:
    return "".join(part.strip("{}").title().replace("_", "").replace("-", "").replace(".", "")
                   for part in path.split("/") if part)


def openapi_document() -> dict[str, Any]:
    """The document (built once per container: the routes do not change after import)."""
    global _DOCUMENT
    if _DOCUMENT is None:
        b = _Builder()
        paths: dict[str, Any] = {}
        for doc in load_routes():
            paths.setdefault(doc.path, {})[doc.method.lower()] = b.operation(doc)
        _DOCUMENT = {
            "openapi": "3.1.0",
            "info": {"title": "Tally API", "version": "1.0.0"},
            "paths": paths,
            "components": {
                "schemas": b.components,
                "securitySchemes": {"cognito": {"type": "http", "scheme": "bearer",
                                                "bearerFormat": "Cognito ID token"}},
            },
        }
    return _DOCUMENT
