"""The OpenAPI 3.1 document, generated from the routes and their pydantic models."""
from __future__ import annotations

import re
from typing import Any

from .web import ROUTE_DOCS

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"}},
        "required": ["code", "message"]}},
    "required": ["error"],
}


def openapi_document(app=None) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}

    def ref(model) -> dict[str, str]:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    for doc in ROUTE_DOCS:
        op: dict[str, Any] = {"summary": doc.summary, "responses": {}}
        params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in re.findall(r"{(\w+)}", doc.path)]
        params += [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}} for q in doc.query]
        if params:
            op["parameters"] = params
        if doc.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(doc.body)}}}
        ok: dict[str, Any] = {"description": "OK"}
        if doc.response is not None:
            ok["content"] = {"application/json": {"schema": ref(doc.response)}}
        op["responses"][str(doc.status)] = ok
        op["responses"]["4XX"] = {"description": "Bad input, auth or conflict",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if not doc.public:
            op["security"] = [{"cognito": []}]
        paths.setdefault(doc.path, {})[doc.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tally API", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "Cognito ID token"}},
        },
    }
