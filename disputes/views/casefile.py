"""The printable case file (卷宗) of one dispute."""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from disputes.views.detail import get_dispute, record_context, timeline


class CaseFileView(View):
    def get(self, request, pk):
        dispute = get_dispute(request.user, pk)
        context = record_context(request, dispute, "casefile") | {"timeline": timeline(dispute, request.user)}
        return render(request, "disputes/casefile.html", context)
