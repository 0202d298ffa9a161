"""What a ticket's attachment may be (issue 11 item 2): the allowed types, the size limit, how many on one
message and what a file name may hold. The presigned POST's policy enforces the type and size at S3
(core.uploads); these are the values it is given and the document's patterns."""
from __future__ import annotations

import re
from dataclasses import dataclass

# content type → the extension the object is named with; what a help desk takes: pictures (screenshots,
# photos of the damage), PDFs (invoices, receipts) and plain text (logs). Nothing a browser would run.
ATTACHMENT_TYPES: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/csv": "csv",
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024  # 10 MiB a file
MAX_ATTACHMENTS = 5  # on one message
# A file's name as the customer's or agent's computer called it, shown on the message and given back as the
# download's name: printable, no path separators, quotes or angle brackets, at most 120 characters.
FILENAME_PATTERN = r'^[^\x00-\x1f\x7f/\\<>"]{1,120}$'


def attachment_object(org_id: str, ticket_id: str, attachment_id: str, content_type: str) -> str:
    """The S3 key of an attachment in the private data bucket (never the customer's file name: that is
    only shown and given back as the download's name)."""
    return f"attachments/helpdesk/{org_id}/{ticket_id}/{attachment_id}.{ATTACHMENT_TYPES[content_type]}"


def with_files_line(body: str, filenames: list[str]) -> str:
    """A reply's text as emailed: the files it lists are named at its end (read them on the request's page;
    an email never carries them)."""
    if not filenames:
        return body
    return f"{body}\n\nAttached (open your request to download): {', '.join(filenames)}"


# ------------------------------------------------------------------ files of a received email (the same limits)
_BAD_NAME = re.compile(r'[\x00-\x1f\x7f/\\<>"]')
# what mail clients send when they do not know a file's type: the name's extension says it
_UNKNOWN_TYPES = ("application/octet-stream", "application/x-octet-stream", "binary/octet-stream")
_BY_EXTENSION = {ext: ctype for ctype, ext in ATTACHMENT_TYPES.items()} | {"jpeg": "image/jpeg"}


@dataclass(frozen=True)
class MailFile:
    """One MIME attachment of a received email: its name as sent, its declared type and its bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Refused:
    """A file of a received email the desk did not keep, and why (said on the message)."""

    filename: str
    reason: str


def safe_filename(name: str, content_type: str) -> str:
    """A sender's file name as the desk shows it (FILENAME_PATTERN): control characters, slashes, quotes
    and angle brackets replaced, at most 120 characters; none at all: `attachment.<ext>`."""
    clean = _BAD_NAME.sub("_", " ".join(name.split())).strip()[:120]
    return clean or f"attachment.{ATTACHMENT_TYPES.get(content_type, 'bin')}"


def mail_file_type(f: MailFile) -> str:
    """The type a received file is taken as: its declared type, or, when that only says "bytes", the one its
    name's extension names (mail clients send PDFs as application/octet-stream)."""
    declared = f.content_type.lower()
    if declared in _UNKNOWN_TYPES:
        return _BY_EXTENSION.get(f.filename.rpartition(".")[2].lower(), declared)
    return declared


def sort_mail_files(files: list[MailFile]) -> tuple[list[tuple[MailFile, str]], list[Refused]]:
    """Which files of a received email a message keeps (with the type each is stored as) and which it
    refuses, by the limits of a web upload: an allowed type, 1 byte to MAX_ATTACHMENT_BYTES, at most
    MAX_ATTACHMENTS (the first ones that pass, in the email's order)."""
    kept: list[tuple[MailFile, str]] = []
    refused: list[Refused] = []
    for f in files:
        content_type = mail_file_type(f)
        name = safe_filename(f.filename, content_type)
        if content_type not in ATTACHMENT_TYPES:
            refused.append(Refused(name, f"the type {content_type} is not taken"))
        elif not 1 <= len(f.data) <= MAX_ATTACHMENT_BYTES:
            refused.append(Refused(name, "empty" if not f.data else "larger than 10 MiB"))
        elif len(kept) >= MAX_ATTACHMENTS:
            refused.append(Refused(name, f"more than {MAX_ATTACHMENTS} files"))
        else:
            kept.append((f, content_type))
    return kept, refused


def with_refusals(body: str, refused: list[Refused]) -> str:
    """A received message's text with a note of the files it came with that were not kept."""
    if not refused:
        return body
    listed = "; ".join(f"{r.filename} ({r.reason})" for r in refused)
    return f"{body}\n\n[Not attached: {listed}. Files are taken as PNG, JPEG, GIF, WebP, PDF, text or CSV, " \
           f"up to 10 MiB each and {MAX_ATTACHMENTS} per message.]"
