"""Lambda-shaped events built from what AWS APIs return, so handlers see what Lambda would give them."""
from __future__ import annotations

from typing import Any


def stream_record(r: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A dynamodbstreams GetRecords record as a Lambda DynamoDB event record."""
    data = dict(r["dynamodb"])
    ts = data.get("ApproximateCreationDateTime")
    if hasattr(ts, "timestamp"):
        data["ApproximateCreationDateTime"] = int(ts.timestamp())
    return {
        "eventID": r["eventID"], "eventName": r["eventName"], "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": region, "dynamodb": data, "eventSourceARN": stream_arn,
    }


def scheduled_event(rule_name: str, region: str, when: str) -> dict[str, Any]:
    return {
        "version": "0", "id": "local", "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": when, "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/{rule_name}"], "detail": {},
    }


class FakeContext:
    """Enough of a Lambda context for Powertools and Chalice."""

    def __init__(self, name: str):
        import uuid

        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000
