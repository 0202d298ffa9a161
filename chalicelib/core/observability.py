"""Powertools Logger (with correlation ids) and Metrics, applied app-wide as Chalice middleware.

Tracing is Lambda's active X-Ray tracing, set on the functions in CDK. The Powertools Tracer is left
out on purpose: it imports the X-Ray SDK, which alone took ~300 ms of a ~600 ms cold import
(bench/ measures it), and the invocation segments come without it.
"""
from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from chalice import Chalice, ConvertToMiddleware

logger = Logger(service="tally")
metrics = Metrics(namespace="Tally", service="tally")


def install(app: Chalice) -> None:
    app.register_middleware(
        ConvertToMiddleware(logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)),
        "http",
    )
    for kind in ("dynamodb", "scheduled"):
        app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context), kind)
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
