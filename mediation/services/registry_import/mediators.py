"""The sheet of mediators (调解员) with their appointments, one row per appointment; a mediator is matched by
ID number, else name + phone, an appointment by mediator + organization + start date."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dadukou.kernel.errors import WorkflowError
from mediation.choices import AppointmentRole, Background, Gender
from mediation.models.imports import ImportKind
from mediation.services.registry import check_appointment
from mediation.services.registry_import.base import Importer, apply_values
from mediation.services.registry_import.cells import CellError
from mediation.services.registry_import.columns import IDENTIFY_HELP, Column

MEDIATOR_COLUMNS = [
    Column("姓名", "name", required=True, max_length=50),
    Column(
        "性别",
        "gender",
        "choice",
        required=True,
        choices=Gender,
        may_be_empty=True,
        help=gettext_lazy("May be left empty when the ID number is given."),
    ),
    Column("身份证号", "id_number", "id_number", help=IDENTIFY_HELP),
    Column("手机号", "phone", "phone", help=IDENTIFY_HELP),
    Column("出生年份", "birth_year", "year"),
    Column("学历", "education", max_length=30),
    Column("是否党员", "is_party_member", "bool"),
    Column("身份背景", "backgrounds", "choices", choices=Background),
    Column("专业资格", "qualifications", max_length=200),
    Column(
        "所属区域代码",
        "region",
        "region",
        help=gettext_lazy("Where the mediator works; when empty, the region of the organization."),
    ),
    Column(
        "所在组织",
        "organization",
        max_length=150,
        help=gettext_lazy(
            "The organization's name, for the appointment on this row (one row per appointment)."
        ),
    ),
    Column(
        "组织所属区域代码",
        "organization_region",
        "region",
        help=gettext_lazy("Only needed when two organizations have the same name."),
    ),
    Column("是否专职", "is_full_time", "bool"),
    Column("职务", "role", "choice", choices=AppointmentRole),
    Column("任职日期", "started_on", "date"),
    Column("离任日期", "ended_on", "date"),
]


class MediatorImporter(Importer):
    kind = ImportKind.MEDIATORS
    COLUMNS = MEDIATOR_COLUMNS
    SHEET_TITLE = "调解员"
    PERMISSION = "mediation.add_mediator"
    NOTES = [
        gettext_lazy(
            "One row per appointment: a mediator serving two organizations takes two rows with the same ID number."
        )
    ]
    PERSON_FIELDS = [
        "gender",
        "id_number",
        "phone",
        "birth_year",
        "education",
        "is_party_member",
        "backgrounds",
        "qualifications",
        "region",
    ]

    def __init__(self, user=None):
        super().__init__(user)
        # person key → {"row": first row, "values": merged person values, "existing": Mediator | None}
        self.people: dict[tuple, dict] = {}
        # (person key, organization pk, started_on) → (row, values)
        self.appointments: dict[tuple, tuple[int, dict]] = {}
        self.plain_rows: dict[tuple, int] = {}

    def check_row(self, number, values, raw):
        if "name" not in values:
            return
        if not values.get("id_number") and not values.get("phone"):
            self.error(
                number, "id_number", _("Give the ID number or the phone number to identify the mediator.")
            )
            return
        if not self._check_identity_fields(number, values):
            return
        organization = self._appointment_organization(number, values)
        if organization is False:
            return
        person_key = (
            ("id", values["id_number"])
            if values.get("id_number")
            else ("phone", values["name"], values["phone"])
        )
        if not self._merge_person(number, person_key, values, organization):
            return
        if organization is None:
            if person_key in self.plain_rows:
                self.error(
                    number, "name", _("Duplicates row %(row)s.") % {"row": self.plain_rows[person_key]}
                )
            self.plain_rows.setdefault(person_key, number)
            return
        key = (person_key, organization.pk, values["started_on"])
        if key in self.appointments:
            self.error(
                number,
                "organization",
                _("Duplicates row %(row)s (same mediator, organization and start date).")
                % {"row": self.appointments[key][0]},
            )
            return
        ended = values.get("ended_on")
        if ended is not None and ended <= values["started_on"]:
            self.error(number, "ended_on", _("An appointment must end after it starts."))
            return
        values["organization"] = organization
        self.appointments[key] = (number, values)

    def _check_identity_fields(self, number, values) -> bool:
        id_number = values.get("id_number")
        if not id_number:
            if "gender" not in values:
                self.error(number, "gender", _("This column must be filled."))
                return False
            return True
        from_id = Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE
        if values.setdefault("gender", from_id) != from_id:
            self.error(number, "gender", _("It does not match the ID number."))
            return False
        year = int(id_number[6:10])
        if values.setdefault("birth_year", year) != year:
            self.error(number, "birth_year", _("It does not match the ID number."))
            return False
        return True

    def _appointment_organization(self, number, values):
        """The organization of the row's appointment, None when the row has none, False on an error."""
        name = values.get("organization")
        if not name:
            for key in ("started_on", "ended_on", "role", "is_full_time"):
                if key in values:
                    self.error(number, "organization", _("Name the organization of the appointment."))
                    return False
            return None
        if "started_on" not in values:
            self.error(number, "started_on", _("Give the date the appointment starts."))
            return False
        try:
            return self.organization(name, values.get("organization_region"), values.get("region"))
        except CellError as exc:
            self.error(number, "organization", str(exc))
            return False

    def _merge_person(self, number, person_key, values, organization) -> bool:
        person = self.people.get(person_key)
        if person is None:
            existing = self.find_mediator(number, values, must_exist=False)
            if existing is False:
                return False
            person = self.people[person_key] = {
                "row": number,
                "values": {k: values[k] for k in ["name", *self.PERSON_FIELDS] if k in values},
                "existing": existing,
            }
        elif not self._merge_values(number, person, values):
            return False
        if organization is not None:
            # Without a region of their own, a new mediator works where their (first) organization is.
            person.setdefault("organization_region", organization.region)
        return True

    def _merge_values(self, number, person, values) -> bool:
        merged = person["values"]
        for key in self.PERSON_FIELDS:
            if key not in values:
                continue
            if key in merged and merged[key] != values[key]:
                self.error(
                    number,
                    key,
                    _("It differs from row %(row)s for the same person.") % {"row": person["row"]},
                )
                return False
            merged[key] = values[key]
        return True

    def check_file(self):
        seen: dict[str, int] = {}
        for person in self.people.values():
            if person["existing"] is None and "region" not in person["values"]:
                if "organization_region" not in person:
                    self.error(
                        person["row"],
                        "region",
                        _("Give the region, or the organization the mediator serves."),
                    )
        # Two new people given the same phone in different rows: only the ID number can tell them apart.
        for person in self.people.values():
            if person["existing"] is None and person["values"].get("id_number"):
                number = seen.setdefault(person["values"]["id_number"], person["row"])
                if number != person["row"]:
                    self.error(person["row"], "id_number", _("Duplicates row %(row)s.") % {"row": number})

    def write(self):
        from mediation.models import Appointment, Mediator

        saved = {}
        for key, person in self.people.items():
            values = person["values"]
            mediator = person["existing"]
            created = mediator is None
            if created:
                mediator = Mediator(name=values["name"], region=person.get("organization_region"))
            changed = apply_values(mediator, values, self.PERSON_FIELDS)
            if created or changed:
                mediator.save()
            saved[key] = mediator
            self.count("mediators", created, changed)
        for (person_key, _org, started_on), (number, values) in self.appointments.items():
            mediator, organization = saved[person_key], values["organization"]
            appointment = Appointment.objects.filter(
                mediator=mediator, organization=organization, started_on=started_on
            ).first()
            created = appointment is None
            if created:
                appointment = Appointment(mediator=mediator, organization=organization, started_on=started_on)
            changed = apply_values(appointment, values, ["role", "is_full_time", "ended_on"])
            if not (created or changed):
                self.count("appointments", False, False)
                continue
            try:
                check_appointment(
                    mediator, organization, started_on, appointment.ended_on, exclude_pk=appointment.pk
                )
            except WorkflowError as exc:
                self.error(number, "organization", exc.message)
                continue
            appointment.save()
            self.count("appointments", created, changed)
