"""Attachments of the case file (卷宗): type and size limits, safe storage, one Event per upload.

A file is accepted when its extension is allowed AND its first bytes match that type, so a renamed
executable is refused. It is stored under MEDIA_ROOT with a random name (the user's file name never
reaches the path); the original name is kept in the row. Files are served only by the download view,
after the dispute's visibility check.
"""

from __future__ import annotations

import os
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from dadukou.kernel.errors import Forbidden, WorkflowError
from disputes.choices import Status

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
UPLOAD_PERMISSIONS = ("disputes.register_dispute", "disputes.handle_dispute")
CLOSED_ENTRIES = (Status.VOIDED, Status.MERGED)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of the old .doc and .xls


def _zip_with(member_prefix: str):
    def sniff(upload, head: bytes) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and any(n.startswith(member_prefix) for n in names)

    return sniff


def _starts(*signatures: bytes):
    return lambda upload, head: any(head.startswith(s) for s in signatures)


def _mp3(upload, head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _m4a(upload, head: bytes) -> bool:
    return head[4:8] == b"ftyp"


@dataclass(frozen=True)
class FileType:
    content_type: str
    sniff: object


TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", _starts(b"%PDF-")),
    ".jpg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": FileType("image/jpeg", _starts(b"\xff\xd8\xff")),
    ".png": FileType("image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".doc": FileType("application/msword", _starts(OLE2)),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _zip_with("word/")
    ),
    ".xls": FileType("application/vnd.ms-excel", _starts(OLE2)),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _zip_with("xl/")),
    ".mp3": FileType("audio/mpeg", _mp3),
    ".m4a": FileType("audio/mp4", _m4a),
}
ALLOWED_EXTENSIONS = tuple(sorted(TYPES))


def max_bytes() -> int:
    return int(getattr(settings, "DISPUTE_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def original_name(upload) -> str:
    """The user's file name, without any directory part, short enough for the row."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "file"
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext


def check(upload) -> FileType:
    """The type of an acceptable upload; WorkflowError for a wrong type, a forged type or a size over the limit."""
    name = original_name(upload)
    ext = os.path.splitext(name)[1].lower()
    file_type = TYPES.get(ext)
    if file_type is None:
        raise WorkflowError(
            "invalid_file_type",
            _("“%(name)s”: only PDF, JPG, PNG, Word, Excel, MP3 and M4A files can be attached.")
            % {"name": name},
        )
    if not upload.size:
        raise WorkflowError("empty_file", _("“%(name)s” is empty.") % {"name": name})
    if upload.size > max_bytes():
        raise WorkflowError(
            "file_too_large",
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": filesizeformat(max_bytes())},
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not file_type.sniff(upload, head):
        raise WorkflowError(
            "file_content_mismatch",
            _("“%(name)s” is not really a %(ext)s file.") % {"name": name, "ext": ext.lstrip(".").upper()},
        )
    return file_type


def store(dispute, user, uploads, kind) -> list:
    """Store checked uploads on `dispute`, each with an "attach" Event. Call inside a transaction."""
    from disputes.models import Attachment, Event

    stored = []
    try:
        for upload in uploads:
            file_type = check(upload)
            name = original_name(upload)
            attachment = Attachment(
                dispute=dispute,
                kind=kind,
                original_name=name,
                content_type=file_type.content_type,
                size=upload.size,
                uploaded_by=user,
            )
            ext = os.path.splitext(name)[1].lower()
            attachment.file.save(f"{uuid.uuid4().hex}{ext}", upload, save=False)
            stored.append(attachment)
            attachment.save()
            Event.objects.create(
                dispute=dispute,
                action="attach",
                actor=user,
                note=name,
                after={"attachment": attachment.pk, "kind": kind, "size": upload.size},
            )
    except Exception:
        # The rows roll back with the transaction; the files written so far must go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def may_attach(dispute, user) -> bool:
    """A membership that may register or handle disputes covers this one, and the entry is not closed."""
    return dispute.status not in CLOSED_ENTRIES and any(user.has_perm(p, dispute) for p in UPLOAD_PERMISSIONS)


@transaction.atomic
def add(dispute_id, user, uploads, *, kind):
    """Attach files to a dispute the user sees, if they may register or handle disputes."""
    from disputes.models import Attachment, Dispute

    dispute = Dispute.objects.visible_to(user).filter(pk=dispute_id).first()
    if dispute is None or not any(user.has_perm(p, dispute) for p in UPLOAD_PERMISSIONS):
        raise Forbidden("forbidden", _("You may not attach files to this dispute."))
    if not may_attach(dispute, user):
        raise WorkflowError("closed_entry", _("A voided or merged entry takes no more files."))
    if kind not in Attachment.Kind.values:
        raise WorkflowError("invalid_kind", _("Unknown kind of attachment."))
    if not uploads:
        raise WorkflowError("no_file", _("Choose a file to attach."))
    for upload in uploads:
        check(upload)
    return store(dispute, user, uploads, kind)
