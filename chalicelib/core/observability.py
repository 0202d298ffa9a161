"""Powertools Logger, Metrics and Tracer, applied app-wide as Chalice middleware."""
from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from chalice import ConvertToMiddleware

logger = Logger(service="tally")
metrics = Metrics(namespace="Tally", service="tally")
tracer = Tracer(service="tally")


def install(app) -> None:
    app.register_middleware(
        ConvertToMiddleware(logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)),
        "http",
    )
    for kind in ("dynamodb", "scheduled"):
        app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context), kind)
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
    app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler), "all")
