"""Received texts for the local stack: what End User Messaging's two-way SMS and SNS do on AWS.

On AWS each text received on the origination number is published to the two-way SMS topic, which
invokes the app's `on_inbound_sms` function. moto delivers SNS to SQS but invokes no functions, so the
stack subscribes a queue to the same-named topic and this worker hands each notification to that
function with the event Lambda would receive (Records[].Sns). `make sms-in FROM=+44... TEXT=STOP`
(local/sms_in.py) publishes a text to the topic. The handler is idempotent (keyed on the text's
inbound id), so a notification handed over twice changes nothing.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable

from .lambda_events import FakeContext

log = logging.getLogger("tally.local")
FUNCTION = "on_inbound_sms"
TOPIC = "tally-inbound-sms"
QUEUE = "tally-inbound-sms-local"


def lambda_event(notification: dict[str, Any]) -> dict[str, Any]:
    """The SNS notification (an SQS body) as the event Lambda gets from an SNS subscription."""
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "EventSubscriptionArn": f"{notification.get('TopicArn', '')}:local", "Sns": {
                             "Type": notification.get("Type", "Notification"),
                             "MessageId": notification.get("MessageId", ""),
                             "TopicArn": notification.get("TopicArn", ""), "Message": notification.get("Message", ""),
                             "Timestamp": notification.get("Timestamp", ""), "MessageAttributes": {}}}]}


def topic_arn(sns) -> str:
    return sns.create_topic(Name=TOPIC)["TopicArn"]  # idempotent: the same ARN every time


class SmsWorker(threading.Thread):
    def __init__(self, handler: Callable[[dict, Any], Any], sqs, queue_url: str):
        super().__init__(name="inbound-sms", daemon=True)
        self.handler, self.sqs, self.queue_url = handler, sqs, queue_url
        self.stop_event = threading.Event()
        self.results: list[Any] = []

    def sweep(self) -> int:
        got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        handed = 0
        for m in got.get("Messages", []):
            result = self.handler(lambda_event(json.loads(m["Body"])), FakeContext(FUNCTION))
            log.info("inbound text: %s", result)
            self.results.append(result)
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])
            handed += 1
        return handed

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.sweep()
            except Exception:  # the message stays on the queue and comes back, as Lambda retries the event
                log.exception("inbound text sweep failed")
            self.stop_event.wait(1.0)

    def stop(self) -> None:
        self.stop_event.set()


def start(app, session) -> SmsWorker:
    """The topic, a queue subscribed to it, and the worker calling the app's inbound text function."""
    sns, sqs = session.client("sns"), session.client("sqs")
    arn = topic_arn(sns)
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
    worker = SmsWorker(app.handler_map[FUNCTION], sqs, url)
    worker.start()
    return worker
