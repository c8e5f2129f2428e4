"""The sheet of mediation organizations (调解组织), matched by region + kind + name."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.choices import MediationField, OrganizationKind
from mediation.models.imports import ImportKind
from mediation.services.registry_import.base import Importer, apply_values
from mediation.services.registry_import.cells import CellError
from mediation.services.registry_import.columns import Column

ORGANIZATION_COLUMNS = [
    Column("组织名称", "name", required=True, max_length=150),
    Column("组织类型", "kind", "choice", required=True, choices=OrganizationKind),
    Column(
        "所属区域代码",
        "region",
        "region",
        required=True,
        help=gettext_lazy("The division code of its region, e.g. 500104001 for 新山村街道."),
    ),
    Column(
        "主管单位",
        "host_unit",
        "unit",
        help=gettext_lazy("The unit it belongs to, e.g. 区司法局 or a police station."),
    ),
    Column(
        "所在调解中心",
        "hosted_in",
        max_length=150,
        help=gettext_lazy("For an industry/professional room: the name of the district centre it sits in."),
    ),
    Column("覆盖领域", "fields", "choices", choices=MediationField),
    Column("成立日期", "established_on", "date"),
    Column("撤销日期", "dissolved_on", "date"),
    Column("是否建立党组织", "has_party_organization", "bool"),
    Column("是否具备线上调解", "online_capable", "bool"),
    Column("是否涉外", "is_foreign_related", "bool"),
    Column("联系人", "contact_person", max_length=50),
    Column("联系电话", "phone", "phone"),
    Column("地址", "address", max_length=200),
]


class OrganizationImporter(Importer):
    kind = ImportKind.ORGANIZATIONS
    COLUMNS = ORGANIZATION_COLUMNS
    SHEET_TITLE = "调解组织"
    PERMISSION = "mediation.add_mediationorganization"
    FIELDS = [
        "fields",
        "established_on",
        "dissolved_on",
        "has_party_organization",
        "online_capable",
        "is_foreign_related",
        "contact_person",
        "phone",
        "address",
    ]

    def __init__(self, user=None):
        super().__init__(user)
        self.rows: dict[tuple, tuple[int, dict]] = {}

    def check_row(self, number, values, raw):
        if not {"name", "kind", "region"} <= values.keys():
            return
        key = (values["region"].pk, values["kind"], values["name"])
        if key in self.rows:
            self.error(
                number,
                "name",
                _("Duplicates row %(row)s (same name, kind and region).") % {"row": self.rows[key][0]},
            )
            return
        established, dissolved = values.get("established_on"), values.get("dissolved_on")
        if established and dissolved and dissolved <= established:
            self.error(number, "dissolved_on", _("It must come after the establishment date."))
            return
        if values["kind"] == OrganizationKind.PLATFORM:
            other = (
                self.organizations.model.objects.platforms()
                .filter(region=values["region"])
                .exclude(name=values["name"])
                .first()
            )
            if other is not None:
                self.error(
                    number,
                    "name",
                    _("%(region)s already has its platform, %(name)s; a region has one.")
                    % {"region": values["region"].name, "name": other.name},
                )
                return
        self.rows[key] = (number, values)

    def check_file(self):
        in_file = defaultdict(list)
        for key, (_number, values) in self.rows.items():
            in_file[values["name"]].append(key)
        for number, values in self.rows.values():
            name = values.get("hosted_in")
            if not name:
                continue
            if len(in_file.get(name, [])) == 1:
                values["hosted_in"] = ("file", in_file[name][0])
                continue
            try:
                centre = self.organization(name, near=values["region"])
            except CellError as exc:
                self.error(number, "hosted_in", str(exc))
                continue
            values["hosted_in"] = ("db", centre)

    def write(self):
        from mediation.models import MediationOrganization

        saved, state = {}, {}
        for key, (_number, values) in self.rows.items():
            region, kind, name = values["region"], values["kind"], values["name"]
            org = MediationOrganization.objects.filter(region=region, kind=kind, name=name).first()
            created = org is None
            if created:
                org = MediationOrganization(region=region, kind=kind, name=name)
            changed = apply_values(org, values, [*self.FIELDS, "host_unit"])
            if created or changed:
                org.save()
            saved[key], state[key] = org, (created, changed)
        # Second pass: a room may sit in a centre listed further down the same file.
        for key, (_number, values) in self.rows.items():
            org, (created, changed) = saved[key], state[key]
            if values.get("hosted_in"):
                where, target = values["hosted_in"]
                centre = saved[target] if where == "file" else target
                if org.hosted_in_id != centre.pk:
                    org.hosted_in = centre
                    org.save(update_fields=["hosted_in"])
                    changed = True
            self.count("organizations", created, changed)
