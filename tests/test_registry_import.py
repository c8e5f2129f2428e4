"""Excel in and out of the registry: templates, all-or-nothing imports, idempotence, the background job, exports.

olga works in the grand-mediation office (the whole district); carol supervises 新山村街道 only; alice is a
dispatcher of community A. They get the registry permissions they need directly, so these tests do not
depend on how the role groups are set up.
"""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from kombu.exceptions import OperationalError
from openpyxl import Workbook, load_workbook

from mediation.choices import AppointmentRole, Gender, OrganizationKind, Role, TrainingLevel
from mediation.demo.common import id_number
from mediation.models import (
    Appointment,
    ImportJob,
    ImportKind,
    ImportStatus,
    MediationOrganization,
    Mediator,
    Training,
    TrainingAttendance,
    Unit,
)
from mediation.services import registry_export, registry_import
from mediation.services.memberships import grant

D = dt.date
REGISTRY_PERMISSIONS = [
    "add_mediationorganization",
    "view_mediationorganization",
    "add_mediator",
    "view_mediator",
    "add_trainingattendance",
    "view_training",
]
ID_WANG = id_number(D(1970, 5, 1), 11)  # a man
ID_LI = id_number(D(1982, 8, 9), 24)  # a woman


def give(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="mediation", codename__in=codenames)
    )
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def olga(make_user, reference):
    user = make_user("olga")
    grant(user, Role.OFFICE_ADMIN, unit=Unit.objects.get(code="office"))
    return give(user, *REGISTRY_PERMISSIONS)


@pytest.fixture
def street_carol(carol, street):
    """carol also works in her street's grand-mediation office: registry rights inside 新山村街道 only."""
    grant(carol, Role.OFFICE_ADMIN, unit=Unit.objects.get(code=f"gov-{street.code}"))
    return carol


def xlsx(headers, rows, title="Sheet") -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


ORG_HEADERS = [
    "组织名称",
    "组织类型",
    "所属区域代码",
    "主管单位",
    "所在调解中心",
    "覆盖领域",
    "成立日期",
    "是否建立党组织",
    "是否具备线上调解",
    "联系人",
    "联系电话",
    "地址",
]


def org_file(*extra_rows):
    rows = [
        [
            "新山村街道人民调解委员会",
            "街道/镇人民调解委员会",
            "500104001",
            "新山村街道办事处",
            "",
            "",
            "2015-03-01",
            "是",
            "否",
            "周主任",
            "023-68812345",
            "新山村街道办事处",
        ],
        [
            "甲社区人民调解委员会",
            "社区/村人民调解委员会",
            "500104001001",
            "",
            "",
            "",
            D(2016, 4, 1),
            "否",
            "是",
            "",
            "",
            "",
        ],
        [
            "医疗纠纷调解室",
            "行业性专业性调解室（区中心）",
            "500104",
            "区卫生健康委",
            "大渡口区重大矛盾纠纷人民调解委员会（调解中心）",
            "医患纠纷、道路交通",
            "2021-06-18",
            "否",
            "是",
            "",
            "",
            "",
        ],
        [
            "大渡口区重大矛盾纠纷人民调解委员会（调解中心）",
            "区重大矛盾纠纷人民调解委员会(调解中心)",
            "500104",
            "区司法局",
            "",
            "",
            "2021年6月18日",
            "是",
            "是",
            "",
            "13812345678",
            "",
        ],
        *extra_rows,
    ]
    return xlsx(ORG_HEADERS, rows)


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
    "所在组织",
    "是否专职",
    "职务",
    "任职日期",
]


def mediator_file(*extra_rows):
    rows = [
        [
            "王建国",
            "",
            ID_WANG,
            "13812345678",
            "",
            "本科",
            "是",
            "党代表、“五老”人员",
            "",
            "500104001",
            "新山村街道人民调解委员会",
            "是",
            "主任",
            "2020-01-01",
        ],
        [
            "王建国",
            "男",
            ID_WANG,
            "",
            "1970",
            "",
            "",
            "",
            "",
            "",
            "甲社区人民调解委员会",
            "否",
            "委员",
            "2021-05-01",
        ],
        [
            "李秀英",
            "女",
            "",
            "13987654321",
            "",
            "大专",
            "否",
            "志愿者",
            "",
            "",
            "甲社区人民调解委员会",
            "是",
            "调解员",
            "2022-03-01",
        ],
        *extra_rows,
    ]
    return xlsx(MEDIATOR_HEADERS, rows)


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


