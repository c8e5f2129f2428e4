"""Attachments: allowed types checked by extension and content, a size limit, random stored names, and
downloads only for those who see the dispute."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dadukou.kernel.errors import WorkflowError
from disputes.models import Attachment, Dispute, Event
from disputes.services import attachments
from tests.dispute_pages_world import client_for, intake_data, register

pytest_plugins = ["tests.dispute_pages_world"]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
MP3 = b"ID3\x03\x00" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 32
STORED_NAME = re.compile(r"^attachments/\d{4}/\d{2}/[0-9a-f]{32}\.[a-z0-9]+$")


def office_zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in ("[Content_Types].xml", *members):
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_intake_stores_attachments_under_random_names(page_world, media):
    files = [upload("张三的调解申请书.pdf", PDF), upload("现场照片.PNG", PNG)]
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, attachments=files)
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    rows = list(dispute.attachments.order_by("pk"))
    assert [(a.original_name, a.content_type, a.kind) for a in rows] == [
        ("张三的调解申请书.pdf", "application/pdf", "application"),
        ("现场照片.PNG", "image/png", "application"),
    ]
    for row in rows:
        assert STORED_NAME.match(row.file.name), row.file.name
        assert "张三" not in row.file.name and "现场" not in row.file.name
        assert (media / row.file.name).read_bytes()[:4] in (PDF[:4], PNG[:4])
        assert row.uploaded_by == page_world.alice
    attach_events = Event.objects.filter(dispute=dispute, action="attach", actor=page_world.alice)
    assert sorted(attach_events.values_list("note", flat=True)) == sorted(a.original_name for a in rows)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("程序.exe", b"MZ\x90\x00" + b"\x00" * 32, "invalid_file_type"),
        ("申请书.pdf", b"MZ\x90\x00 not a pdf at all", "file_content_mismatch"),
        ("照片.jpg", PNG, "file_content_mismatch"),
        ("笔录.docx", office_zip("xl/workbook.xml"), "file_content_mismatch"),
        ("空文件.pdf", b"", "empty_file"),
    ],
)
def test_wrong_types_are_refused(name, content, code):
    with pytest.raises(WorkflowError) as refused:
        attachments.check(upload(name, content))
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.jpeg", JPEG, "image/jpeg"),
        ("a.JPG", JPEG, "image/jpeg"),
        ("a.png", PNG, "image/png"),
        ("a.doc", OLE2, "application/msword"),
        ("a.xls", OLE2, "application/vnd.ms-excel"),
        (
            "a.docx",
            office_zip("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "a.xlsx",
            office_zip("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("a.mp3", MP3, "audio/mpeg"),
        ("a.m4a", M4A, "audio/mp4"),
    ],
)
def test_allowed_types_are_accepted(name, content, content_type):
    assert attachments.check(upload(name, content)).content_type == content_type


def test_the_size_limit(settings):
    settings.DISPUTE_ATTACHMENT_MAX_BYTES = 64
    assert attachments.check(upload("小.pdf", PDF))
    with pytest.raises(WorkflowError) as refused:
        attachments.check(upload("大.pdf", PDF + b"\x00" * 64))
    assert refused.value.code == "file_too_large"


def test_a_bad_attachment_at_intake_registers_nothing(page_world, media):
    files = [upload("申请书.pdf", PDF), upload("病毒.exe", b"MZ\x90\x00")]
    response = client_for(page_world.alice).post(
        reverse("disputes:intake"), intake_data(page_world, attachments=files)
    )
    assert response.status_code == 400
    assert "病毒.exe" in response.content.decode()
    assert not Dispute.objects.exists() and not Attachment.objects.exists()
    assert stored_files(media) == []


def test_upload_from_the_dispute_page(page_world, media):
    w = page_world
    dispute = register(w)
    url = reverse("disputes:attachment_upload", args=[dispute.pk])
    response = client_for(w.alice).post(
        url, {"kind": "identity", "files": [upload("身份证复印件.jpg", JPEG)]}, follow=True
    )
    assert response.status_code == 200
    row = dispute.attachments.get()
    assert row.kind == "identity" and row.original_name == "身份证复印件.jpg"
    assert Event.objects.filter(dispute=dispute, action="attach", actor=w.alice).count() == 1

    # carol sees the dispute (her street) but neither registers nor handles disputes.
    response = client_for(w.carol).post(url, {"kind": "other", "files": [upload("x.pdf", PDF)]}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    # bob, the neighbour, does not see it at all.
    assert client_for(w.bob).post(url, {"files": [upload("x.pdf", PDF)]}).status_code == 404
    # A refused type changes nothing either.
    response = client_for(w.alice).post(
        url, {"kind": "other", "files": [upload("x.bat", b"@echo")]}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert dispute.attachments.count() == 1
    assert len(stored_files(media)) == 1


def test_no_upload_to_a_voided_entry(page_world):
    w = page_world
    dispute = register(w)
    client = client_for(w.alice)
    client.post(
        reverse("disputes:action", args=[dispute.pk, "void"]),
        {"version": dispute.version, "reason": "重复登记"},
    )
    dispute.refresh_from_db()
    assert dispute.status == "voided"
    client.post(reverse("disputes:attachment_upload", args=[dispute.pk]), {"files": [upload("x.pdf", PDF)]})
    assert not dispute.attachments.exists()


def test_download_only_for_those_who_see_the_dispute(page_world, charlie):
    w = page_world
    dispute = register(w, attachments=[upload("调解协议书.pdf", PDF)])
    row = dispute.attachments.get()
    url = reverse("disputes:attachment", args=[dispute.pk, row.pk])

    response = client_for(w.alice).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]

    assert client_for(w.bob).get(url).status_code == 404
    assert client_for(charlie).get(url).status_code == 404
    other = register(w)
    assert client_for(w.alice).get(reverse("disputes:attachment", args=[other.pk, row.pk])).status_code == 404
