from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from mediation.admin_scoping import ScopedAdminMixin
from mediation.choices import RegionLevel
from mediation.models import MediationOrganization, Membership, Region, Unit
from mediation.services.division_codes import DivisionCodeError, add_grids, import_division_codes

admin.site.site_header = _("Dadukou grand-mediation platform")
admin.site.site_title = _("Grand-mediation administration")
admin.site.index_title = _("Administration")


class DivisionCodeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Division-code table"),
        help_text=_("CSV or xlsx with columns 统计用区划代码, 名称, 城乡分类代码."),
    )


class AddGridsForm(forms.Form):
    names = forms.CharField(
        label=_("Grid names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One name per line. Leave empty to add numbered grids."),
    )
    count = forms.IntegerField(label=_("Number of grids"), required=False, min_value=1, max_value=50)

    def clean(self):
        data = super().clean()
        if not data.get("names", "").strip() and not data.get("count"):
            raise forms.ValidationError(_("Give grid names or a number of grids to add."))
        return data


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, GuardedModelAdmin):
    list_display = ("name", "code", "level", "kind", "parent", "urban_rural_code", "is_demo", "is_active")
    list_filter = ("level", "kind", "is_demo", "is_active")
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)
    actions = ["add_grids_action"]
    change_list_template = "admin/mediation/region/change_list.html"

    def get_urls(self):
        extra = [
            path(
                "import-division-codes/",
                self.admin_site.admin_view(self.import_view),
                name="mediation_region_import",
            ),
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        if not request.user.has_perm("mediation.add_region"):
            messages.error(request, _("You may not add regions."))
            return redirect("admin:mediation_region_changelist")
        form = DivisionCodeUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            import tempfile
            from pathlib import Path

            upload = form.cleaned_data["file"]
            suffix = Path(upload.name).suffix.lower()
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    report = import_division_codes(Path(tmp.name))
                except DivisionCodeError as exc:
                    for line in str(exc).splitlines():
                        messages.error(request, line)
                else:
                    messages.success(
                        request,
                        _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                        % {
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                    )
                    return redirect("admin:mediation_region_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Import division codes")}
        return render(request, "admin/mediation/region/import.html", context)

    @admin.action(description=_("Add grids under the selected communities"), permissions=["add"])
    def add_grids_action(self, request, queryset):
        communities = queryset.filter(level=RegionLevel.COMMUNITY)
        if "apply" in request.POST:
            form = AddGridsForm(request.POST)
            if form.is_valid():
                names = [n for n in form.cleaned_data["names"].splitlines() if n.strip()] or None
                added = 0
                try:
                    for community in communities:
                        added += len(add_grids(community, names=names, count=form.cleaned_data["count"]))
                except DivisionCodeError as exc:
                    messages.error(request, str(exc))
                    return None
                messages.success(request, _("%(n)s grid(s) added.") % {"n": added})
                return None
        else:
            form = AddGridsForm()
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "communities": communities,
            "title": _("Add grids"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/mediation/region/add_grids.html", context)


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, GuardedModelAdmin):
    list_display = ("name", "code", "kind", "region", "parent", "is_member_unit", "is_active")
    list_filter = ("kind", "is_member_unit", "is_active")
    search_fields = ("name", "code", "short_name")
    raw_id_fields = ("region", "parent")
    # A police station's 辖区: the regions whose red disputes warn it.
    autocomplete_fields = ("jurisdiction",)


@admin.register(MediationOrganization)
class MediationOrganizationAdmin(ScopedAdminMixin, GuardedModelAdmin):
    list_display = ("name", "kind", "region", "host_unit", "established_on", "dissolved_on", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "address")
    raw_id_fields = ("region", "host_unit")


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "region", "unit", "organization", "started_on", "ended_on", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__first_name", "title")
    raw_id_fields = ("user", "region", "unit", "organization")