def attendance_file(*extra_rows):
    rows = [
        [
            "2026年全区人民调解员集中培训",
            "2026-06-12",
            "区级",
            "",
            "区司法局",
            "6",
            "王建国",
            ID_WANG,
            "",
            "6",
        ],
        [
            "2026年全区人民调解员集中培训",
            "2026-06-12",
            "区级",
            "",
            "区司法局",
            "6",
            "李秀英",
            "",
            "13987654321",
            "",
        ],
        ["新山村街道第一期培训", "2026-03-10", "街道/镇", "500104001", "", "3", "王建国", ID_WANG, "", ""],
        *extra_rows,
    ]
    return xlsx(ATTENDANCE_HEADERS, rows)


@pytest.fixture
def organizations(olga, community_a):
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, org_file(), user=olga)
    assert report.ok, [str(e) for e in report.errors]
    return report


@pytest.fixture
def mediators(organizations, olga):
    report = registry_import.import_file(ImportKind.MEDIATORS, mediator_file(), user=olga)
    assert report.ok, [str(e) for e in report.errors]
    return report


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


# --- templates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ImportKind.values)
def test_template_has_chinese_headers_and_instructions(kind, reference):
    workbook = registry_import.template_workbook(kind)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    loaded = load_workbook(out)
    assert loaded.sheetnames == [registry_import.SHEET_TITLES[kind], "填写说明"]
    headers = [c.value for c in loaded.worksheets[0][1]]
    assert headers == [c.header for c in registry_import.COLUMNS[kind]]
    notes = "\n".join(str(c.value) for row in loaded["填写说明"].iter_rows() for c in row if c.value)
    for column in registry_import.COLUMNS[kind]:
        assert column.header in notes


def test_instructions_list_the_allowed_labels(reference):
    notes = registry_import.template_workbook(ImportKind.ORGANIZATIONS)["填写说明"]
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "行业性专业性人民调解委员会" in text
    assert "医患纠纷" in text


def test_template_download_needs_the_permission(client, olga, alice):
    client.force_login(olga)
    response = client.get(reverse("mediation:registry_import_template", args=["mediators"]))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["调解员", "填写说明"]
    client.force_login(alice)
    assert client.get(reverse("mediation:registry_import_template", args=["mediators"])).status_code == 403


# --- good files -----------------------------------------------------------------------------------------------


def test_organizations_are_imported(organizations, street, community_a, district):
    assert organizations.summary() == {"organizations": {"created": 4}}
    committee = MediationOrganization.objects.get(name="新山村街道人民调解委员会")
    assert committee.kind == OrganizationKind.STREET_COMMITTEE
    assert committee.region == street
    assert committee.host_unit.code == "gov-500104001"
    assert committee.established_on == D(2015, 3, 1)
    assert committee.has_party_organization and not committee.online_capable
    assert committee.phone == "02368812345"
    room = MediationOrganization.objects.get(name="医疗纠纷调解室")
    assert room.fields == ["medical", "traffic"]
    # The centre comes further down the same file than the room it hosts.
    assert room.hosted_in.kind == OrganizationKind.MAJOR_DISPUTE_CENTRE
    assert room.hosted_in.established_on == D(2021, 6, 18)


def test_mediators_and_appointments_are_imported(mediators, street):
    assert mediators.summary() == {"mediators": {"created": 2}, "appointments": {"created": 3}}
    wang = Mediator.objects.get(id_number=ID_WANG)
    # Gender and year of birth come from the ID number when left empty.
    assert (wang.gender, wang.birth_year, wang.phone) == (Gender.MALE, 1970, "13812345678")
    assert wang.backgrounds == ["party_delegate", "five_elders"]
    assert wang.region == street
    posts = {(a.organization.name, a.role, a.is_full_time) for a in wang.appointments.all()}
    assert posts == {
        ("新山村街道人民调解委员会", AppointmentRole.DIRECTOR, True),
        ("甲社区人民调解委员会", AppointmentRole.MEMBER, False),
    }
    li = Mediator.objects.get(phone="13987654321")
    # No region given: she works where her organization is.
    assert li.region.code == "500104001001"
    assert li.id_number == ""


