"""One small form per workflow action on the dispute page.

Each form parses the input of one action and hands it to its function in disputes.services.workflow,
with the `version` the page was rendered with; the workflow decides whether the action may be taken.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.choices import (
    AgreementForm,
    AssignmentStatus,
    Complexity,
    ConfirmationResult,
    DayType,
    FailureGuidance,
    FeedbackTarget,
    Outcome,
    Performance,
    Prevention,
    RiskFlag,
    RiskGrade,
    Satisfaction,
    SessionMode,
    SupervisionLevel,
)
from disputes.forms.intake import DateInput, DateTimeLocalInput, StyledFormMixin
from disputes.models import Category, Dispute
from disputes.services import workflow
from disputes.services.workflow import targets
from mediation.models import MediationOrganization, Unit

# Every action code of the timeline, with its label. Workflow actions double as button labels.
ACTION_LABELS = {
    "register": _("Registered (登记)"),
    "assess": _("Assess (研判)"),
    "reroute": _("Re-route"),
    "set_leader": _("Set the leader in charge (包案领导)"),
    "void": _("Void (作废)"),
    "merge": _("Merge into another dispute"),
    "merged_in": _("Another dispute merged in"),
    "link": _("Linked"),
    "assign": _("Assign (交办)"),
    "reassign": _("Reassign"),
    "add_co_handler": _("Add a co-handler"),
    "accept": _("Accept"),
    "return": _("Return (退回)"),
    "report_up": _("Report up (上报)"),
    "guide": _("Guide (指导)"),
    "supervise": _("Supervise (督办)"),
    "answer_supervision": _("Answer a supervision notice"),
    "notify_rights": _("Notify rights and duties"),
    "record_session": _("Record a mediation session"),
    "extend": _("Extend the time limit"),
    "record_outcome": _("Record the outcome"),
    "record_performance": _("Record performance"),
    "apply_confirmation": _("Apply for judicial confirmation"),
    "record_confirmation": _("Record the judicial confirmation"),
    "record_notarization": _("Record notarization"),
    "feedback": _("Give feedback"),
    "follow_up": _("Follow-up visit (回访)"),
    "archive": _("Archive"),
    "reopen": _("Reopen"),
    "attach": _("Attached a file"),
    "view_personal_data": _("Viewed personal data in full"),
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def target_choices(dispute, user) -> list:
    """Units and mediation organizations the user sees, the dispute's responsible units first."""
    allowed_units = targets.assignable_units(user, dispute)
    responsible = list(dispute.responsible_units.filter(pk__in=allowed_units.values("pk")))
    units = allowed_units.exclude(pk__in=[u.pk for u in responsible])
    organizations = targets.assignable_organizations(user, dispute).select_related("region")
    groups = [
        (_("Responsible units (属事)"), [(f"unit-{u.pk}", u.name) for u in responsible]),
        (_("Units"), [(f"unit-{u.pk}", u.name) for u in units.order_by("kind", "name")]),
        (_("Mediation organizations"), [(f"org-{o.pk}", o.name) for o in organizations]),
    ]
    return [(label, options) for label, options in groups if options]


def resolve_target(value: str):
    kind, _sep, pk = value.partition("-")
    model = Unit if kind == "unit" else MediationOrganization
    return model.objects.get(pk=int(pk))


class ActionForm(StyledFormMixin, forms.Form):
    """The base of every action form: the dispute, the user and the version the page showed."""

    action: str = ""
    versioned = True
    submit_label = _("Submit")

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, dispute, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.action}_%s")
        kwargs.setdefault("initial", {}).setdefault("version", dispute.version)
        super().__init__(*args, **kwargs)
        self.dispute, self.user = dispute, user
        if not self.versioned:
            del self.fields["version"]
        self.setup()
        self.style_widgets()

    def setup(self):
        """Set the choices that depend on the dispute and the user."""

    def applies(self) -> bool:
        """Whether the form has anything to act on (e.g. a notice still to answer)."""
        return True

    @property
    def label(self):
        return action_label(self.action)

    def call(self, function, **kwargs):
        if self.versioned:
            kwargs["version"] = self.cleaned_data["version"]
        return function(self.dispute.pk, self.user, **kwargs)

    def submit(self):
        raise NotImplementedError


def _reason(label=None):
    return forms.CharField(label=label or _("Reason"), max_length=300)


