"""A ticket's attachments (issue 11 item 2), on core.uploads: the browser uploads straight to the private
data bucket with a presigned POST whose policy pins the key and the type and bounds the size; a message
then lists the files its sender uploaded to that ticket, once HeadObject finds them there; readers get
short-lived presigned GETs (S3 answers them as downloads). The API never carries or serves the bytes.

1. `grant`: an Attachment item in the ticket's partition records the upload (name, type, uploader, key)
   and the answer is the presigned POST for that key and type, at most MAX_ATTACHMENT_BYTES.
2. `attach`: the ids a message names must be uploads to this ticket by its sender (else 404 naming
   `attachments`), be in the bucket (else 409) with their type and size (else 400); the message keeps
   a copy of each (name, type, size, key), so listing a thread reads no Attachment items.
3. `files_out`: what a message (or a new ticket) lists, each with its presigned GET.
4. `keep_mail_files`: a received email's files, put in the bucket by the app (rules.attachments' limits).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from ..core import clock, uploads
from ..core.db import find, put_if_new
from ..core.errors import NotFound
from .models import AttachedFile, Attachment, Message, Ticket, attachment_key
from .rules.attachments import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MailFile,
    Refused,
    attachment_object,
    safe_filename,
    sort_mail_files,
)
from .schemas import AttachmentIn, AttachmentOut, AttachmentUploadOut

FIELD = "attachments"
MAIL_FILE_NAMESPACE = uuid.UUID("3d1f6a52-0c8e-4f7b-9a41-5e2b7c9d0f63")


def grant(t: Ticket, uploader_sub: str, data: AttachmentIn) -> AttachmentUploadOut:
    """Where `uploader_sub` uploads a file for ticket `t`: a presigned POST for its own key, type and size
    limit (a declared size over the limit is already refused by the body's schema, naming `size`)."""
    return grant_for(t.org_id, t.id, uploader_sub, data)


def grant_for(org_id: str, ticket_id: str, uploader_sub: str, data: AttachmentIn) -> AttachmentUploadOut:
    """`grant` by the ticket's ids: also for a request about to be filed under its client-chosen id (the
    new-ticket form uploads first, then files the ticket listing the ids; only its uploader can list them)."""
    uploads.check_type(ATTACHMENT_TYPES, data.content_type)
    uploads.check_size(data.size, MAX_ATTACHMENT_BYTES)
    attachment_id = str(uuid.uuid4())
    key = attachment_object(org_id, ticket_id, attachment_id, data.content_type)
    put_if_new(Attachment(*attachment_key(org_id, ticket_id, attachment_id), id=attachment_id, org_id=org_id,
                          ticket_id=ticket_id, filename=data.filename, content_type=data.content_type,
                          uploader_sub=uploader_sub, key=key, created_at=clock.iso_now()))
    post = uploads.grant(key, data.content_type, MAX_ATTACHMENT_BYTES)
    return AttachmentUploadOut(attachment_id=attachment_id, url=post.url, fields=post.fields,
                               expires_in=post.expires_in)


def attach(t: Ticket, sender_sub: str, ids: Iterable[str]) -> list[AttachedFile]:
    """The files a message of `sender_sub` on ticket `t` lists, each checked in the bucket. An id that is
    not an upload of theirs to this ticket (another ticket's, another person's, made up) is 404 naming
    `attachments`; one not uploaded yet 409; one of another type or size 400. Nothing is written here."""
    files: list[AttachedFile] = []
    for attachment_id in ids:
        a = find(Attachment, *attachment_key(t.org_id, t.id, attachment_id))
        if a is None or a.uploader_sub != sender_sub:
            raise NotFound(f"no upload {attachment_id} of yours on this ticket", field=FIELD)
        size = uploads.confirm(a.key, a.content_type, MAX_ATTACHMENT_BYTES, FIELD)
        files.append(AttachedFile(id=a.id, filename=a.filename, content_type=a.content_type, size=size, key=a.key))
    return files


def files_out(m: Message | Ticket) -> list[AttachmentOut]:
    """A message's (or a new ticket's) files with presigned GETs (signed here: no call to S3)."""
    expires = uploads.expires_in()
    return [AttachmentOut(id=f.id, filename=f.filename, content_type=f.content_type, size=int(f.size),
                          url=uploads.read_url(f.key, f.filename), expires_in=expires)
            for f in m.attachments or []]


def keep_mail_files(org_id: str, ticket_id: str, object_key: str, files: list[MailFile]) -> tuple[list[AttachedFile], list[Refused]]:
    """The files of a received email (stored under `object_key`) kept as attachments of its message on
    ticket `ticket_id`: each that passes a web upload's limits (rules.attachments.sort_mail_files) is put
    in the private bucket under the ticket's attachment keys (its id from the email's key and its place:
    the same email again puts the same objects); the rest are refused, to be noted on the message."""
    kept, refused = sort_mail_files(files)
    out: list[AttachedFile] = []
    for index, (f, content_type) in enumerate(kept):
        attachment_id = str(uuid.uuid5(MAIL_FILE_NAMESPACE, f"{object_key}|{index}"))
        key = attachment_object(org_id, ticket_id, attachment_id, content_type)
        size = uploads.store(key, f.data, content_type)
        out.append(AttachedFile(id=attachment_id, filename=safe_filename(f.filename, content_type),
                                content_type=content_type, size=size, key=key))
    return out, refused
