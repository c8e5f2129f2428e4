"""The cells of the responsibility matrix, rendered in Python (the office's matrix has about 2,000 of them)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from dadukou.kernel.html import e, labels, pk_url
from tasks_plan.choices import ResponsibilityRole, ResponsibilityStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def matrix_cells(context, row) -> str:
    """One row's cells: the unit's role (L/R) and status, linked to the responsibility; an empty cell otherwise."""
    cache = context.render_context.setdefault("plan_matrix", {})
    if not cache:
        cache.update(
            url=pk_url("tasks_plan:responsibility"),
            roles=labels(ResponsibilityRole.choices),
            statuses=labels(ResponsibilityStatus.choices),
            lead=e(pgettext("lead unit, one character", "L")),
            responsible=e(pgettext("responsible unit, one character", "R")),
        )
    url, roles, statuses, texts = (
        cache["url"],
        cache["roles"],
        cache["statuses"],
        cache.setdefault("texts", {}),
    )
    parts = []
    for cell in row.cells:
        if cell is None:
            parts.append('<td class="plan-cell"></td>')
            continue
        # The same unit, role and status recur down a column: their markup is escaped once per render.
        key = (cell.unit_id, cell.role, cell.status)
        if key not in texts:
            text = e(
                f"{cell.unit.name}: {roles.get(cell.role, cell.role)}, {statuses.get(cell.status, cell.status)}"
            )
            mark = cache["lead"] if cell.role == ResponsibilityRole.LEAD else cache["responsible"]
            texts[key] = (
                f'<td class="plan-cell plan-mark status-{e(cell.status)}" title="{text}"><a href="',
                f'"><span aria-hidden="true">{mark}</span><span class="visually-hidden">{text}</span></a></td>',
            )
        head, tail = texts[key]
        parts.append(f"{head}{url(cell.pk)}{tail}")
    return mark_safe("".join(parts))
