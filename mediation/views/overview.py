"""The registry overview: every indicator at a chosen date, and one indicator's rows (met / gap).

The indicators are district-wide figures, so these pages need the permission to view organizations; a row
links to an object only when the user may open it.
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
from mediation.views.common import visible_ids

# Indicators whose rows are values of mediation.choices.Background rather than fields.
BACKGROUND_INDICATORS = {"mediator_backgrounds"}
TRAINING_INDICATORS = {"trainings_district", "trainings_street"}


@dataclass
class ShownRow:
    row: IndicatorRow
    url: str = ""


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def shown_rows(result, user) -> list[ShownRow]:
    """The result's rows with a link each where one makes sense and the user may follow it."""
    by_model: dict[type, set[int]] = {}
    for row in result.rows:
        if isinstance(row.obj, MediationOrganization | Region | Training):
            by_model.setdefault(type(row.obj), set()).add(row.obj.pk)
    visible = {model: visible_ids(model, user, ids) for model, ids in by_model.items()}
    as_of = result.as_of.isoformat()
    shown = []
    for row in result.rows:
        obj, url = row.obj, ""
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
        elif isinstance(obj, str):
            url = _url("mediation:organization_list", field=obj, on=as_of)
        shown.append(ShownRow(row, url))
    return shown


class RegistryOverviewView(PermissionRequiredMixin, TemplateView):
    permission_required = "mediation.view_mediationorganization"
    template_name = "mediation/registry/overview.html"

    def get_context_data(self, **kwargs):
        form = AsOfForm(self.request.GET or None)
        as_of = form.day
        return super().get_context_data(
            form=form,
            as_of=as_of,
            results=all_indicators(as_of),
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
        form = AsOfForm(self.request.GET or None)
        result = indicator(code, form.day)
        gaps_only = self.request.GET.get("gaps") == "1"
        rows = shown_rows(result, self.request.user)
        if gaps_only:
            rows = [r for r in rows if not r.row.met]
        return super().get_context_data(
            form=form,
            as_of=result.as_of,
            result=result,
            rows=rows,
            gaps_only=gaps_only,
            registry_tab="overview",
            **kwargs,
        )
