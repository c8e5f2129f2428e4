"""The intake page (登记): a dispute, its parties and attachments, registered through the intake service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.errors import WorkflowError
from disputes.choices import Source
from disputes.forms.intake import DisputeIntakeForm, PartyFormSet, filled_parties
from disputes.services import attachments, intake, patrols

PARTY_PREFIX = "parties"


class IntakeView(PermissionRequiredMixin, View):
    permission_required = "disputes.register_dispute"
    template_name = "disputes/intake.html"

    def get(self, request):
        # ?patrol=<duty id>: a dispute found on a patrol, pre-filled with its region and source 网格排查.
        duty = patrols.duty_for_intake(request.user, request.GET.get("patrol"))
        initial = {"region": duty.region_id, "source": Source.GRID_PATROL} if duty else None
        form = DisputeIntakeForm(initial=initial, user=request.user)
        return self.show(request, form, PartyFormSet(prefix=PARTY_PREFIX))

    def post(self, request):
        form = DisputeIntakeForm(request.POST, request.FILES, user=request.user)
        parties = PartyFormSet(request.POST, prefix=PARTY_PREFIX)
        if not (form.is_valid() and parties.is_valid()):
            return self.show(request, form, parties, status=400)
        uploads = form.cleaned_data["attachments"]
        try:
            for upload in uploads:
                attachments.check(upload)
            with transaction.atomic():
                dispute = intake.register(request.user, form.dispute_data(), filled_parties(parties))
                attachments.store(dispute, request.user, uploads, form.cleaned_data["attachment_kind"])
                duty = patrols.duty_for_intake(request.user, request.GET.get("patrol"))
                if duty is not None:
                    patrols.link_dispute_to_patrol(duty, dispute, request.user)
        except WorkflowError as exc:
            form.add_error(None, exc.message)
            return self.show(request, form, parties, status=400)
        messages.success(request, _("Dispute %(number)s registered.") % {"number": dispute.number})
        return redirect("disputes:detail", pk=dispute.pk)

    def show(self, request, form, parties, status=200):
        patrol = patrols.duty_for_intake(request.user, request.GET.get("patrol"))
        context = {"form": form, "parties": parties, "patrol": patrol}
        return render(request, self.template_name, context, status=status)
