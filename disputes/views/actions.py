"""One view for every workflow action of the dispute page: parse the action's form, call the workflow."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View

from dadukou.kernel.errors import Conflict, Forbidden, WorkflowError
from disputes.forms.actions import ACTION_FORMS
from disputes.models import Dispute
from disputes.views.detail import render_page


class DisputeActionView(View):
    """POST /disputes/<pk>/action/<name>/ with the version the page showed.

    A refused action changes nothing: a conflict or a forbidden action goes back to the page with the
    workflow's message; any other refusal shows the page again with the user's input kept.
    """

    http_method_names = ["post"]

    def post(self, request, pk, name):
        form_class = ACTION_FORMS.get(name)
        if form_class is None:
            raise Http404
        dispute = get_object_or_404(Dispute.objects.visible_to(request.user), pk=pk)
        form = form_class(request.POST, dispute=dispute, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Check the form of “%(action)s”.") % {"action": form.label})
            return render_page(request, pk, bound=form, status=400)
        try:
            form.submit()
        except (Conflict, Forbidden) as exc:
            messages.error(request, exc.message)
            return redirect("disputes:detail", pk=pk)
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return render_page(request, pk, bound=form, status=400)
        messages.success(request, _("Done: %(action)s.") % {"action": form.label})
        return redirect("disputes:detail", pk=pk)
