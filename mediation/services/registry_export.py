"""The registry's lists as xlsx workbooks with Chinese headers: organizations, mediators, trainings.

Each function takes a queryset the caller has already limited with `.visible_to(user)` (and any list filters)
and writes with openpyxl's write-only workbook. The headers are those of the import templates, so a sheet
exported by a user who sees personal data in full can be imported back. Mediators' ID numbers and phones are
masked unless the user may see personal data (dadukou.kernel.personal_data).
"""

from __future__ import annotations

import tempfile
from collections import Counter

from django.db.models import Count, Prefetch
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from dadukou.kernel.personal_data import PERMISSION as PERSONAL_DATA_PERMISSION
from dadukou.kernel.personal_data import mask_id_number, mask_phone
from mediation.choices import AppointmentRole, Background, MediationField, RegionLevel, TrainingLevel
from mediation.indicators import full_time_counts, staffing_rules

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 50_000
CHUNK = 1000
KINDS = ("organizations", "mediators", "trainings")


def _yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def _labels(choices, values) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(v, v)) for v in values or [])


def _region_names(region_paths) -> dict[str, str]:
    """ "新山村街道 / 甲社区" for each region path (one query)."""
    from mediation.models import Region

    ids = {int(pk) for path in region_paths for pk in path.strip("/").split("/") if pk}
    names = dict(Region.objects.filter(pk__in=ids, level__gt=RegionLevel.DISTRICT).values_list("pk", "name"))
    district_names = dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    result = {}
    for path in region_paths:
        parts = [int(pk) for pk in path.strip("/").split("/") if pk]
        shown = [names[pk] for pk in parts if pk in names]
        result[path] = " / ".join(shown) or district_names.get(parts[-1], "")
    return result


def _sheet(workbook, title: str, headers: list[str], widths: dict[int, int] | None = None):
    sheet = workbook.create_sheet(title)
    for index, width in (widths or {}).items():
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


# --- organizations ----------------------------------------------------------------------------------------------

ORGANIZATION_HEADERS = [
    "组织名称",
    "组织类型",
    "所属区域代码",
    "所属区域",
    "主管单位",
    "所在调解中心",
    "覆盖领域",
    "成立日期",
    "撤销日期",
    "是否建立党组织",
    "是否具备线上调解",
    "是否涉外",
    "联系人",
    "联系电话",
    "地址",
    "命名调解员",
    "在任调解员",
    "专职调解员",
    "专职配备要求",
]


def export_organizations(queryset, *, as_of=None, mediators=None) -> Workbook:
    """One row per organization, with its serving and full-time mediators on `as_of` (today by default).

    `mediators` limits the mediators named (a studio's namesake) to those the user can see."""
    as_of = as_of or timezone.localdate()
    orgs = list(
        queryset.select_related("region", "host_unit", "hosted_in", "named_after").order_by(
            "region__path", "kind", "name"
        )[:MAX_ROWS]
    )
    serving = _serving_counts(orgs, as_of)
    full_time = full_time_counts(orgs, as_of)
    rules = staffing_rules()
    names = _region_names({o.region.path for o in orgs})
    namesakes = {o.named_after_id for o in orgs if o.named_after_id}
    if mediators is not None and namesakes:
        namesakes = set(mediators.filter(pk__in=namesakes).values_list("pk", flat=True))
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, "调解组织", ORGANIZATION_HEADERS, {0: 36, 1: 24, 3: 24, 4: 20, 5: 30, 6: 30})
    for org in orgs:
        minimum = rules.get(org.kind, (None, False))[0]
        sheet.append(
            [
                org.name,
                str(org.get_kind_display()),
                org.region.code,
                names.get(org.region.path, org.region.name),
                org.host_unit.name if org.host_unit_id else "",
                org.hosted_in.name if org.hosted_in_id else "",
                _labels(MediationField, org.fields),
                org.established_on,
                org.dissolved_on,
                _yes_no(org.has_party_organization),
                _yes_no(org.online_capable),
                _yes_no(org.is_foreign_related),
                org.contact_person,
                org.phone,
                org.address,
                org.named_after.name if org.named_after_id in namesakes else "",
                serving.get(org.pk, 0),
                full_time.get(org.pk, 0),
                minimum if minimum is not None else "",
            ]
        )
    return workbook


