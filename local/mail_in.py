"""Drop a received email into the running local stack, as SES receiving would on AWS.

    python -m local.mail_in reply.eml [--state-dir .local]     (make mail-in FILE=reply.eml)

The raw message is stored under `inbound/` of the stack's bucket, named by the SHA-256 of its bytes
(SES names each object by its message id: the same email stored twice is one object), where the
stack's mail worker hands it to the app's `on_inbound_mail` function.
"""
from __future__ import annotations

import argparse
import hashlib
import pathlib
import sys

from .outputs import DEFAULT_STATE_DIR, running_outputs


def inbound_key(raw: bytes) -> str:
    """Where SES receiving would store this email: under inbound/, one object per message."""
    return "inbound/" + hashlib.sha256(raw).hexdigest()


def reply_email(sender: str, to: str, subject: str, body: str, quoted: str) -> bytes:
    """The raw email a customer's mail client would send in reply (the quoted history below the answer,
    as mail clients write it; the app strips it)."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    m = EmailMessage()
    m["From"], m["To"] = sender, to
    m["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    m["Date"], m["Message-ID"] = formatdate(localtime=False), make_msgid(domain="mail.example.com")
    history = "\n".join("> " + line for line in quoted.splitlines())
    m.set_content(f"{body}\n\nOn {formatdate(localtime=False)} <{to}> wrote:\n{history}\n")
    return bytes(m)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Put a raw email where the local stack's inbound handler picks it up.")
    p.add_argument("file", help="an RFC 5322 message (.eml)")
    p.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR))
    args = p.parse_args(argv)
    raw = pathlib.Path(args.file).read_bytes()
    out = running_outputs(args.state_dir)
    if out is None:
        return 2
    import boto3

    s3 = boto3.client("s3", endpoint_url=out["aws_endpoint_url"], region_name=out["region"],
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    key = inbound_key(raw)
    s3.put_object(Bucket=out["bucket"], Key=key, Body=raw, ContentType="message/rfc822")
    print(f"s3://{out['bucket']}/{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
