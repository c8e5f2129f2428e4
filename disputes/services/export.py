"""The xlsx export of a dispute list (纠纷台账导出).

Written with openpyxl's write-only workbook, so memory stays flat however many rows there are. Up to
SYNC_ROWS disputes the file is written in the request; a larger export is an ExportJob that the Celery worker
writes (run_job) while the user's page shows its progress, and the user downloads the file when it is ready.
The job replays the list's query string with the requesting user's visibility and permissions, so it holds the
same rows as the list. Either way an export holds at most MAX_ROWS disputes. ID numbers and phones are written
only for users who may see personal data in full; everyone else gets party names and roles. The periodic job
`clean_up_exports` removes a written file after EXPORT_KEEP_DAYS (`clean_up`).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from disputes.choices import OPEN_ASSIGNMENT_STATUSES, OPEN_STATUSES, AssignmentRole
from mediation.models import Region

MAX_ROWS = 200_000
SYNC_ROWS = 2_000
CHUNK = 1000
PERSONAL_DATA_PERMISSION = "disputes.view_personal_data"
EXPORT_PERMISSION = "disputes.export_dispute"
# A job still "running" this long after the worker's hard time limit was killed with it.
STUCK_MARGIN_SECONDS = 5 * 60

logger = logging.getLogger("disputes.export")


def _field(name: str) -> str:
    from disputes.models import Dispute

    return capfirst(str(Dispute._meta.get_field(name).verbose_name))


def headers(personal_data: bool) -> list[str]:
    names = [
        _field("number"),
        _field("title"),
        _field("category"),
        _field("source"),
        _("Region"),
        _field("address"),
        _field("occurred_at"),
        _field("created_at"),
        _field("status"),
        _field("risk_grade"),
        _field("complexity"),
        _field("people_involved"),
        _field("amount"),
        _field("platform"),
        _field("responsible_units"),
        _("Lead handler"),
        _field("due_at"),
        _("Overdue"),
        _field("outcome"),
        _("Parties"),
    ]
    if personal_data:
        names += [_("Parties' ID numbers"), _("Parties' phones")]
    return names


def _local(value):
    # Excel has no time zones: write the local (Asia/Shanghai) wall time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _rows(disputes, personal_data: bool, now):
    for d in disputes:
        parties = list(d.parties.all())
        lead = next((a for a in d.open_assignments if a.role == AssignmentRole.LEAD), None)
        row = [
            d.number,
            d.title,
            d.category.name,
            d.get_source_display(),
            d.region_full_name,
            d.address,
            _local(d.occurred_at),
            _local(d.created_at),
            d.get_status_display(),
            d.get_risk_grade_display() if d.risk_grade else "",
            d.get_complexity_display(),
            d.people_involved,
            d.amount,
            d.platform.name if d.platform_id else "",
            "、".join(u.name for u in d.responsible_units.all()),
            str(lead.target) if lead else "",
            _local(d.due_at),
            _("Yes") if d.status in OPEN_STATUSES and d.due_at and d.due_at < now else "",
            d.get_outcome_display(),
            "；".join(f"{p.name}（{p.get_role_display()}）" for p in parties),
        ]
        if personal_data:
            row += [
                "；".join(f"{p.name}：{p.id_number}" for p in parties if p.id_number),
                "；".join(f"{p.name}：{p.phone}" for p in parties if p.phone),
            ]
        yield row


def write_disputes(queryset, out, *, personal_data: bool, progress=None) -> int:
    """Write `queryset` (already filtered, visible and ordered) as an xlsx workbook to `out`; return the rows.

    `progress(rows_written)` is called after every CHUNK rows."""
    from disputes.models import Assignment

    now = timezone.now()
    names = Region.objects.full_names(queryset.order_by().values_list("region_path", flat=True).distinct())
    disputes = queryset.select_related("category", "platform").prefetch_related(
        "parties",
        "responsible_units",
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES).select_related(
                "to_unit", "to_organization"
            ),
            to_attr="open_assignments",
        ),
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Disputes"))
    sheet.freeze_panes = "A2"
    sheet.append(headers(personal_data))
    count = 0

    def with_names(rows):
        nonlocal count
        for d in rows:
            d.region_full_name = names.get(d.region_path, "")
            count += 1
            if progress is not None and count % CHUNK == 0:
                progress(count)
            yield d

    for row in _rows(with_names(disputes.iterator(chunk_size=CHUNK)), personal_data, now):
        sheet.append(row)
    workbook.save(out)
    return count


def log_personal_data(user, query: str) -> None:
    # Exports can cover thousands of disputes, so this goes to the log rather than each timeline.
    logger.warning(
        "Dispute export with personal data by %s (id %s), filters: %s",
        user.get_username(),
        user.pk,
        query or "(none)",
    )


def list_queryset(user, query: str):
    """The dispute list of `user` for a list query string (filters and sort), ordered as the list shows it —
    only the rows a membership carrying the export right covers."""
    from disputes.filters import dispute_filter
    from disputes.models import Dispute
    from disputes.services import listing

    params = QueryDict(query)
    filterset = dispute_filter(SimpleNamespace(user=user, GET=params))
    exportable = Dispute.objects.visible_to(user, EXPORT_PERMISSION).values("pk")
    return listing.ordered(filterset.qs.filter(pk__in=exportable), listing.clean_sort(params.get("sort")))


def with_personal_data(user, queryset) -> bool:
    """Personal data in full only when a membership allowing it covers every exported row."""
    from disputes.models import Dispute

    if not (user.is_active and user.has_perm(PERSONAL_DATA_PERMISSION)):
        return False
    allowed = Dispute.objects.visible_to(user, PERSONAL_DATA_PERMISSION).values("pk")
    return not queryset.exclude(pk__in=allowed).exists()


def queue_job(job_id: int) -> bool:
    """Hand the export to the Celery worker; with the broker down, write it here and now. True when queued."""
    from kombu.exceptions import OperationalError

    from disputes.tasks import run_dispute_export

    try:
        run_dispute_export.delay(job_id)
    except (OperationalError, ConnectionError) as exc:
        logger.warning("broker unavailable (%s); writing dispute export %s in the request", exc, job_id)
        run_job(job_id)
        return False
    return True


def run_job(job_id: int) -> bool:
    """Write one queued export (from the Celery task or in the request); False when it was not pending."""
    from disputes.models import ExportJob, ExportStatus

    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.PENDING).update(
        status=ExportStatus.RUNNING
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    jobs = ExportJob.objects.filter(pk=job_id)
    try:
        queryset = list_queryset(user, job.query)
        total = queryset[: MAX_ROWS + 1].count()
        if total > MAX_ROWS:
            jobs.update(
                status=ExportStatus.FAILED,
                total=total,
                error=_("An export holds at most %(max)s disputes. Narrow the filters and export again.")
                % {"max": f"{MAX_ROWS:,}"},
                finished_at=timezone.now(),
            )
            return True
        jobs.update(total=total)
        personal_data = with_personal_data(user, queryset)
        if personal_data:
            log_personal_data(user, job.query)
        with tempfile.TemporaryFile() as out:
            written = write_disputes(
                queryset, out, personal_data=personal_data, progress=lambda n: jobs.update(done=n)
            )
            out.seek(0)
            # A random name: the file holds what only this user may see (it is never under a public URL).
            job.file.save(f"{secrets.token_hex(16)}.xlsx", File(out), save=False)
    except Exception:
        logger.exception("dispute export %s failed", job_id)
        jobs.update(
            status=ExportStatus.FAILED,
            error=_("The export stopped on an unexpected error."),
            finished_at=timezone.now(),
        )
        return True
    jobs.update(
        status=ExportStatus.DONE, file=job.file.name, total=written, done=written, finished_at=timezone.now()
    )
    return True


def clean_up(now) -> int:
    """The periodic job's work: remove the files of exports older than EXPORT_KEEP_DAYS (they hold what only
    their requester may see, personal data included; the job's row stays, as the record of who exported what
    and when) and fail the exports a worker stopped writing (killed past its time limit: still "running" after
    CELERY_TASK_TIME_LIMIT, which nothing would ever finish). Returns how many jobs it changed; idempotent."""
    from disputes.models import ExportJob, ExportStatus

    changed = ExportJob.objects.filter(
        status=ExportStatus.RUNNING,
        created_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + STUCK_MARGIN_SECONDS),
    ).update(
        status=ExportStatus.FAILED,
        error=_("The export was interrupted before it was written. Export again."),
        finished_at=now,
    )
    old = ExportJob.objects.filter(
        status=ExportStatus.DONE, finished_at__lt=now - timedelta(days=settings.EXPORT_KEEP_DAYS)
    )
    for job in old.order_by("pk").iterator(chunk_size=200):
        with transaction.atomic():
            # The row first, under its lock: a file is removed only for a job marked expired.
            locked = ExportJob.objects.select_for_update().filter(pk=job.pk, status=ExportStatus.DONE).first()
            if locked is None:
                continue
            name, storage = locked.file.name, locked.file.storage
            locked.status, locked.file = ExportStatus.EXPIRED, ""
            locked.save(update_fields=["status", "file"])
            if name:
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        changed += 1
    return changed