def _text(label, required=True, rows=3):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}))


class TargetChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Assign to"))
        super().__init__(**kwargs)


class AssessForm(ActionForm):
    action = "assess"
    complexity = forms.ChoiceField(label=_("Complexity"), choices=Complexity.choices)
    risk_flags = forms.MultipleChoiceField(
        label=_("Risk flags"), choices=RiskFlag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    grade_override = forms.TypedChoiceField(
        label=_("Risk grade (leave empty to follow the rules)"),
        choices=[("", _("By the rules")), *RiskGrade.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    override_reason = forms.CharField(label=_("Reason for a different grade"), max_length=200, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    note = _text(_("Note"), required=False, rows=2)

    def setup(self):
        self.initial.setdefault("risk_flags", self.dispute.risk_flags)
        self.initial.setdefault("category", self.dispute.category_id)
        self.initial.setdefault("complexity", self.dispute.complexity or Complexity.GENERAL)

    def submit(self):
        data = self.cleaned_data
        category = data["category"]
        return self.call(
            workflow.assess,
            complexity=data["complexity"],
            risk_flags=data["risk_flags"],
            grade_override=data["grade_override"],
            override_reason=data["override_reason"],
            category=category if category and category.pk != self.dispute.category_id else None,
            note=data["note"],
        )


class RerouteForm(ActionForm):
    action = "reroute"
    platform = forms.ModelChoiceField(label=_("Platform"), queryset=MediationOrganization.objects.none())
    reason = _reason()

    def setup(self):
        self.fields["platform"].queryset = targets.platforms(self.user, self.dispute).exclude(
            pk=self.dispute.platform_id
        )

    def applies(self) -> bool:
        return self.fields["platform"].queryset.exists()

    def submit(self):
        return self.call(
            workflow.reroute, platform=self.cleaned_data["platform"], reason=self.cleaned_data["reason"]
        )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class SetLeaderForm(ActionForm):
    action = "set_leader"
    leader = UserChoiceField(label=_("Leader in charge"), queryset=get_user_model().objects.none())

    def setup(self):
        self.fields["leader"].queryset = targets.leaders(self.user, self.dispute).order_by("username")

    def applies(self) -> bool:
        return self.fields["leader"].queryset.exists()

    def submit(self):
        return self.call(workflow.set_leader, leader=self.cleaned_data["leader"])


class VoidForm(ActionForm):
    action = "void"
    reason = _reason()

    def submit(self):
        return self.call(workflow.void, reason=self.cleaned_data["reason"])


class MergeForm(ActionForm):
    action = "merge"
    into = forms.CharField(label=_("Merge into dispute number"), max_length=20)
    reason = _reason()

    def clean_into(self):
        number = self.cleaned_data["into"].strip().upper()
        target = Dispute.objects.visible_to(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(_("No dispute with this number that you can see."))
        return target

    def submit(self):
        return self.call(workflow.merge, into=self.cleaned_data["into"], reason=self.cleaned_data["reason"])


class LinkForm(ActionForm):
    """Link a related dispute (e.g. the same conflict reported from the other side) without merging."""

    action = "link"
    versioned = False
    other = forms.CharField(label=_("Related dispute number"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_other(self):
        number = self.cleaned_data["other"].strip().upper()
        other = Dispute.objects.visible_to(self.user).filter(number=number).first()
        if other is None:
            raise forms.ValidationError(_("No dispute with this number that you can see."))
        return other

    def submit(self):
        return workflow.link(self.dispute, self.cleaned_data["other"], self.user, self.cleaned_data["note"])


class LimitFieldsMixin(forms.Form):
    limit_days = forms.IntegerField(
        label=_("Time limit (days)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the default limit for the dispute's complexity."),
    )
    day_type = forms.ChoiceField(
        label=_("Counted in"), choices=[("", _("Default")), *DayType.choices], required=False
    )


class AssignForm(ActionForm, LimitFieldsMixin):
    action = "assign"
    to = TargetChoiceField()
    co_handlers = forms.MultipleChoiceField(
        label=_("Co-handlers"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    note = _text(_("Instructions"), required=False, rows=2)

    def setup(self):
        choices = target_choices(self.dispute, self.user)
        self.fields["to"].choices = [("", "---------"), *choices]
        self.fields["co_handlers"].choices = choices

    def submit(self):
        data = self.cleaned_data
        co = [resolve_target(v) for v in data["co_handlers"] if v != data["to"]]
        return self.call(
            workflow.assign,
            to=resolve_target(data["to"]),
            limit_days=data["limit_days"],
            day_type=data["day_type"] or None,
            co_handlers=co,
            note=data["note"],
        )


class ReassignForm(ActionForm, LimitFieldsMixin):
    action = "reassign"
    to = TargetChoiceField(label=_("Reassign to"))
    reason = _reason()

    def setup(self):
        self.fields["to"].choices = [("", "---------"), *target_choices(self.dispute, self.user)]

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.reassign,
            to=resolve_target(data["to"]),
            reason=data["reason"],
            limit_days=data["limit_days"],
            day_type=data["day_type"] or None,
        )


class AddCoHandlerForm(ActionForm):
    action = "add_co_handler"
    to = TargetChoiceField(label=_("Co-handler"))
    note = _text(_("Instructions"), required=False, rows=2)

    def setup(self):
        self.fields["to"].choices = [("", "---------"), *target_choices(self.dispute, self.user)]

    def submit(self):
        return self.call(
            workflow.add_co_handler,
            to=resolve_target(self.cleaned_data["to"]),
            note=self.cleaned_data["note"],
        )


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_role_display()}: {obj.target} ({obj.get_status_display()})"


class AssignmentActionForm(ActionForm):
    """Accept or return: the open assignment the user answers for (the workflow checks it is theirs)."""

    assignment = AssignmentChoiceField(label=_("Assignment"), queryset=None, empty_label=None)

    def setup(self):
        self.fields["assignment"].queryset = self.dispute.assignments.filter(
            status=AssignmentStatus.PENDING
        ).select_related("to_unit", "to_organization")


class AcceptForm(AssignmentActionForm):
    action = "accept"

    def submit(self):
        return self.call(workflow.accept, assignment_id=self.cleaned_data["assignment"].pk)


class ReturnForm(AssignmentActionForm):
    action = "return"
    reason = _reason()

    def submit(self):
        return self.call(
            workflow.return_assignment,
            assignment_id=self.cleaned_data["assignment"].pk,
            reason=self.cleaned_data["reason"],
        )


class ReportUpForm(ActionForm):
    action = "report_up"
    reason = _text(_("Why it is reported up"))

    def submit(self):
        return self.call(workflow.report_up, reason=self.cleaned_data["reason"])


class GuideForm(ActionForm):
    action = "guide"
    versioned = False
    text = _text(_("Guidance"))

    def submit(self):
        return self.call(workflow.guide, text=self.cleaned_data["text"])


class SuperviseForm(ActionForm):
    action = "supervise"
    versioned = False
    level = forms.TypedChoiceField(
        label=_("Level"), choices=SupervisionLevel.choices, coerce=int, initial=SupervisionLevel.SUPERVISE
    )
    notice = _text(_("Notice"))

    def submit(self):
        return self.call(
            workflow.supervise, level=self.cleaned_data["level"], notice=self.cleaned_data["notice"]
        )


class SupervisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_level_display()} · {timezone.localtime(obj.issued_at):%Y-%m-%d %H:%M}"


class AnswerSupervisionForm(ActionForm):
    action = "answer_supervision"
    versioned = False
    supervision = SupervisionChoiceField(label=_("Supervision notice"), queryset=None, empty_label=None)
    answer = _text(_("Written answer"), rows=4)

    def setup(self):
        self.fields["supervision"].queryset = self.dispute.supervisions.filter(answered_at__isnull=True)

    def applies(self) -> bool:
        return self.fields["supervision"].queryset.exists()

    def submit(self):
        return self.call(
            workflow.answer_supervision,
            supervision_id=self.cleaned_data["supervision"].pk,
            answer=self.cleaned_data["answer"],
        )


class NotifyRightsForm(ActionForm):
    action = "notify_rights"
    note = _text(_("How the parties were told (written notice, read out …)"), required=False, rows=2)
    submit_label = _("Record the notice")

    def applies(self) -> bool:
        return self.dispute.rights_notified_at is None

    def submit(self):
        return self.call(workflow.notify_rights, note=self.cleaned_data["note"])


class MediatorsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class RecordSessionForm(ActionForm):
    action = "record_session"
    held_at = forms.DateTimeField(label=_("Held at"), widget=DateTimeLocalInput())
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices)
    location = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    mediators = MediatorsField(
        label=_("Mediators"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Empty: you."),
    )
    participants = _text(_("Participants"), rows=2)
    minutes = _text(_("Minutes"), rows=6)

    def setup(self):
        self.fields["mediators"].queryset = targets.session_mediators(self.dispute).order_by("username")
        self.initial.setdefault("held_at", timezone.localtime().replace(second=0, microsecond=0))

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.record_session,
            held_at=data["held_at"],
            mode=data["mode"],
            location=data["location"],
            participants=data["participants"],
            minutes=data["minutes"],
            mediators=list(data["mediators"]),
        )


class PartiesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_role_display()})"


class ExtendForm(ActionForm):
    action = "extend"
    new_due_at = forms.DateTimeField(label=_("New deadline"), widget=DateTimeLocalInput())
    reason = _reason()
    consent_note = _text(_("How both parties consented"), rows=2)
    consenting_parties = PartiesField(label=_("Consenting parties"), queryset=None)

    def setup(self):
        self.fields["consenting_parties"].queryset = self.dispute.parties.all()

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.extend,
            new_due_at=data["new_due_at"],
            reason=data["reason"],
            consent_note=data["consent_note"],
            consenting_party_ids=[p.pk for p in data["consenting_parties"]],
        )


class RecordOutcomeForm(ActionForm):
    action = "record_outcome"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    # Success: the agreement (人民调解法 Art. 28–30).
    agreement_form = forms.ChoiceField(
        label=_("Agreement form"),
        choices=AgreementForm.choices,
        initial=AgreementForm.WRITTEN,
        required=False,
    )
    facts = _text(_("Facts and points in dispute"), required=False)
    terms = _text(_("Agreed terms"), required=False)
    performance_method = _text(_("How and when it is performed"), required=False, rows=2)
    performance_due_on = forms.DateField(label=_("Perform by"), widget=DateInput(), required=False)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    effective_on = forms.DateField(label=_("Took effect on"), widget=DateInput(), required=False)
    signed_by_all = forms.BooleanField(
        label=_("Signed by all parties and the mediator, sealed"), required=False
    )
    # Failure: the guidance given.
    failure_guidance = forms.ChoiceField(
        label=_("Guidance given (if mediation failed)"),
        choices=[("", "---------"), *FailureGuidance.choices],
        required=False,
    )
    preventions = forms.MultipleChoiceField(
        label=_("Prevention outcomes"),
        choices=Prevention.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _text(_("Note"), required=False, rows=2)

    SUCCESS_FIELDS = (
        "agreement_form",
        "facts",
        "terms",
        "performance_method",
        "performance_due_on",
        "amount",
        "effective_on",
        "signed_by_all",
    )

    def setup(self):
        self.initial.setdefault("effective_on", timezone.localdate())

    def submit(self):
        data = self.cleaned_data
        agreement = None
        if data["outcome"] == Outcome.SUCCESS:
            agreement = {
                "form": data["agreement_form"],
                "facts": data["facts"],
                "terms": data["terms"],
                "performance_method": data["performance_method"],
                "performance_due_on": data["performance_due_on"],
                "amount": data["amount"] or 0,
                "effective_on": data["effective_on"],
                "signed_by_all": data["signed_by_all"],
            }
        return self.call(
            workflow.record_outcome,
            outcome=data["outcome"],
            note=data["note"],
            preventions=list(data["preventions"]),
            failure_guidance=data["failure_guidance"] if data["outcome"] == Outcome.FAILURE else "",
            agreement=agreement,
        )


def _agreement(dispute):
    return getattr(dispute, "agreement", None)


class RecordPerformanceForm(ActionForm):
    action = "record_performance"
    performance = forms.ChoiceField(label=_("Performance"), choices=Performance.choices)
    note = _text(_("Note"), required=False, rows=2)

    def applies(self) -> bool:
        return _agreement(self.dispute) is not None

    def submit(self):
        return self.call(
            workflow.record_performance,
            performance=self.cleaned_data["performance"],
            note=self.cleaned_data["note"],
        )


class ApplyConfirmationForm(ActionForm):
    action = "apply_confirmation"
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput())
    court = forms.CharField(label=_("Court"), max_length=100, initial=_("Dadukou District People's Court"))

    def setup(self):
        self.initial.setdefault("applied_on", timezone.localdate())

    def applies(self) -> bool:
        agreement = _agreement(self.dispute)
        return agreement is not None and agreement.confirmation_applied_on is None

    def submit(self):
        return self.call(
            workflow.apply_confirmation,
            applied_on=self.cleaned_data["applied_on"],
            court=self.cleaned_data["court"],
        )


class RecordConfirmationForm(ActionForm):
    action = "record_confirmation"
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[(c, label) for c, label in ConfirmationResult.choices if c != ConfirmationResult.PENDING],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())

    def setup(self):
        self.initial.setdefault("decided_on", timezone.localdate())

    def applies(self) -> bool:
        agreement = _agreement(self.dispute)
        return agreement is not None and agreement.confirmation_applied_on is not None

    def submit(self):
        return self.call(
            workflow.record_confirmation,
            result=self.cleaned_data["result"],
            decided_on=self.cleaned_data["decided_on"],
        )


class RecordNotarizationForm(ActionForm):
    action = "record_notarization"
    notarized_on = forms.DateField(label=_("Notarized on"), widget=DateInput())
    office = forms.CharField(label=_("Notary office"), max_length=100)

    def setup(self):
        self.initial.setdefault("notarized_on", timezone.localdate())

    def applies(self) -> bool:
        return _agreement(self.dispute) is not None

    def submit(self):
        return self.call(
            workflow.record_notarization,
            notarized_on=self.cleaned_data["notarized_on"],
            office=self.cleaned_data["office"],
        )


class FeedbackForm(ActionForm):
    action = "feedback"
    target = forms.ChoiceField(label=_("To"), choices=FeedbackTarget.choices, widget=forms.RadioSelect)
    channel = forms.CharField(label=_("Channel (phone, visit, document …)"), max_length=50)
    content = _text(_("Content"))

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.give_feedback, target=data["target"], channel=data["channel"], content=data["content"]
        )