def _serving_counts(orgs, as_of) -> dict[int, int]:
    from mediation.models import Appointment, Mediator

    active = Mediator.objects.active_on(as_of).values("pk")
    return dict(
        Counter(
            Appointment.objects.on(as_of)
            .filter(organization__in=orgs, mediator__in=active)
            .values_list("organization_id", flat=True)
        )
    )


# --- mediators --------------------------------------------------------------------------------------------------

MEDIATOR_HEADERS = [
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "出生年份",
    "学历",
    "是否党员",
    "身份背景",
    "专业资格",
    "所属区域代码",
    "所属区域",
    "当前状态",
    "现任职务",
    "是否专职",
    "专家库专长",
    "参训次数",
]
APPOINTMENT_HEADERS = [
    "姓名",
    "性别",
    "身份证号",
    "手机号",
    "所在组织",
    "组织所属区域代码",
    "是否专职",
    "职务",
    "任职日期",
    "离任日期",
]


def _person(mediator, personal_data: bool) -> tuple[str, str]:
    if personal_data:
        return mediator.id_number, mediator.phone
    return mask_id_number(mediator.id_number), mask_phone(mediator.phone)


def export_mediators(queryset, *, personal_data: bool, organizations=None, as_of=None) -> Workbook:
    """Sheet 调解员 (one row per mediator) and sheet 任职记录 (every appointment, in the import's format).

    `organizations` limits the appointments shown to organizations the user can see.
    """
    from mediation.models import Appointment, ExpertMembership

    as_of = as_of or timezone.localdate()
    appointments = Appointment.objects.select_related("organization__region").order_by("started_on", "pk")
    if organizations is not None:
        appointments = appointments.filter(organization__in=organizations)
    mediators = list(
        queryset.select_related("region")
        .annotate(training_count=Count("attendance", distinct=True))
        .prefetch_related(
            Prefetch("appointments", queryset=appointments, to_attr="all_appointments"),
            Prefetch("expert_memberships", queryset=ExpertMembership.objects.on(as_of), to_attr="expert_now"),
        )
        .order_by("name", "pk")[:MAX_ROWS]
    )
    names = _region_names({m.region.path for m in mediators})
    roles = dict(AppointmentRole.choices)
    workbook = Workbook(write_only=True)
    people = _sheet(workbook, "调解员", MEDIATOR_HEADERS, {2: 22, 3: 14, 7: 30, 10: 24, 12: 50})
    for m in mediators:
        id_number, phone = _person(m, personal_data)
        current = [
            a
            for a in m.all_appointments
            if a.started_on <= as_of and (a.ended_on is None or a.ended_on > as_of)
        ]
        people.append(
            [
                m.name,
                str(m.get_gender_display()),
                id_number,
                phone,
                m.birth_year,
                m.education,
                _yes_no(m.is_party_member),
                _labels(Background, m.backgrounds),
                m.qualifications,
                m.region.code,
                names.get(m.region.path, m.region.name),
                str(m.get_status_display()),
                "；".join(f"{a.organization.name}（{str(roles.get(a.role, a.role))}）" for a in current),
                _yes_no(any(a.is_full_time for a in current)),
                "；".join(_labels(MediationField, e.specialties) for e in m.expert_now),
                m.training_count,
            ]
        )
    history = _sheet(workbook, "任职记录", APPOINTMENT_HEADERS, {2: 22, 3: 14, 4: 36})
    for m in mediators:
        id_number, phone = _person(m, personal_data)
        for a in m.all_appointments:
            history.append(
                [
                    m.name,
                    str(m.get_gender_display()),
                    id_number,
                    phone,
                    a.organization.name,
                    a.organization.region.code,
                    _yes_no(a.is_full_time),
                    str(roles.get(a.role, a.role)),
                    a.started_on,
                    a.ended_on,
                ]
            )
    return workbook


