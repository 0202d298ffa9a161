"""The dashboard's static files, its /config.json, the local outbox of emails and texts (JSON and a page), and the
storefront's documents from the data bucket under /storefront/ (on AWS a CloudFront behaviour serves
that path from the private bucket; here the site reads the object from the embedded S3), and the public car
listing under /public/cars/ (on AWS the site bucket's prefix; here the listing bucket)."""
from __future__ import annotations

import html
import json
import mimetypes
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def security_headers(api_url: str, upload_url: str = "") -> dict[str, str]:
    """`upload_url`: the S3 endpoint the browser POSTs uploads to (presigned POSTs: attachments, photos) and
    shows a car's photos from (presigned GETs: the edit page's thumbnails)."""
    uploads = f" {upload_url}" if upload_url else ""
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; connect-src 'self' {api_url}{uploads}; img-src 'self' data:{uploads}; style-src 'self'; "
            "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def outbox_messages() -> list[dict]:
    """Every email the app sent or is sending, from its own outbox records (index queries, no Scan)."""
    from chalicelib.core.models import OutboxMessage

    out = []
    for status in ("sent", "sending", "pending", "failed", "skipped"):
        for m in OutboxMessage.by_status.query(status):
            out.append({
                "id": m.id, "to": m.recipient, "alert_type": m.alert_type, "subject": m.subject,
                "text": m.text, "sent_at": m.sent_at, "created_at": m.created_at, "status": m.status,
                "rule": m.rule, "threshold": m.threshold, "period": m.period,
                "value": None if m.value is None else str(m.value), "scope": m.scope,
                "ses_message_id": m.ses_message_id,
                "attachments": [a.filename for a in m.attachments or []],
                "reply_to": m.reply_to,  # a help desk ticket's address: what `make mail-in` replies to
                "channel": m.channel or "email",  # sms: `to` is a phone number, sent through SNS
                "sms_message_id": m.sms_message_id, "last_error": m.last_error,
            })
    return sorted(out, key=lambda m: m["created_at"])


def sns_texts() -> list[dict]:
    """Every text SNS was asked to send, as moto's SNS keeps them (`/moto-api/data.json`, sns.SMS:
    message_id, phone_number, message): what would have reached the phones."""
    from urllib.request import urlopen

    from chalicelib.core.settings import get_settings

    endpoint = get_settings().aws_endpoint_url
    if not endpoint:
        return []
    with urlopen(f"{endpoint}/moto-api/data.json", timeout=30) as resp:  # noqa: S310 (the local moto server)
        data = json.load(resp)
    return [{"message_id": t.get("message_id"), "to": t.get("phone_number"), "text": t.get("message")}
            for t in (data.get("sns") or {}).get("SMS") or []]


def storefront_object(path: str) -> bytes | None:
    """The data bucket's object at a /storefront/... path, or None when there is none."""
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    key = path.lstrip("/")
    if ".." in key.split("/") or not key.endswith(".json"):
        return None
    try:
        return client("s3").get_object(Bucket=get_settings().bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise


def listing_object(path: str) -> tuple[bytes, str] | None:
    """The public car listing's object at a /public/cars/... path (its bytes and type), or None: on AWS
    CloudFront serves that prefix of the site bucket; here the site reads the listing bucket."""
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    key = path.lstrip("/")
    if ".." in key.split("/"):
        return None
    try:
        obj = client("s3").get_object(Bucket=get_settings().listing_bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise
    return obj["Body"].read(), obj.get("ContentType") or "application/octet-stream"


OUTBOX_CSS = "body{font-family:system-ui,sans-serif;margin:1rem;max-width:60rem}article{border:1px solid #ccc;" \
             "border-radius:6px;padding:.5rem 1rem;margin:.5rem 0}pre{white-space:pre-wrap}" \
             "article.sms{border-color:#2a7;background:#f3fbf6}.sms{font-size:.9em;color:#155}"


def reply_as_customer(message_id: str, body: str) -> str:
    """The local outbox's Reply button: the customer's answer to one of the app's emails, stored where SES
    receiving stores received mail (the stack's mail worker hands it to `on_inbound_mail`, as `make
    mail-in` does). Returns the object's key."""
    from chalicelib.core.aws import client
    from chalicelib.core.models import OutboxMessage
    from chalicelib.core.settings import get_settings

    from .mail_in import inbound_key, reply_email

    m = OutboxMessage.get(message_id)
    if not m.reply_to:
        raise ValueError("this email takes no reply")
    raw = reply_email(m.recipient, m.reply_to, m.subject, body.strip(), m.text)
    key = inbound_key(raw)
    client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=raw, ContentType="message/rfc822")
    return key


def _reply_form(m: dict) -> str:
    if not m.get("reply_to"):
        return ""
    return (f"<form method=post action=/outbox/reply><input type=hidden name=id value='{html.escape(m['id'])}'>"
            f"<label>Reply as {html.escape(m['to'])}<textarea name=body required rows=3></textarea></label>"
            "<button type=submit>Reply</button></form>")


def _sms_line(m: dict, texts: dict[str, dict]) -> str:
    if m.get("channel") != "sms":
        return ""
    got = texts.get(m.get("sms_message_id") or "")
    if got is not None:
        return f"<p class=sms>SNS accepted it for {html.escape(got['to'] or '')} (id {html.escape(got['message_id'] or '')})</p>"
    return f"<p class=sms>Not sent: {html.escape(m.get('last_error') or m['status'])}</p>"


def outbox_page(messages: list[dict], texts: list[dict] | None = None) -> str:
    by_id = {t["message_id"]: t for t in texts or []}
    items = "".join(
        f"<article class={html.escape(m.get('channel') or 'email')}><h2>"
        f"{'SMS' if m.get('channel') == 'sms' else 'Email'}: {html.escape(m['subject'])}</h2>"
        f"<p>To {html.escape(m['to'])} · {html.escape(m['status'])}"
        f" · {html.escape(m['sent_at'] or '')}</p><pre>{html.escape(m['text'])}</pre>{_sms_line(m, by_id)}"
        f"{_reply_form(m)}</article>"
        for m in reversed(messages)
    ) or "<p>No email sent yet.</p>"
    return ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            "<title>Tally local outbox</title><link rel=stylesheet href=/outbox.css>"
            f"<h1>Local outbox ({len(messages)})</h1>{items}</html>")


