"""The responsibility matrix of the current plan (/plan/), its filters and its xlsx export.

The cells are the user's visible rows (tasks_plan.services.matrix); the office sees every unit's column, a unit
its own. Each task carries its targets' live values (tasks_plan.services.targets).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from mediation.models import Unit
from tasks_plan.choices import ResponsibilityStatus
from tasks_plan.models import PlanTask, Responsibility
from tasks_plan.services.export import export_response
from tasks_plan.services.matrix import build_matrix, current_plan, section_heading


class MatrixFilterForm(forms.Form):
    """Section, unit (among the units whose rows the user sees) and status; every field optional."""

    section = forms.TypedChoiceField(label=_("Section"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data, *, plan, user):
        super().__init__(data)
        sections = (
            PlanTask.objects.filter(plan=plan)
            .order_by("section")
            .values_list("section", "section_title")
            .distinct()
            if plan
            else []
        )
        self.fields["section"].choices = [("", _("All sections"))] + [
            (number, section_heading(number, title)) for number, title in sections
        ]
        visible = Responsibility.objects.visible_to(user).filter(task__plan=plan).values("unit_id")
        units = Unit.objects.filter(pk__in=visible).order_by("-is_member_unit", "kind", "pk")
        self.fields["unit"].choices = [("", _("All units"))] + [(u.pk, u.name) for u in units]
        self.fields["status"].choices = [("", _("All statuses")), *ResponsibilityStatus.choices]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"section": data["section"], "unit_id": data["unit"], "status": data["status"] or None}


class MatrixMixin(PermissionRequiredMixin):
    permission_required = "tasks_plan.view_responsibility"

    def matrix(self, *, with_indicators: bool):
        plan = current_plan()
        form = MatrixFilterForm(self.request.GET or None, plan=plan, user=self.request.user)
        matrix = build_matrix(
            self.request.user,
            plan,
            with_indicators=with_indicators,
            today=timezone.localdate(),
            **form.filters(),
        )
        return form, matrix


class MatrixView(MatrixMixin, TemplateView):
    template_name = "tasks_plan/matrix.html"

    def get_context_data(self, **kwargs):
        form, matrix = self.matrix(with_indicators=True)
        return super().get_context_data(
            form=form,
            matrix=matrix,
            span=len(matrix.columns) + 2,
            statuses=ResponsibilityStatus.choices,
            query=self.request.GET.urlencode(),
            **kwargs,
        )


class MatrixExportView(MatrixMixin, View):
    """The matrix as it is filtered on the page, in the layout of the original plan."""

    def get(self, request):
        _form, matrix = self.matrix(with_indicators=True)
        code = matrix.plan.code if matrix.plan else "plan"
        return export_response(matrix, f"{code}-{matrix.today.isoformat()}.xlsx")