# --- trainings --------------------------------------------------------------------------------------------------

TRAINING_HEADERS = [
    "培训名称",
    "培训日期",
    "培训级别",
    "举办区域代码",
    "举办区域",
    "主办单位",
    "培训学时",
    "是否集中培训",
    "参训人数",
]
ATTENDANCE_HEADERS = [
    "培训名称",
    "培训日期",
    "培训级别",
    "举办区域代码",
    "主办单位",
    "培训学时",
    "姓名",
    "身份证号",
    "手机号",
    "参训学时",
]


def export_trainings(queryset, *, personal_data: bool, mediators=None) -> Workbook:
    """Sheet 培训 (one row per training) and sheet 参训人员 (attendance, in the import's format).

    `mediators` limits the attendees listed to mediators the user can see (a street sees the district's
    training, but not who came from other streets).
    """
    from mediation.models import TrainingAttendance

    attendance = TrainingAttendance.objects.select_related("mediator").order_by("mediator__name", "pk")
    if mediators is not None:
        attendance = attendance.filter(mediator__in=mediators)
    trainings = list(
        queryset.select_related("region", "organizer")
        .annotate(attendee_count=Count("attendance", distinct=True))
        .prefetch_related(Prefetch("attendance", queryset=attendance, to_attr="shown_attendance"))
        .order_by("-held_on", "pk")[:MAX_ROWS]
    )
    names = _region_names({t.region.path for t in trainings})
    levels = dict(TrainingLevel.choices)
    workbook = Workbook(write_only=True)
    sheet = _sheet(workbook, "培训", TRAINING_HEADERS, {0: 36, 4: 20, 5: 24})
    for t in trainings:
        sheet.append(
            [
                t.title,
                t.held_on,
                str(levels.get(t.level, t.level)),
                t.region.code,
                names.get(t.region.path, t.region.name),
                t.organizer.name,
                t.hours,
                _yes_no(t.is_centralized),
                t.attendee_count,
            ]
        )
    rows = _sheet(workbook, "参训人员", ATTENDANCE_HEADERS, {0: 36, 4: 24, 7: 22, 8: 14})
    for t in trainings:
        for a in t.shown_attendance:
            id_number, phone = _person(a.mediator, personal_data)
            rows.append(
                [
                    t.title,
                    t.held_on,
                    str(levels.get(t.level, t.level)),
                    t.region.code,
                    t.organizer.name,
                    t.hours,
                    a.mediator.name,
                    id_number,
                    phone,
                    a.hours,
                ]
            )
    return workbook


# --- for views ----------------------------------------------------------------------------------------------------


def export_for(kind: str, queryset, user, *, as_of=None) -> Workbook:
    """The workbook of `kind` for `user`: personal data masked unless permitted, related rows limited to
    what the user can see. `queryset` must already be `.visible_to(user)`."""
    from mediation.models import MediationOrganization, Mediator

    personal_data = user.has_perm(PERSONAL_DATA_PERMISSION)
    if kind == "organizations":
        return export_organizations(queryset, as_of=as_of, mediators=Mediator.objects.visible_to(user))
    if kind == "mediators":
        return export_mediators(
            queryset,
            personal_data=personal_data,
            organizations=MediationOrganization.objects.visible_to(user),
            as_of=as_of,
        )
    if kind == "trainings":
        return export_trainings(
            queryset, personal_data=personal_data, mediators=Mediator.objects.visible_to(user)
        )
    raise KeyError(kind)


FILE_NAMES = {"organizations": "调解组织", "mediators": "调解员", "trainings": "培训"}


def xlsx_response(workbook: Workbook, kind: str) -> FileResponse:
    out = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    workbook.save(out)
    out.seek(0)
    filename = f"{FILE_NAMES[kind]}_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)
