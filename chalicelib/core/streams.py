"""DynamoDB stream batches: Powertools' BatchProcessor with partial batch responses."""
from __future__ import annotations

from typing import Any, Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from boto3.dynamodb.types import TypeDeserializer

_deserializer = TypeDeserializer()


def image(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stream image (DynamoDB JSON) as plain Python values (numbers as Decimal)."""
    if not raw:
        return None
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}


def raw_images(record: DynamoDBRecord) -> tuple[dict | None, dict | None]:
    data = record.raw_event.get("dynamodb", {})
    return image(data.get("OldImage")), image(data.get("NewImage"))


def process_batch(
    event: dict[str, Any],
    record_handler: Callable[[DynamoDBRecord], Any],
    after_records: Callable[[], set[str]] | None = None,
) -> dict[str, Any]:
    """Run `record_handler` on each record (a raising record fails only itself), then
    `after_records`, which does the coalesced work and returns the sequence numbers that failed it.
    Returns the partial batch response Lambda expects."""
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
    records = event.get("Records", [])
    with processor(records, record_handler):
        processor.process()
    response = processor.response()
    failures = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
    if after_records is not None:
        failures |= after_records()
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in sorted(failures, key=_seq_key)]}


def _seq_key(seq: str):
    return (len(seq), seq)
