"""The registry overview: every indicator at a chosen date, and one indicator's rows (met / gap), a page at a time.

Both show the stored figures as the user may see them (mediation.indicators, viewer=user): only the parts
anchored in the user's regions, units and organizations, so a street reads its street's figures. These pages need
the permission to view organizations; a row links to an object only when the user may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.views.generic import TemplateView

from mediation.forms.registry import AsOfForm
from mediation.indicators import REGISTRY, IndicatorRow, all_indicators, indicator
from mediation.models import MediationOrganization, Region, Training
from mediation.services import indicator_store
from mediation.views.common import query_without_page, visible_ids

# Indicators whose rows are values of mediation.choices.Background rather than fields.
BACKGROUND_INDICATORS = {"mediator_backgrounds"}
TRAINING_INDICATORS = {"trainings_district", "trainings_street"}
# Indicators whose rows are values of mediation.choices.MediationField.
FIELD_INDICATORS = {"industry_room_occupancy", "industry_fields_covered", "field_rooms_covered"}


@dataclass
class ShownRow:
    row: IndicatorRow
    url: str = ""


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def shown_rows(result, user, rows: list[IndicatorRow] | None = None) -> list[ShownRow]:
    """The rows (the result's by default) with a link each where one makes sense and the user may follow it."""
    rows = indicator_store.resolve_objects(result.rows if rows is None else rows)
    by_model: dict[type, set[int]] = {}
    for row in rows:
        if isinstance(row.obj, MediationOrganization | Region | Training):
            by_model.setdefault(type(row.obj), set()).add(row.obj.pk)
    visible = {model: visible_ids(model, user, ids) for model, ids in by_model.items()}
    return [ShownRow(row, row.url or _link(result, row.obj, visible)) for row in rows]


def _link(result, obj, visible: dict) -> str:
    as_of = result.as_of.isoformat()
    url = ""
    if isinstance(obj, MediationOrganization) and obj.pk in visible[MediationOrganization]:
        url = reverse("mediation:organization_detail", args=[obj.pk]) + f"?on={as_of}"
    elif isinstance(obj, Training) and obj.pk in visible[Training]:
        url = reverse("mediation:training_detail", args=[obj.pk])
    elif isinstance(obj, Region) and obj.pk in visible[Region]:
        if result.code in TRAINING_INDICATORS:
            url = _url("mediation:training_list", region=obj.pk, year=result.as_of.year)
        else:
            url = _url("mediation:organization_list", region=obj.pk, on=as_of)
    elif isinstance(obj, str) and result.code in BACKGROUND_INDICATORS:
        url = _url("mediation:mediator_list", background=obj)
    elif isinstance(obj, str) and result.code in FIELD_INDICATORS:
        url = _url("mediation:organization_list", field=obj, on=as_of)
    return url


class RegistryOverviewView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediationorganization"
    template_name = "mediation/registry/overview.html"

    def get_context_data(self, **kwargs):
        form = AsOfForm(self.request.GET or None)
        as_of = form.day
        return super().get_context_data(
            form=form,
            as_of=as_of,
            results=all_indicators(as_of, viewer=self.request.user),
            registry_tab="overview",
            **kwargs,
        )


class IndicatorDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediationorganization"
    template_name = "mediation/registry/indicator.html"

    def get_context_data(self, **kwargs):
        code = self.kwargs["code"]
        if code not in REGISTRY:
            raise Http404
        user, params = self.request.user, self.request.GET
        form = AsOfForm(params or None)
        result = indicator(code, form.day, viewer=user)
        gaps_only = params.get("gaps") == "1"
        page = indicator_store.rows_page(
            code, result.as_of, user, after=params.get("after"), gaps_only=gaps_only, result=result
        )
        query = query_without_page(self.request, "after")
        return super().get_context_data(
            form=form,
            as_of=result.as_of,
            result=result,
            rows=shown_rows(result, user, page.rows),
            next_url=f"?{query}{'&' if query else ''}after={page.after}" if page.after else "",
            first_url=f"?{query}" if params.get("after") else "",
            gaps_only=gaps_only,
            registry_tab="overview",
            **kwargs,
        )
