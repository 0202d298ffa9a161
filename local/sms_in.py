"""Text the running local stack, as a customer's phone would through End User Messaging's two-way SMS.

    python -m local.sms_in --from +447911123456 --text "STOP" [--state-dir .local]
    (make sms-in FROM=+447911123456 TEXT="STOP")

The text is published to the stack's two-way SMS topic in End User Messaging's JSON (originationNumber,
destinationNumber, messageKeyword, messageBody, inboundMessageId); the stack's SMS worker hands it to
the app's `on_inbound_sms` function, as the topic's subscription does on AWS. A text starting with a
shop's handle goes to that shop; otherwise to the shop that last texted the number.
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid

from .outputs import DEFAULT_STATE_DIR, running_outputs

ORIGINATION_NUMBER = "+12025550100"  # the shop's number in the local stack


def payload(sender: str, text: str, message_id: str | None = None) -> dict:
    words = text.strip().split()
    return {"originationNumber": sender, "destinationNumber": ORIGINATION_NUMBER,
            "messageKeyword": words[0].upper() if words else "", "messageBody": text,
            "inboundMessageId": message_id or str(uuid.uuid4()), "previousPublishedMessageId": ""}


def send(endpoint: str, region: str, sender: str, text: str) -> str:
    import boto3

    from .sms_worker import topic_arn

    sns = boto3.client("sns", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    return sns.publish(TopicArn=topic_arn(sns), Message=json.dumps(payload(sender, text)))["MessageId"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Send a text to the local stack's inbound SMS handler.")
    p.add_argument("--from", dest="sender", required=True, help="the sender's number, E.164 (+447911123456)")
    p.add_argument("--text", required=True)
    p.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR))
    args = p.parse_args(argv)
    out = running_outputs(args.state_dir)
    if out is None:
        return 2
    print(send(out["aws_endpoint_url"], out["region"], args.sender, args.text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