def test_attendance_is_imported(mediators, olga):
    report = registry_import.import_file(ImportKind.ATTENDANCE, attendance_file(), user=olga)
    assert report.ok, messages(report)
    assert report.summary() == {"trainings": {"created": 2}, "attendance": {"created": 3}}
    district_training = Training.objects.get(title="2026年全区人民调解员集中培训")
    assert district_training.level == TrainingLevel.DISTRICT
    assert district_training.region.code == "500104"
    assert district_training.organizer.code == "sfj"
    assert district_training.hours == 6
    street_training = Training.objects.get(title="新山村街道第一期培训")
    # The street government organizes a street training when no organizer is given.
    assert street_training.organizer.code == "gov-500104001"
    assert TrainingAttendance.objects.get(training=district_training, mediator__id_number=ID_WANG).hours == 6


# --- idempotence and updates -------------------------------------------------------------------------------------


def test_importing_the_same_files_twice_changes_nothing(mediators, olga):
    registry_import.import_file(ImportKind.ATTENDANCE, attendance_file(), user=olga)
    counts = (
        MediationOrganization.objects.count(),
        Mediator.objects.count(),
        Appointment.objects.count(),
        Training.objects.count(),
        TrainingAttendance.objects.count(),
    )
    again = [
        registry_import.import_file(ImportKind.ORGANIZATIONS, org_file(), user=olga),
        registry_import.import_file(ImportKind.MEDIATORS, mediator_file(), user=olga),
        registry_import.import_file(ImportKind.ATTENDANCE, attendance_file(), user=olga),
    ]
    assert all(r.ok for r in again)
    assert again[0].summary() == {"organizations": {"unchanged": 4}}
    assert again[1].summary() == {"mediators": {"unchanged": 2}, "appointments": {"unchanged": 3}}
    assert again[2].summary() == {"trainings": {"unchanged": 2}, "attendance": {"unchanged": 3}}
    assert counts == (
        MediationOrganization.objects.count(),
        Mediator.objects.count(),
        Appointment.objects.count(),
        Training.objects.count(),
        TrainingAttendance.objects.count(),
    )


def test_rows_matching_existing_records_update_them(mediators, olga):
    headers = ["姓名", "性别", "身份证号", "手机号", "学历", "所在组织", "是否专职", "任职日期", "离任日期"]
    rows = [
        [
            "王建国",
            "男",
            ID_WANG,
            "13800001111",
            "硕士研究生",
            "甲社区人民调解委员会",
            "是",
            "2021-05-01",
            "2026-01-01",
        ],
        # Found by name + phone (no ID number): gets her ID number now.
        ["李秀英", "女", ID_LI, "13987654321", "", "", "", "", ""],
    ]
    report = registry_import.import_file(ImportKind.MEDIATORS, xlsx(headers, rows), user=olga)
    assert report.ok, messages(report)
    assert report.summary() == {"mediators": {"updated": 2}, "appointments": {"updated": 1}}
    wang = Mediator.objects.get(id_number=ID_WANG)
    assert (wang.phone, wang.education, wang.backgrounds) == (
        "13800001111",
        "硕士研究生",
        ["party_delegate", "five_elders"],
    )
    post = wang.appointments.get(organization__name="甲社区人民调解委员会")
    assert post.is_full_time and post.ended_on == D(2026, 1, 1)
    assert Mediator.objects.get(phone="13987654321").id_number == ID_LI
    assert Mediator.objects.count() == 2


# --- bad files ----------------------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written(organizations, olga):
    before = (Mediator.objects.count(), Appointment.objects.count())
    bad = mediator_file(
        ["赵刚", "男", "500104197001011234", "", "", "", "", "", "", "500104001", "", "", "", ""],
        ["钱芳", "女", "", "12345", "", "", "", "", "", "500104001", "", "", "", ""],
        ["孙丽", "女", "", "13611112222", "", "", "也许", "", "", "500104001", "", "", "", ""],
        ["周明", "男", "", "13611113333", "", "", "", "律师", "", "999999", "", "", "", ""],
        ["吴军", "男", "", "13611114444", "", "", "", "", "", "", "不存在的调委会", "是", "", "2024-01-01"],
        [
            "郑华",
            "男",
            "",
            "13611115555",
            "",
            "",
            "",
            "",
            "",
            "",
            "甲社区人民调解委员会",
            "是",
            "组长",
            "2024/13/01",
        ],
        ["", "男", "", "13611116666", "", "", "", "", "", "500104001", "", "", "", ""],
        ["冯强", "", "", "", "", "", "", "", "", "500104001", "", "", "", ""],
    )
    report = registry_import.import_file(ImportKind.MEDIATORS, bad, user=olga)
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert found >= {
        (5, "身份证号"),
        (6, "手机号"),
        (7, "是否党员"),
        (8, "所属区域代码"),
        (9, "所在组织"),
        (10, "职务"),
        (10, "任职日期"),
        (11, "姓名"),
        (12, "身份证号"),
    }
    text = messages(report)
    assert any("5" in t and "身份证号" in t for t in text)
    assert (Mediator.objects.count(), Appointment.objects.count()) == before


