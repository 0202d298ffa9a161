"""The dealer models' training job: its own function (a container image on AWS, infra/; in-process in
the local stack's schedule worker), never part of the API's Lambda asset.

On each run (`schedule.SCHEDULE`): the dealers due for a model (`dealer_models.due`: one Query per shard of the
sparse `by_training` work list) are each trained on their own sales with LightGBM (`fit.train` over every
vehicle attribute, `dealer.FEATURES`), the document goes to the private bucket and the dealer's
DealerModel item names it; valuations then answer with it. A run twice trains nothing twice: a dealer is
due only while it has more sales than its model learnt from.
"""
from __future__ import annotations

import time
from typing import Any

from chalicelib.cars import dealer_models
from chalicelib.core import clock
from chalicelib.core.observability import logger

from . import dealer, fit


def train_dealer(org_id: str, min_sales: int = dealer_models.MIN_SALES) -> dict[str, Any] | None:
    """Train the dealer's model on its sales (in its main currency) and make it the dealer's model; None
    when it has fewer than `min_sales` of them."""
    sales, currency = dealer_models.sold_cars(org_id)
    if len(sales) < min_sales:
        return None
    n = len(sales)
    trained_at = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    document = fit.train([(car, float(price), on) for car, price, on in sales], dealer.FEATURES,
                         version=f"dealer-{n}-{clock.now():%Y%m%d%H%M}", trained_at=trained_at, currency=currency,
                         source=f"{n} sales of this dealer")
    dealer_models.record_model(org_id, document, n)
    return document


def run(min_sales: int = dealer_models.MIN_SALES) -> dict[str, Any]:
    """Train every dealer that is due; one dealer's failure does not stop the others."""
    trained, failed, seconds = [], [], []
    for m in dealer_models.due(min_sales):
        began = time.perf_counter()
        try:
            if train_dealer(m.org_id, min_sales) is not None:
                trained.append(m.org_id)
        except Exception:  # the dealer stays due and is tried again on the next run
            logger.exception("dealer model training failed", extra={"org_id": m.org_id})
            failed.append(m.org_id)
        seconds.append(round(time.perf_counter() - began, 2))
    return {"trained": trained, "failed": failed, "seconds": seconds}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point (EventBridge scheduled event)."""
    result = run()
    logger.info("dealer models trained", extra=result)
    return result
