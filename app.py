"""Tally: build the Chalice app, register each module's blueprint, stream handlers and schedules.

Every function of the app imports this file on a cold start, so the routes are mounted from the
route table (each module imported by the first request to it) and the stream, schedule and trigger
functions are registered from the handler table, each importing its module on its first call: an API
cold start does not load the outbox mailer
(and the email package), the stream reactions or the jobs, and each function loads only what it runs.
"""
from chalice import Chalice, Response

from chalicelib.core import handlers, observability, web
from chalicelib.core.schemas import HealthOut
from chalicelib.core.settings import get_settings
from chalicelib.handler_table import HANDLERS
from chalicelib.route_table import ROUTES

settings = get_settings()
app = Chalice(app_name="tally", configure_logs=False)
app.api.binary_types = []

web.install(app)
observability.install(app)

# Each module's routes, from the route table (`make routes`): a module is imported by the first request
# to one of its routes, so a cold start loads only the module it answers for (core.web.mount).
for module, table in ROUTES.items():
    web.mount(app, module, table)


@web.route(app, "/health", public=True, response=HealthOut)
def health(req: web.Req) -> HealthOut:
    """Liveness: answers without touching AWS."""
    return HealthOut(status="ok")


@web.route(app, "/openapi.json", public=True,
           response=web.Media("application/json", "This API's OpenAPI 3.1 document", (("type", "object"),)))
def openapi(req: web.Req) -> Response:
    """This API's OpenAPI document, generated from its request and response models."""
    from chalicelib.core.openapi import openapi_document

    return web.json_response(openapi_document())


# ---- stream, schedule and trigger functions, registered from chalicelib/handler_table.py (core.handlers):
# each keeps its Lambda function's name (a module attribute here, where Lambda finds it), its stream and
# batch size; each imports its module's reactions or jobs on its first invocation. A stream ARN is fixed at
# import time (aws/chalice#1882): a placeholder off AWS, where CDK overrides it.
globals().update(handlers.register(app, HANDLERS, settings))