class Site:
    def __init__(self, host: str, port: int, root: pathlib.Path, config: dict, api_url: str, upload_url: str = ""):
        site = self
        self.root, self.config, self.headers = root, config, security_headers(api_url, upload_url)

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-cache")
                for k, v in site.headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = urlparse(self.path).path
                try:
                    if path == "/config.json":
                        return self._send(200, json.dumps(site.config).encode(), "application/json")
                    if path == "/outbox.json":
                        return self._send(200, json.dumps({"messages": outbox_messages(),
                                                           "texts": sns_texts()}).encode(), "application/json")
                    if path == "/outbox":
                        return self._send(200, outbox_page(outbox_messages(), sns_texts()).encode(),
                                          "text/html; charset=utf-8")
                    if path == "/outbox.css":
                        return self._send(200, OUTBOX_CSS.encode(), "text/css")
                    if path.startswith("/storefront/"):
                        body = storefront_object(path)
                        if body is None:
                            return self._send(404, b'{"error":"not found"}', "application/json")
                        return self._send(200, body, "application/json")
                    if path.startswith("/public/cars/"):
                        found = listing_object(path)
                        if found is None:
                            return self._send(404, b'{"error":"not found"}', "application/json")
                        return self._send(200, *found)
                    return self._static(path)
                except Exception as exc:  # a local tool: say what went wrong
                    return self._send(500, json.dumps({"error": str(exc)}).encode(), "application/json")

            def do_POST(self):
                path = urlparse(self.path).path
                if path != "/outbox/reply":
                    return self._send(404, b"not found", "text/plain")
                try:
                    size = int(self.headers.get("Content-Length") or 0)
                    if size > 64 * 1024:
                        return self._send(413, b"too large", "text/plain")
                    form = parse_qs(self.rfile.read(size).decode())
                    message_id, body = form.get("id", [""])[0], form.get("body", [""])[0]
                    if not message_id or not body.strip():
                        return self._send(400, json.dumps({"error": "id and body are required"}).encode(),
                                          "application/json")
                    reply_as_customer(message_id, body)
                except Exception as exc:  # a local tool: say what went wrong
                    return self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
                self.send_response(303)
                self.send_header("Location", "/outbox")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _static(self, path: str):
                rel = path.lstrip("/") or "index.html"
                target = (site.root / rel).resolve()
                if site.root.resolve() not in target.parents and target != site.root.resolve():
                    return self._send(404, b"not found", "text/plain")
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    if not (site.root / "index.html").exists():
                        return self._send(200, b"<!doctype html><title>Tally</title><p>The dashboard is not built yet:"
                                               b" run <code>make dashboard</code> (npm run build in dashboard/)"
                                               b" and reload.", "text/html; charset=utf-8")
                    return self._send(404, b"not found", "text/plain")
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype in ("application/javascript",):
                    ctype += "; charset=utf-8"
                return self._send(200, target.read_bytes(), ctype)

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, name="site", daemon=True)

    def start(self) -> Site:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
