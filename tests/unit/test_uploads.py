"""core.uploads' pure parts and the help desk's allow-list as the document states it."""
from __future__ import annotations

import typing
from urllib.parse import unquote

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.core.uploads import check_size, check_type, download_disposition
from chalicelib.helpdesk.rules.attachments import ATTACHMENT_TYPES
from chalicelib.helpdesk.schemas import AttachmentType


def test_the_documented_attachment_types_are_the_allow_list():
    assert set(typing.get_args(AttachmentType)) == set(ATTACHMENT_TYPES)
    assert not {"text/html", "image/svg+xml", "application/javascript"} & set(ATTACHMENT_TYPES)


def test_a_type_off_the_list_and_a_size_out_of_bounds_are_400_naming_the_field():
    assert check_type({"image/png": "png"}, "image/png") == "png"
    with pytest.raises(InvalidInput) as exc:
        check_type({"image/png": "png"}, "text/html")
    assert exc.value.field == "content_type"
    assert check_size(10, 10) == 10
    for bad in (0, 11):
        with pytest.raises(InvalidInput) as exc:
            check_size(bad, 10)
        assert exc.value.field == "size"


def test_a_download_name_is_quoted_safely_and_kept_whole_in_utf8():
    header = download_disposition('Beleg "März".pdf')
    assert header.startswith('attachment; filename="Beleg _M_rz_.pdf"; filename*=UTF-8\'\'')
    assert unquote(header.split("''", 1)[1]) == 'Beleg "März".pdf'


def test_a_replys_email_names_its_files_and_a_reply_without_files_is_unchanged():
    from chalicelib.helpdesk.rules.attachments import with_files_line

    assert with_files_line("Hi.", []) == "Hi."
    assert with_files_line("Hi.", ["a.pdf", "b.png"]) == "Hi.\n\nAttached (open your request to download): a.pdf, b.png"
