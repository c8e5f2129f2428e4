"""Uploading files to a dispute and downloading them, always behind the dispute's visibility."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.errors import WorkflowError
from disputes.models import Attachment, Dispute
from disputes.services import attachments


class AttachmentUploadView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        dispute = get_object_or_404(Dispute.objects.visible_to(request.user), pk=pk)
        uploads = request.FILES.getlist("files")
        try:
            stored = attachments.add(
                dispute.pk, request.user, uploads, kind=request.POST.get("kind", Attachment.Kind.OTHER)
            )
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(count)d file(s) attached.") % {"count": len(stored)})
        return redirect("disputes:detail", pk=dispute.pk)


class AttachmentDownloadView(View):
    """Streams the file as a download; 404 when the dispute is not visible to the user."""

    def get(self, request, pk, attachment_pk):
        visible = Dispute.objects.visible_to(request.user)
        attachment = get_object_or_404(
            Attachment.objects.filter(dispute__in=visible.filter(pk=pk)), pk=attachment_pk
        )
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
