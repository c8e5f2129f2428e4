"""The sheet of training attendance (培训签到), one row per attendee; a training is matched by region + date +
title, and its attendees must be in the registry already."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mediation.choices import RegionLevel, TrainingLevel
from mediation.models.imports import ImportKind
from mediation.services.registry_import.base import Importer, apply_values
from mediation.services.registry_import.columns import IDENTIFY_HELP, Column

ATTENDANCE_COLUMNS = [
    Column("培训名称", "title", required=True, max_length=150),
    Column("培训日期", "held_on", "date", required=True),
    Column("培训级别", "level", "choice", required=True, choices=TrainingLevel),
    Column(
        "举办区域代码",
        "region",
        "region",
        help=gettext_lazy("The street/town for a street training; the district when empty."),
    ),
    Column(
        "主办单位",
        "organizer",
        "unit",
        help=gettext_lazy("When empty: the grand-mediation office, or the street/town government."),
    ),
    Column("培训学时", "hours", "hours"),
    Column("姓名", "name", required=True, max_length=50),
    Column("身份证号", "id_number", "id_number", help=IDENTIFY_HELP),
    Column("手机号", "phone", "phone", help=IDENTIFY_HELP),
    Column("参训学时", "attended_hours", "hours"),
]


class AttendanceImporter(Importer):
    kind = ImportKind.ATTENDANCE
    COLUMNS = ATTENDANCE_COLUMNS
    SHEET_TITLE = "培训签到"
    PERMISSION = "mediation.add_trainingattendance"
    NOTES = [gettext_lazy("One row per attendee; the mediators must be in the registry already.")]

    def __init__(self, user=None):
        super().__init__(user)
        from mediation.models import Region, Unit

        self.district = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("pk").first()
        self.office = Unit.objects.filter(code="office").first()
        # training key → {"row": first row, "values": {...}}
        self.trainings: dict[tuple, dict] = {}
        # (training key, mediator pk) → (row, values, mediator)
        self.attendance: dict[tuple, tuple[int, dict, object]] = {}

    def check_row(self, number, values, raw):
        if not {"title", "held_on", "level", "name"} <= values.keys():
            return
        region = self._training_region(number, values)
        if region is None:
            return
        training_key = (region.pk, values["held_on"], values["title"])
        training = self.trainings.setdefault(
            training_key, {"row": number, "values": {"region": region, **values}}
        )
        for key in ("level", "organizer", "hours"):
            if key in values and training["values"].get(key, values[key]) != values[key]:
                self.error(
                    number,
                    key,
                    _("It differs from row %(row)s for the same training.") % {"row": training["row"]},
                )
                return
            if key in values:
                training["values"].setdefault(key, values[key])
        if not values.get("id_number") and not values.get("phone"):
            self.error(
                number, "id_number", _("Give the ID number or the phone number to identify the mediator.")
            )
            return
        mediator = self.find_mediator(number, values, must_exist=True)
        if not mediator:
            return
        key = (training_key, mediator.pk)
        if key in self.attendance:
            self.error(
                number,
                "name",
                _("Duplicates row %(row)s (same training and mediator).") % {"row": self.attendance[key][0]},
            )
            return
        self.attendance[key] = (number, values, mediator)

    def _training_region(self, number, values):
        region = values.get("region")
        if values["level"] == TrainingLevel.DISTRICT:
            region = region or self.district
            if region is None or region.level != RegionLevel.DISTRICT:
                self.error(number, "region", _("A district training is held by the district."))
                return None
            if self.user is not None and not self.regions.filter(pk=region.pk).exists():
                self.error(number, "region", _("The district is outside your area."))
                return None
            return region
        if region is None or region.level != RegionLevel.STREET:
            self.error(number, "region", _("Give the code of the street/town that holds the training."))
            return None
        return region

    def _default_organizer(self, region, level):
        from mediation.models import Unit

        if level == TrainingLevel.DISTRICT:
            return self.office
        return Unit.objects.filter(code=f"gov-{region.code}").first()

    def write(self):
        from mediation.models import Training, TrainingAttendance

        saved = {}
        for key, training_data in self.trainings.items():
            values = training_data["values"]
            region, held_on, title = key
            training = Training.objects.filter(region_id=region, held_on=held_on, title=title).first()
            created = training is None
            if created:
                training = Training(region=values["region"], held_on=held_on, title=title)
                if "organizer" not in values:
                    training.organizer = self._default_organizer(values["region"], values["level"])
            changed = apply_values(training, values, ["level", "organizer", "hours"])
            if created or changed:
                training.save()
            saved[key] = training
            self.count("trainings", created, changed)
        for (training_key, _mediator_pk), (_number, values, mediator) in self.attendance.items():
            training = saved[training_key]
            row = TrainingAttendance.objects.filter(training=training, mediator=mediator).first()
            created = row is None
            if created:
                row = TrainingAttendance(training=training, mediator=mediator)
            changed = "attended_hours" in values and row.hours != values["attended_hours"]
            if changed:
                row.hours = values["attended_hours"]
            if created or changed:
                row.save()
            self.count("attendance", created, changed)
