"""What a ticket's attachment may be (issue 11 item 2): the allowed types, the size limit, how many on one
message and what a file name may hold. The presigned POST's policy enforces the type and size at S3
(core.uploads); these are the values it is given and the document's patterns."""
from __future__ import annotations

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
