"""Guidance (指导) and supervision (督办) from above, and the handler's written answer."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dadukou.kernel.errors import WorkflowError
from disputes.choices import SupervisionLevel
from disputes.services import calendar
from disputes.services.calendar import time_limit
from disputes.services.workflow.base import begin, finish, require


@transaction.atomic
def guide(dispute_id, user, *, text):
    step = begin(dispute_id, "guide", user, None)
    require(text, "text_required", _("Write the guidance."))
    return finish(step, text)


@transaction.atomic
def supervise(dispute_id, user, *, level, notice):
    """督办: a notice the handler must answer in writing by the answer deadline."""
    from disputes.models import Supervision, TimeLimit

    step = begin(dispute_id, "supervise", user, None)
    require(notice, "text_required", _("Write the supervision notice."))
    try:
        level = int(level)
    except (TypeError, ValueError) as exc:
        raise WorkflowError("invalid_level", _("Unknown supervision level.")) from exc
    if level not in SupervisionLevel.values:
        raise WorkflowError("invalid_level", _("Unknown supervision level."))
    days, day_type = time_limit(TimeLimit.Key.SUPERVISION_ANSWER)
    supervision = Supervision.objects.create(
        dispute=step.dispute,
        assignment=step.dispute.lead_assignment,
        level=level,
        notice=notice,
        issued_by=user,
        answer_limit_days=days,
        answer_day_type=day_type,
        answer_due_at=calendar.deadline(timezone.now(), days, day_type).at,
    )
    return finish(step, notice, {"supervision": supervision.pk, "level": level})


@transaction.atomic
def answer_supervision(dispute_id, user, *, supervision_id, answer):
    step = begin(dispute_id, "answer_supervision", user, None)
    supervision = step.dispute.supervisions.filter(pk=supervision_id).first()
    if supervision is None or supervision.answered_at:
        raise WorkflowError("no_open_supervision", _("This supervision notice has been answered already."))
    supervision.answer = require(answer, "text_required", _("Write the answer."))
    supervision.answered_by, supervision.answered_at = user, timezone.now()
    supervision.save(update_fields=["answer", "answered_by", "answered_at"])
    return finish(step, answer, {"supervision": supervision.pk})