def test_an_error_found_while_writing_rolls_everything_back(mediators, olga):
    # The second appointment of 王建国 in the same committee overlaps the one stored (open since 2020).
    headers = ["姓名", "性别", "身份证号", "手机号", "所在组织", "是否专职", "任职日期"]
    rows = [
        ["新人", "女", ID_LI, "", "甲社区人民调解委员会", "是", "2024-01-01"],
        ["王建国", "男", ID_WANG, "", "新山村街道人民调解委员会", "是", "2024-01-01"],
    ]
    report = registry_import.import_file(ImportKind.MEDIATORS, xlsx(headers, rows), user=olga)
    assert [(e.row, e.column) for e in report.errors] == [(3, "所在组织")]
    assert "2020-01-01" in report.errors[0].message
    assert not Mediator.objects.filter(id_number=ID_LI).exists()
    assert report.summary() == {}


def test_duplicate_rows_in_the_file_are_refused(olga, community_a):
    duplicate = org_file(
        ["甲社区人民调解委员会", "社区/村人民调解委员会", "500104001001", "", "", "", "", "", "", "", "", ""]
    )
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, duplicate, user=olga)
    assert [(e.row, e.column) for e in report.errors] == [(6, "组织名称")]
    assert "3" in report.errors[0].message
    assert not MediationOrganization.objects.exists()


def test_duplicate_mediator_rows_are_refused(organizations, olga):
    rows = mediator_file(
        [
            "王建国",
            "男",
            ID_WANG,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "甲社区人民调解委员会",
            "否",
            "委员",
            "2021-05-01",
        ],
        ["王建国", "男", ID_WANG, "13899990000", "", "", "", "", "", "", "", "", "", ""],
    )
    report = registry_import.import_file(ImportKind.MEDIATORS, rows, user=olga)
    assert {(e.row, e.column) for e in report.errors} == {(5, "所在组织"), (6, "手机号")}
    assert not Mediator.objects.exists()


def test_duplicate_attendance_rows_are_refused(mediators, olga):
    rows = attendance_file(
        [
            "2026年全区人民调解员集中培训",
            "2026-06-12",
            "区",
            "500104",
            "区司法局",
            "6",
            "王建国",
            ID_WANG,
            "",
            "",
        ]
    )
    report = registry_import.import_file(ImportKind.ATTENDANCE, rows, user=olga)
    assert [(e.row, e.column) for e in report.errors] == [(5, "姓名")]
    assert not Training.objects.exists()


def test_attendance_of_an_unknown_mediator_is_refused(mediators, olga):
    rows = attendance_file(
        [
            "2026年全区人民调解员集中培训",
            "2026-06-12",
            "区级",
            "",
            "",
            "",
            "陌生人",
            id_number(D(1990, 1, 1), 7),
            "",
            "",
        ]
    )
    report = registry_import.import_file(ImportKind.ATTENDANCE, rows, user=olga)
    assert [(e.row, e.column) for e in report.errors] == [(5, "身份证号")]
    assert "陌生人" in report.errors[0].message


def test_wrong_headers_are_refused_listing_the_missing_columns(olga, community_a):
    wrong = xlsx(
        ["名称", "类型", "所属区域代码"], [["甲社区人民调解委员会", "社区/村人民调解委员会", "500104001001"]]
    )
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, wrong, user=olga)
    assert len(report.errors) == 1
    assert report.errors[0].row is None
    assert "组织名称" in report.errors[0].message and "组织类型" in report.errors[0].message
    assert "所属区域代码" not in report.errors[0].message
    assert not MediationOrganization.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(olga):
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, io.BytesIO(b"name,kind\n"), user=olga)
    assert not report.ok and report.errors[0].row is None


