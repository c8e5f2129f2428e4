"""The long loops of the dispute pages, rendered in Python: the rows of the dispute tables (list, queue) and the
entries of a timeline (dispute page, case file), and the risk badge they share with the dispute page. The same
markup as a template, a fraction of its time (dadukou.kernel.html)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from dadukou.kernel.html import e, labels, pk_url
from disputes.choices import OPEN_STATUSES, RiskGrade, Status

register = template.Library()
_OPEN = frozenset(OPEN_STATUSES)

# The badge of each grade (the only definition: the dispute page uses {% risk_badge %} too).
_BADGES = {
    RiskGrade.RED: '<span class="badge text-bg-danger">{}</span>',
    RiskGrade.ORANGE: '<span class="badge text-dark" style="background-color: var(--bs-orange)">{}</span>',
    RiskGrade.YELLOW: '<span class="badge text-bg-warning">{}</span>',
    RiskGrade.BLUE: '<span class="badge text-bg-primary">{}</span>',
}


def _texts(context) -> dict:
    """What every row needs, worked out once per render."""
    cache = context.render_context.get("dispute_markup")
    if cache is None:
        grades = labels(RiskGrade.choices)
        cache = {
            "url": pk_url("disputes:detail"),
            "statuses": labels(Status.choices),
            "badges": {int(g): html.format(e(grades[str(int(g))])) for g, html in _BADGES.items()},
            "ungraded": _ungraded(),
            "overdue": f' <span class="badge text-bg-danger">{e(gettext("Overdue"))}</span>',
            "now": timezone.now(),
        }
        context.render_context["dispute_markup"] = cache
    return cache


def _ungraded() -> str:
    return f'<span class="text-muted">{e(gettext("Not graded"))}</span>'


@register.simple_tag
def risk_badge(grade) -> str:
    """A risk grade as its coloured badge ("not graded" without one)."""
    html = _BADGES.get(grade)
    return mark_safe(html.format(e(RiskGrade(grade).label)) if html else _ungraded())


@register.simple_tag(takes_context=True)
def dispute_rows(context, disputes, empty_text=None) -> str:
    """The <tr> of each dispute (each needs `region_full_name`, see disputes.services.listing)."""
    texts = _texts(context)
    url, statuses, badges, now = texts["url"], texts["statuses"], texts["badges"], texts["now"]
    parts = []
    for d in disputes:
        if d.due_at:
            due = timezone.localtime(d.due_at).strftime("%Y-%m-%d")
            if d.status in _OPEN and d.due_at < now:
                due += texts["overdue"]
        else:
            due = "—"
        platform = (d.platform.name if d.platform_id else "") or "—"
        parts.append(
            f'<tr><td class="text-nowrap"><a href="{url(d.pk)}">{e(d.number)}</a></td>'
            f"<td>{e(d.title)}</td><td>{e(d.category.name)}</td><td>{e(d.region_full_name)}</td>"
            f'<td class="text-nowrap">{e(statuses.get(d.status, d.status))}</td>'
            f'<td class="text-nowrap">{badges.get(d.risk_grade, texts["ungraded"])}</td>'
            f'<td>{e(platform)}</td><td class="text-nowrap">{due}</td></tr>'
        )
    if not parts:
        text = empty_text or gettext("No dispute matches.")
        parts.append(f'<tr><td colspan="8" class="text-muted">{e(text)}</td></tr>')
    return mark_safe("".join(parts))


@register.simple_tag
def timeline_items(rows) -> str:
    """The <li> of each timeline row (disputes.views.detail.timeline_rows): when, who, what, the note."""
    system = e(gettext("the system"))
    parts = []
    for row in rows:
        event = row["event"]
        at = timezone.localtime(event.at)
        actor = event.actor
        who = e(actor.get_full_name() or actor.username) if actor is not None else system
        change = (
            f' <small class="text-muted">({e(row["status_change"])})</small>' if row["status_change"] else ""
        )
        note = f'<div class="small">{linebreaksbr(row["note"])}</div>' if row["note"] else ""
        parts.append(
            '<li class="border-start border-3 ps-2 mb-2"><div class="small text-muted">'
            f'<time datetime="{at.isoformat()}">{at:%Y-%m-%d %H:%M}</time> · {who}</div>'
            f"<div><strong>{e(row['label'])}</strong>{change}</div>{note}</li>"
        )
    return mark_safe("".join(parts))
