"""DynamoDB stream batches: Powertools' BatchProcessor with partial batch responses."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the type only: Powertools' data classes are imported by stream invocations alone
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def raw_images(record: DynamoDBRecord) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Old and new image of a stream record as plain Python values (numbers as Decimal)."""
    data = record.dynamodb
    if data is None:
        return None, None
    return (data.old_image or None), (data.new_image or None)


def process_batch(
    event: dict[str, Any],
    record_handler: Callable[[Any], Any],
    after_records: Callable[[], set[str]] | None = None,
) -> dict[str, Any]:
    """Run `record_handler` on each record (a raising record fails only itself), then
    `after_records`, which does the coalesced work and returns the sequence numbers that failed it.
    Returns the partial batch response Lambda expects."""
    # Imported here: only stream invocations pay for it, not every API cold start.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    records = event.get("Records", [])
    with processor(records, record_handler):
        processor.process()
    response = processor.response()
    failures = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    if after_records is not None:
        failures |= after_records()
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in sorted(failures, key=_seq_key)]}


def _seq_key(seq: object) -> tuple[int, str]:
    """Sequence numbers are decimal strings: the shorter one is the lower one."""
    return (len(str(seq)), str(seq))
