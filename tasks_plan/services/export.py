"""The matrix as an xlsx workbook in the layout of the original plan (任务分工方案).

Columns 序号, 任务内容, 完成标准及时限, 牵头单位, 责任单位 as the plan prints them, plus 当前状态 (the statuses of the
rows the user sees) and 实时指标 (each target's live value against the plan's number and by-date). Sections are
merged heading rows (一、建立区域性矛盾纠纷调处平台 …). The sheet prints on A4 landscape, one page wide, with the
header row repeated. The headers are the plan's own Chinese words, like the registry's exports; the rest is
written in Chinese too, whatever the user's language, because the sheet stands for the plan.
"""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from tasks_plan.choices import ResponsibilityStatus
from tasks_plan.services.matrix import Matrix, MatrixRow
from tasks_plan.services.targets import Evaluation, TargetState

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ["序号", "任务内容", "完成标准及时限", "牵头单位", "责任单位", "当前状态", "实时指标"]
WIDTHS = [6, 48, 36, 22, 28, 26, 48]
HEADER_ROW = 2
STATUS_FILL = {
    ResponsibilityStatus.OVERDUE: "F8D7DA",
    ResponsibilityStatus.DONE: "D1E7DD",
    ResponsibilityStatus.IN_PROGRESS: "CFE2FF",
}


def status_text(matrix: Matrix, row: MatrixRow) -> str:
    """The statuses of the rows the user sees, e.g. 逾期 2（区司法局、区财政局）；推进中 5；已完成 3；未开始 23."""
    parts = []
    for status, label, count in row.status_counts:
        text = f"{label} {count}"
        if status == ResponsibilityStatus.OVERDUE:
            text += f"（{matrix.names(row.overdue_units)}）"
        parts.append(text)
    return "；".join(parts)


def evaluation_text(evaluation: Evaluation) -> str:
    """E.g. 驻法院调解室建成率：100.0% (1/1)，目标 ≥ 80%，2021-12-31 前，已过期限，已达标."""
    name = evaluation.name or evaluation.target.metric
    if evaluation.state in (TargetState.NOT_IN_SYSTEM, TargetState.JUDGED):
        return f"{name}：{evaluation.state_label}"
    parts = [
        f"{name}：{evaluation.shown_value()}",
        _("target %(target)s") % {"target": evaluation.shown_target},
    ]
    if evaluation.deadline:
        parts.append(_("by %(date)s") % {"date": evaluation.deadline.isoformat()})
        if evaluation.deadline_passed:
            parts.append(_("deadline passed"))
    parts.append(evaluation.state_label)
    return "，".join(parts)


def indicators_text(row: MatrixRow) -> str:
    return "\n".join(evaluation_text(e) for e in row.evaluations)


def plan_workbook(matrix: Matrix) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务分工"
    columns = len(HEADERS)
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    title = matrix.plan.title if matrix.plan else ""
    sheet.cell(
        row=1, column=1, value=f"{title}（{_('as of %(date)s') % {'date': matrix.today.isoformat()}}）"
    )
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    for index, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="E9ECEF")
        cell.border = border
        sheet.column_dimensions[cell.column_letter].width = width

    line = HEADER_ROW
    for section in matrix.sections:
        line += 1
        cell = sheet.cell(row=line, column=1, value=section.heading)
        cell.font = Font(bold=True)
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=columns)
        for row in section.rows:
            line += 1
            task = row.task
            values = [
                task.number,
                task.content,
                task.standard,
                matrix.lead_text(row),
                matrix.responsible_text(row),
                status_text(matrix, row),
                indicators_text(row),
            ]
            for index, value in enumerate(values, start=1):
                cell = sheet.cell(row=line, column=index, value=value)
                cell.alignment = wrap
                cell.border = border
            if row.status in STATUS_FILL:
                sheet.cell(row=line, column=6).fill = PatternFill("solid", fgColor=STATUS_FILL[row.status])

    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=1)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook


def export_response(matrix: Matrix, filename: str = "plan-matrix.xlsx") -> HttpResponse:
    """The workbook as a download; written in Chinese (the plan's language) whatever the user's language."""
    with translation.override("zh-hans"):
        workbook = plan_workbook(matrix)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