class FollowUpForm(ActionForm):
    action = "follow_up"
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    performance = forms.ChoiceField(
        label=_("Performance of the agreement"),
        choices=[("", "---------"), *Performance.choices],
        required=False,
    )
    notes = _text(_("Notes"), required=False)

    def setup(self):
        self.initial.setdefault("visited_on", timezone.localdate())

    def submit(self):
        data = self.cleaned_data
        return self.call(
            workflow.follow_up,
            visited_on=data["visited_on"],
            satisfaction=data["satisfaction"],
            performance=data["performance"],
            notes=data["notes"],
        )


class ArchiveForm(ActionForm):
    action = "archive"
    submit_label = _("Archive the case")

    def submit(self):
        return self.call(workflow.archive)


class ReopenForm(ActionForm):
    action = "reopen"
    reason = _reason()

    def submit(self):
        return self.call(workflow.reopen, reason=self.cleaned_data["reason"])


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AssessForm,
        RerouteForm,
        SetLeaderForm,
        VoidForm,
        MergeForm,
        LinkForm,
        AssignForm,
        ReassignForm,
        AddCoHandlerForm,
        AcceptForm,
        ReturnForm,
        ReportUpForm,
        GuideForm,
        SuperviseForm,
        AnswerSupervisionForm,
        NotifyRightsForm,
        RecordSessionForm,
        ExtendForm,
        RecordOutcomeForm,
        RecordPerformanceForm,
        ApplyConfirmationForm,
        RecordConfirmationForm,
        RecordNotarizationForm,
        FeedbackForm,
        FollowUpForm,
        ArchiveForm,
        ReopenForm,
    )
}

# Actions that ride on another transition of the workflow (set_leader is allowed where reroute is).
TRANSITION_OF = {"set_leader": "reroute", "link": "assess"}


def page_actions(dispute, user) -> list[str]:
    """The action forms to show: exactly those the workflow allows the user now, in the table's order."""
    allowed = set(workflow.allowed_actions(dispute, user))
    return [name for name in ACTION_FORMS if TRANSITION_OF.get(name, name) in allowed]


def forms_for(dispute, user, bound: ActionForm | None = None) -> list[ActionForm]:
    result = []
    for name in page_actions(dispute, user):
        if bound is not None and bound.action == name:
            result.append(bound)
            continue
        form = ACTION_FORMS[name](dispute=dispute, user=user)
        if form.applies():
            result.append(form)
    return result