def test_rows_outside_the_users_area_are_refused(street_carol, community_a):
    rows = org_file(
        ["跃进村街道人民调解委员会", "街道/镇人民调解委员会", "500104002", "", "", "", "", "", "", "", "", ""]
    )
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, rows, user=street_carol)
    # The district's rooms and the other street are outside 新山村街道.
    assert {e.row for e in report.errors} == {4, 5, 6}
    assert {e.column for e in report.errors} == {"所属区域代码"}
    assert not MediationOrganization.objects.exists()


def test_a_user_without_the_permission_imports_nothing(alice, community_a):
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, org_file(), user=alice)
    assert not report.ok
    assert not MediationOrganization.objects.exists()


# --- the background job -----------------------------------------------------------------------------------------


def upload(client, kind, fileobj, name="表.xlsx"):
    return client.post(
        reverse("mediation:registry_import"),
        {"kind": kind, "file": SimpleUploadedFile(name, fileobj.getvalue())},
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def eager():
    from dadukou.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def test_upload_runs_the_celery_task(client, olga, community_a, media, eager):
    client.force_login(olga)
    response = upload(client, "organizations", org_file())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("mediation:registry_import_job", args=[job.pk])
    assert (job.status, job.total, job.done, job.created_by) == (ImportStatus.DONE, 4, 4, olga)
    assert job.summary == {"organizations": {"created": 4}}
    assert MediationOrganization.objects.count() == 4
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "hx-trigger" not in page.content.decode()


def test_a_refused_upload_lists_its_errors_on_the_job_page(client, olga, community_a, media, eager):
    client.force_login(olga)
    bad = org_file(["坏行", "不知道", "500104001", "", "", "", "", "", "", "", "", ""])
    response = upload(client, "organizations", bad)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [{"row": 6, "column": "组织类型", "message": mock.ANY}]
    page = client.get(response["Location"]).content.decode()
    assert "组织类型" in page and "不知道" in page
    assert not MediationOrganization.objects.exists()


def test_with_the_broker_down_the_import_runs_in_the_request(client, olga, community_a, media):
    client.force_login(olga)
    with mock.patch(
        "mediation.tasks.run_registry_import.delay", side_effect=OperationalError("connection refused")
    ) as delay:
        upload(client, "organizations", org_file())
    delay.assert_called_once()
    assert ImportJob.objects.get().status == ImportStatus.DONE
    assert MediationOrganization.objects.count() == 4


def test_a_queued_job_shows_a_polling_progress_bar_and_can_be_run_now(client, olga, community_a, media):
    client.force_login(olga)
    with mock.patch("mediation.tasks.run_registry_import.delay") as delay:
        response = upload(client, "organizations", org_file())
    job = ImportJob.objects.get()
    delay.assert_called_once_with(job.pk)
    assert job.status == ImportStatus.PENDING
    partial = client.get(response["Location"], headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'role="progressbar"' in html
    assert "<html" not in html
    client.post(reverse("mediation:registry_import_job_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    # The worker arriving late finds nothing to do.
    assert registry_import.run_job(job.pk) is False
    assert MediationOrganization.objects.count() == 4


def test_someone_elses_job_is_not_found(client, olga, carol, community_a, media):
    job = ImportJob.objects.create(
        kind="organizations", file=SimpleUploadedFile("a.xlsx", b"x"), created_by=olga
    )
    client.force_login(carol)
    assert client.get(reverse("mediation:registry_import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("mediation:registry_import_job_run", args=[job.pk])).status_code == 404


def test_the_import_page_needs_an_import_permission(client, olga, alice):
    client.force_login(olga)
    assert client.get(reverse("mediation:registry_import")).status_code == 200
    client.force_login(alice)
    assert client.get(reverse("mediation:registry_import")).status_code == 403


def test_only_xlsx_files_are_accepted(client, olga, media):
    client.force_login(olga)
    response = upload(client, "organizations", io.BytesIO(b"a,b"), name="表.csv")
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_the_command_imports_a_file(tmp_path, community_a, reference):
    from django.core.management import call_command

    path = tmp_path / "orgs.xlsx"
    path.write_bytes(org_file().getvalue())
    out = io.StringIO()
    call_command("import_registry", "organizations", str(path), stdout=out)
    assert "organizations: 4 created" in out.getvalue()


# --- exports ------------------------------------------------------------------------------------------------------


def read(response) -> dict[str, list[list]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(body))
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in workbook.worksheets}


def test_export_of_organizations(client, mediators, olga):
    client.force_login(olga)
    sheets = read(client.get(reverse("mediation:registry_export", args=["organizations"])))
    rows = sheets["调解组织"]
    assert rows[0][:3] == ["组织名称", "组织类型", "所属区域代码"]
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    committee = by_name["新山村街道人民调解委员会"]
    assert committee["组织类型"] == "街道/镇人民调解委员会"
    assert committee["主管单位"] == "新山村街道办事处"
    assert (committee["在任调解员"], committee["专职调解员"], committee["专职配备要求"]) == (1, 1, 2)
    assert by_name["医疗纠纷调解室"]["覆盖领域"] == "医患纠纷、道路交通"


def test_exported_organizations_import_back_unchanged(mediators, olga):
    workbook = registry_export.export_organizations(MediationOrganization.objects.all())
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    report = registry_import.import_file(ImportKind.ORGANIZATIONS, out, user=olga)
    assert report.ok, messages(report)
    assert report.summary() == {"organizations": {"unchanged": 4}}


def test_export_of_mediators_masks_personal_data(client, mediators, olga):
    client.force_login(olga)
    sheets = read(client.get(reverse("mediation:registry_export", args=["mediators"])))
    header, *rows = sheets["调解员"]
    wang = dict(zip(header, next(r for r in rows if r[0] == "王建国"), strict=True))
    assert wang["身份证号"] == ID_WANG[:4] + "*" * 10 + ID_WANG[-4:]
    assert wang["手机号"] == "138****5678"
    assert wang["身份背景"] == "党代表、“五老”人员"
    assert wang["是否专职"] == "是"
    assert len(sheets["任职记录"]) == 1 + 3


def test_export_of_mediators_in_full_with_the_permission(client, mediators, olga):
    grant(olga, Role.AUDITOR, unit=Unit.objects.get(code="office"))  # a right that comes with a role
    client.force_login(olga)
    sheets = read(client.get(reverse("mediation:registry_export", args=["mediators"])))
    header, *rows = sheets["调解员"]
    assert ID_WANG in [r[header.index("身份证号")] for r in rows]


def test_export_of_trainings_with_attendance(client, mediators, olga):
    registry_import.import_file(ImportKind.ATTENDANCE, attendance_file(), user=olga)
    client.force_login(olga)
    sheets = read(client.get(reverse("mediation:registry_export", args=["trainings"])))
    trainings = {r[0]: r for r in sheets["培训"][1:]}
    assert trainings["2026年全区人民调解员集中培训"][-1] == 2
    attendance = sheets["参训人员"]
    assert attendance[0] == ATTENDANCE_HEADERS
    assert len(attendance) == 1 + 3
    assert all("*" in (r[7] or "*") for r in attendance[1:])


def test_a_community_user_exports_only_what_they_see(client, mediators, alice, olga):
    give(alice, "view_mediationorganization", "view_mediator", "view_training")
    client.force_login(alice)
    orgs = read(client.get(reverse("mediation:registry_export", args=["organizations"])))["调解组织"]
    assert [r[0] for r in orgs[1:]] == ["甲社区人民调解委员会"]
    people = read(client.get(reverse("mediation:registry_export", args=["mediators"])))
    assert sorted(r[0] for r in people["调解员"][1:]) == ["李秀英", "王建国"]
    # 王建国's post in the street committee is outside community A.
    assert {r[4] for r in people["任职记录"][1:]} == {"甲社区人民调解委员会"}


def test_export_needs_the_view_permission(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse("mediation:registry_export", args=["mediators"])).status_code == 403
    assert client.get(reverse("mediation:registry_export", args=["nothing"])).status_code == 404


def test_the_export_follows_the_list_filters(client, mediators, olga):
    client.force_login(olga)
    url = reverse("mediation:registry_export", args=["organizations"])
    orgs = read(client.get(url, {"kind": OrganizationKind.STREET_COMMITTEE}))["调解组织"]
    assert [r[0] for r in orgs[1:]] == ["新山村街道人民调解委员会"]
    people = read(client.get(reverse("mediation:registry_export", args=["mediators"]), {"q": "李"}))["调解员"]
    assert [r[0] for r in people[1:]] == ["李秀英"]
