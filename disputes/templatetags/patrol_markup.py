"""The rows of the patrol tables and the status badge of a patrol duty, rendered in Python: a district's list has
a hundred rows, and the template loop (an include per row, a date filter per cell) cost twice the list's SQL.
The same markup as a template (dadukou.kernel.html)."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from dadukou.kernel.html import e, labels, pk_url
from disputes.models import Cadence, PatrolDuty

register = template.Library()

Status = PatrolDuty.Status
_BADGE_CLASSES = {
    Status.ON_TIME: "text-bg-success",
    Status.LATE: "text-bg-warning",
    Status.MISSING: "text-bg-danger",
}


def _texts(context) -> dict:
    """What every row needs, worked out once per render."""
    cache = context.render_context.get("patrol_markup")
    if cache is None:
        cache = {
            "url": pk_url("disputes:patrol"),
            "cadences": labels(Cadence.choices),
            "statuses": labels(Status.choices),
            "sensitive": f' <span class="badge text-bg-warning">{e(gettext("Sensitive period"))}</span>',
            "overdue": f'<span class="badge text-bg-danger">{e(gettext("Overdue"))}</span>',
            "now": timezone.now(),
        }
        context.render_context["patrol_markup"] = cache
    return cache


def _badge(duty, texts) -> str:
    """Reported on time / late / missing, or still due — shown as overdue once past its due time."""
    css = _BADGE_CLASSES.get(duty.status)
    if css is None and duty.due_at < texts["now"]:
        return texts["overdue"]
    label = e(texts["statuses"].get(duty.status, duty.status))
    return f'<span class="badge {css or "text-bg-primary"}">{label}</span>'


@register.simple_tag(takes_context=True)
def patrol_status_badge(context, duty) -> str:
    return mark_safe(_badge(duty, _texts(context)))


@register.simple_tag(takes_context=True)
def patrol_rows(context, duties, empty_text=None) -> str:
    """The <tr> of each duty (each needs `region_full_name`, see disputes.views.patrols)."""
    texts = _texts(context)
    url, cadences = texts["url"], texts["cadences"]
    parts = []
    for duty in duties:
        period = duty.period_start.strftime("%Y-%m-%d")
        if duty.period_end != duty.period_start:
            period += f" – {duty.period_end:%Y-%m-%d}"
        cadence = e(cadences.get(duty.cadence, duty.cadence)) + (texts["sensitive"] if duty.sensitive else "")
        parts.append(
            f'<tr><td><a href="{url(duty.pk)}">{e(duty.region_full_name)}</a></td>'
            f'<td class="text-nowrap">{cadence}</td><td class="text-nowrap">{period}</td>'
            f'<td class="text-nowrap">{timezone.localtime(duty.due_at):%Y-%m-%d %H:%M}</td>'
            f'<td class="text-nowrap">{_badge(duty, texts)}</td></tr>'
        )
    if not parts:
        text = empty_text or gettext("No patrol is due in your regions.")
        parts.append(f'<tr><td colspan="5" class="text-muted">{e(text)}</td></tr>')
    return mark_safe("".join(parts))
