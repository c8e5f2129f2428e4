"""Demo records of the task plan, loaded by `manage.py setup_demo` after the demo accounts exist.

The plan itself (32 tasks, their units and targets) is loaded from the project's data. Then 赵联络 (liaison,
区人力社保局) reports on some of the bureau's rows and 刘办公室 (office) reviews them, through the services and on
a simulated clock, weeks to months in the past:

- task 10 (劳动争议调解组织): a completion report with evidence, accepted → done;
- task 21 (心理服务+大调解, ongoing): a progress report, accepted → in progress;
- task 3 (行业性专业性调解组织): a progress report accepted, then a completion report still waiting for review;
- task 32 (调解品牌): a progress report returned with comments;
- task 30 (经费保障, yearly): a progress report waiting for review.

Last, the overdue sweep runs once (the plan's deadlines are mostly past), so the rows show overdue beside in
progress and done, as the scheduled job would leave them. Each story is keyed by (row, period, kind, author):
a second run finds it and adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from mediation.demo.common import clock, in_post_since
from tasks_plan.choices import ReportKind
from tasks_plan.services import progress
from tasks_plan.services.loader import load_plan

LIAISON, OFFICE, UNIT = "liaison", "office", "rsj"

# A one-page PDF, enough for the evidence list and a download.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class Story:
    task: int
    kind: str
    period: str
    text: str
    days_ago: int  # submitted this many days before today, at 10:00
    figures: dict = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    review: str = ""  # "accept", "return" or "" (still waiting)
    comments: str = ""


STORIES = [
    Story(
        10,
        ReportKind.COMPLETION,
        "2026年第2季度",
        "区劳动人事争议调解委员会已在区人力社保局设立调解室，配备专职调解员3名，建立案件登记、调解、回访台账。",
        figures={"调解组织": "1个", "专职调解员": "3名", "本季度调解案件": "46件"},
        evidence=("区劳动人事争议调解委员会设立文件.pdf",),
        days_ago=150,
        review="accept",
    ),
    Story(
        21,
        ReportKind.PROGRESS,
        "2026年第3季度",
        "在劳动争议调解中引入心理咨询师2名，对情绪激烈的当事人先行疏导，本季度参与调解12次。",
        figures={"心理咨询师": "2名", "参与调解": "12次"},
        days_ago=70,
        review="accept",
    ),
    Story(
        3,
        ReportKind.PROGRESS,
        "2026年第3季度",
        "劳动争议行业性调解组织已完成组建方案，正在与区总工会协调办公场地。",
        days_ago=65,
        review="accept",
    ),
    Story(
        3,
        ReportKind.COMPLETION,
        "2026年第4季度",
        "劳动争议行业性专业性人民调解委员会已挂牌运行，落实场地和专职调解员。",
        figures={"专职调解员": "2名"},
        evidence=("挂牌照片及人员名单.pdf",),
        days_ago=6,
    ),
    Story(
        32,
        ReportKind.PROGRESS,
        "2026年第3季度",
        "正在征集以优秀调解员姓名命名的调解工作室候选名单。",
        days_ago=60,
        review="return",
        comments="请补充候选工作室名单、命名标准和时间安排。",
    ),
    Story(
        30,
        ReportKind.PROGRESS,
        "2026年第4季度",
        "2026年调解员补贴经费已纳入部门预算，按季度发放。",
        figures={"补贴经费": "12万元"},
        days_ago=4,
    ),
]


def load_demo(stdout) -> None:
    load_plan()
    User = get_user_model()
    liaison, office = User.objects.get(username=LIAISON), User.objects.get(username=OFFICE)
    today = timezone.localdate()
    in_post_since([LIAISON, OFFICE], today - dt.timedelta(days=max(s.days_ago for s in STORIES) + 1))
    played = sum(_play(story, liaison, office, today) for story in STORIES)
    stdout.write(f"Plan demo: {played} progress reports played")
    _sweep_overdue(stdout)


def _play(story: Story, liaison, office, today: dt.date) -> bool:
    from tasks_plan.models import ProgressReport, Responsibility

    responsibility = Responsibility.objects.get(
        task__plan__is_current=True, task__number=story.task, unit__code=UNIT
    )
    exists = ProgressReport.objects.filter(
        responsibility=responsibility, period=story.period, kind=story.kind, submitted_by=liaison
    ).exists()
    if exists:
        return False
    submitted = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=story.days_ago), dt.time(10))
    )
    with transaction.atomic():
        with clock(submitted):
            report = progress.submit_report(
                responsibility.pk,
                liaison,
                period=story.period,
                text=story.text,
                figures=story.figures,
                kind=story.kind,
                files=[
                    SimpleUploadedFile(name, _PDF, content_type="application/pdf") for name in story.evidence
                ],
            )
        if story.review:
            with clock(submitted + dt.timedelta(days=2, hours=5)):
                progress.review_report(
                    report.pk, office, accept=story.review == "accept", comments=story.comments
                )
    return True


def _sweep_overdue(stdout) -> None:
    """Run the overdue escalation job once, as the scheduler would, when that job exists."""
    from mediation.periodic import discover

    job = discover().get("plan_overdue_escalation")
    if job is not None:
        stdout.write(f"Plan demo: overdue sweep changed {job()} rows")
