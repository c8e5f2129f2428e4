"""The xlsx export of the filtered dispute list."""

from __future__ import annotations

import logging
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.personal_data import may_unmask
from disputes.filters import dispute_filter
from disputes.services import export, listing

logger = logging.getLogger("disputes.export")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportView(PermissionRequiredMixin, View):
    permission_required = "disputes.export_dispute"
    raise_exception = True

    def get(self, request):
        filterset = dispute_filter(request)
        queryset = listing.ordered(filterset.qs, listing.clean_sort(request.GET.get("sort")))
        if queryset[: export.MAX_ROWS + 1].count() > export.MAX_ROWS:
            messages.error(
                request,
                _("An export holds at most %(max)s disputes. Narrow the filters and export again.")
                % {"max": f"{export.MAX_ROWS:,}"},
            )
            return redirect(f"{reverse('disputes:list')}?{request.GET.urlencode()}")
        personal_data = may_unmask(request.user)
        if personal_data:
            # Exports can cover thousands of disputes, so this goes to the log rather than each timeline.
            logger.warning(
                "Dispute export with personal data by %s (id %s), filters: %s",
                request.user.get_username(),
                request.user.pk,
                request.GET.urlencode() or "(none)",
            )
        out = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
        export.write_disputes(queryset, out, personal_data=personal_data)
        out.seek(0)
        filename = f"{_('Disputes')}_{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
