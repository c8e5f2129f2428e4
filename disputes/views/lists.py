"""The dispute list (纠纷台账): the user's visible disputes, filtered, sorted and paged by cursor."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.views.generic import TemplateView

from disputes.filters import SORT_CHOICES, dispute_filter
from disputes.services import listing

PAGE_SIZE = 50


class DisputeListView(PermissionRequiredMixin, TemplateView):
    permission_required = "disputes.view_dispute"
    template_name = "disputes/list.html"

    def get_context_data(self, **kwargs):
        request = self.request
        filterset = dispute_filter(request)
        sort = listing.clean_sort(request.GET.get("sort"))
        current = listing.page(filterset.qs, sort, request.GET.get("cursor"), PAGE_SIZE)
        params = request.GET.copy()
        params.pop("cursor", None)
        params["sort"] = sort
        next_params = params.copy()
        if current.next_cursor:
            next_params["cursor"] = current.next_cursor
        return super().get_context_data(
            filter=filterset,
            filters_applied=any(request.GET.get(name) for name in filterset.filters),
            disputes=listing.with_region_names(current.rows),
            page=current,
            sort=sort,
            sort_choices=SORT_CHOICES,
            query=params.urlencode(),
            next_query=next_params.urlencode(),
            can_export=request.user.has_perm("disputes.export_dispute"),
            now=timezone.now(),
            **kwargs,
        )
