"""When and as what the dealer models' training function runs: read by infra/ (EventBridge rule, Lambda)
and by the local stack's schedule worker, without importing LightGBM."""
from __future__ import annotations

SCHEDULE = "rate(1 hour)"  # a dealer is trained only when it has new sales, so most runs are a few Queries
FUNCTION_NAME = "train_dealer_models"
HANDLER = "training.cars.job.handler"
MEMORY_MB = 2048  # LightGBM's 5-fold band + final fit; more memory is more CPU on Lambda
TIMEOUT_SECONDS = 900
