"""The office's holiday-calendar page: enter a year's notice, preview what it changes, confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.errors import Forbidden
from disputes.forms.calendar import CalendarNoticeForm
from disputes.models import CalendarNotice, CalendarYear, Dispute
from disputes.services import calendar_notice
from disputes.services.calendar_notice import CALENDAR_PERMISSIONS, NoticeError
from disputes.services.holidays import statutory_days
from mediation.visibility import visible_pks

RECENT_NOTICES = 10


def entered_lines(year: int) -> str:
    """The entered days of `year` as pasted lines (to correct an entered year)."""
    from disputes.models import CalendarDay

    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")
    return "\n".join(f"{d.isoformat()} {'班' if w else '休'} {n}".strip() for d, w, n in rows)


class CalendarNoticeView(PermissionRequiredMixin, View):
    permission_required = CALENDAR_PERMISSIONS
    template_name = "disputes/calendar/notice.html"

    def get(self, request):
        try:
            year = int(request.GET.get("year") or timezone.localdate().year + 1)
        except ValueError:
            year = timezone.localdate().year + 1
        entered = CalendarYear.objects.filter(year=year).first()
        initial = {"year": year}
        if entered:
            initial |= {"note": entered.note, "text": entered_lines(year)}
        return self.page(CalendarNoticeForm(initial=initial), year)

    def post(self, request):
        form = CalendarNoticeForm(request.POST)
        if not form.is_valid():
            return self.page(form, _year_of(request.POST), status=400)
        year = form.cleaned_data["year"]
        try:
            notice = calendar_notice.build(**form.notice_input())
            if "confirm" not in request.POST:
                return self.page(form, year, preview=calendar_notice.preview(request.user, notice))
            done = calendar_notice.confirm(request.user, notice)
        except NoticeError as exc:
            return self.page(form, year, problems=exc.problems, status=400)
        except Forbidden as exc:
            messages.error(request, exc.message)
            return self.page(form, year, status=403)
        if done.record is None:
            messages.info(
                request, _("The notice for %(year)s is entered already; nothing changed.") % {"year": year}
            )
        else:
            messages.success(
                request,
                _("The holidays of %(year)s are entered; %(moved)s open deadlines were moved.")
                % {"year": year, "moved": done.moved},
            )
        return redirect(f"{reverse('disputes:calendar')}?year={year}")

    def page(self, form, year, *, preview=None, problems=(), status=200):
        moves = []
        if preview is not None:
            visible = visible_pks(Dispute, self.request.user, [r.dispute.pk for r in preview.outcome.moves])
            moves = [{"recount": r, "visible": r.dispute.pk in visible} for r in preview.outcome.moves]
        context = {
            "form": form,
            "year": year,
            "statutory": sorted(statutory_days(year).items()) if year else [],
            "preview": preview,
            "moves": moves,
            "problems": problems,
            "notices": list(
                CalendarNotice.objects.select_related("entered_by").order_by("-entered_at", "-pk")[
                    :RECENT_NOTICES
                ]
            ),
        }
        return render(self.request, self.template_name, context, status=status)


def _year_of(data) -> int | None:
    try:
        return int(data.get("year"))
    except (TypeError, ValueError):
        return None
