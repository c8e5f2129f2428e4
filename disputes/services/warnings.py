"""Early warnings (预警) for high-risk disputes, their acknowledgment and its escalation (task 23).

- When an assessment, a re-routing or a re-assessment leaves a dispute red or orange, the warning goes out at
  once, written in the same transaction as the change (raise_alert writes the notifications and the outbox with
  it, and Celery delivers the outbox later — a dead Redis delays the e-mail, never the warning). Each recipient
  gets its own alert, acknowledges it itself within ACK_LIMITS of the grade and is escalated alone when late
  (warning_recipients):
  - 属事: every unit responsible for the dispute (dispute.responsible_units);
  - 属地 (属地地区, the territory of the dispute): the controlling platform, the community and the street/town
    platforms of the dispute's region, the district platform for red (red is the district's by rule), and the
    police stations whose jurisdiction (Unit.jurisdiction) covers the region, for red only;
  - the supervisors whose territory covers the region.
  One alert per (dispute, grade, recipient): a re-assessment at the same grade warns nobody twice, a new
  platform or a higher grade warns anew. A warned unit or organization sees the dispute (Dispute.scope_q).
- When the grade changes, the open (unacknowledged) warnings of another grade are withdrawn — marked with the
  time and the reason, never deleted — and no longer escalate; a grade that comes back puts its withdrawn
  warnings back in force with a fresh deadline (sync_warnings).
- Each warning still unacknowledged past its deadline raises AlertKind.ACK_ESCALATION once, about that warning
  (the alert is its subject, so two late recipients are two escalations), to the level above the controlling
  platform (that region's platform) and the district's supervisors.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes.choices import OPEN_STATUSES, HandlingLevel, RiskGrade
from disputes.models import Dispute
from mediation.choices import OrganizationKind, RegionLevel, Role, UnitKind
from mediation.models import Alert, AlertKind, Membership, Unit
from mediation.services.alerts import Recipient, raise_alert

# How long recipients have to acknowledge a warning, by risk grade (DESIGN.md "Domain rules"): red the same day
# (within hours), orange within a day, yellow within two, blue within three.
ACK_LIMITS: dict[int, dt.timedelta] = {
    RiskGrade.RED: dt.timedelta(hours=4),
    RiskGrade.ORANGE: dt.timedelta(days=1),
    RiskGrade.YELLOW: dt.timedelta(days=2),
    RiskGrade.BLUE: dt.timedelta(days=3),
}
# Grades that warn at once, when assessed, re-routed or re-assessed.
WARN_AT_ONCE = (RiskGrade.RED, RiskGrade.ORANGE)
BATCH_SIZE = 500


def warning_recipients(dispute: Dispute) -> list[Recipient]:
    """Whom the warning of a red or orange dispute goes to, each once: 属事 units, the 属地 chain, supervisors."""
    from disputes.services.routing import platform_for

    grade = dispute.risk_grade
    recipients = [Recipient(unit=unit) for unit in dispute.responsible_units.order_by("pk")]
    platforms = [dispute.platform] if dispute.platform_id else []
    levels = [HandlingLevel.COMMUNITY, HandlingLevel.STREET]
    if grade == RiskGrade.RED:
        levels.append(HandlingLevel.DISTRICT)
    platforms += [platform_for(dispute.region, level) for level in levels]
    recipients += [Recipient(organization=p) for p in platforms if p is not None]
    if grade == RiskGrade.RED:
        recipients += [Recipient(unit=station) for station in police_stations_covering(dispute.region)]
    recipients += [Recipient(user=user) for user in supervisors_over(dispute.region_path)]
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(recipient.key, recipient)
    return list(unique.values())


def police_stations_covering(region):
    """The active police stations whose jurisdiction holds the region or a region above it."""
    return (
        Unit.objects.filter(
            kind=UnitKind.POLICE_STATION,
            is_active=True,
            jurisdiction__path__in=region.ancestor_paths(include_self=True),
        )
        .distinct()
        .order_by("pk")
    )


def sync_warnings(dispute: Dispute, *, reason: str = "", now: dt.datetime | None = None) -> list[Alert]:
    """Bring the dispute's warnings in line with its grade; returns the alerts raised now.

    Open warnings of another grade are withdrawn (marked, kept); withdrawn warnings of the present grade come
    back in force with a fresh deadline; a red or orange grade warns its recipients (raise_early_warning).
    Call inside the transaction that graded or routed the dispute.
    """
    now = now or timezone.now()
    grade = dispute.risk_grade
    open_warnings = early_warnings(dispute).unacknowledged()
    open_warnings.in_force().exclude(level=grade).update(
        withdrawn_at=now, withdrawn_reason=(reason or _("The risk grade changed."))[:200]
    )
    if grade in WARN_AT_ONCE:
        open_warnings.filter(level=grade, withdrawn_at__isnull=False).update(
            withdrawn_at=None, withdrawn_reason="", ack_due_at=now + ACK_LIMITS[grade]
        )
    return raise_early_warning(dispute, now=now)


def early_warnings(dispute: Dispute):
    return Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Dispute),
        object_id=dispute.pk,
        kind=AlertKind.EARLY_WARNING,
    )


def raise_early_warning(dispute: Dispute, *, now: dt.datetime | None = None) -> list[Alert]:
    """Warn every recipient of a red or orange dispute not warned of its grade yet; returns the new alerts.

    Call inside the transaction that graded or routed the dispute.
    """
    grade = dispute.risk_grade
    if grade not in WARN_AT_ONCE:
        return []
    now = now or timezone.now()
    values = {
        "grade": RiskGrade(grade).label,
        "number": dispute.number,
        "title": dispute.title,
        "due": timezone.localtime(now + ACK_LIMITS[grade]).strftime("%Y-%m-%d %H:%M"),
    }
    return raise_alert(
        dispute,
        AlertKind.EARLY_WARNING,
        warning_recipients(dispute),
        title=(_("Early warning (%(grade)s): %(number)s %(title)s") % values)[:200],
        body=_("Dispute %(number)s is graded %(grade)s. Acknowledge this warning by %(due)s.") % values,
        url=reverse("disputes:detail", args=[dispute.pk]),
        level=grade,
        region=dispute.region,
        ack_due_at=now + ACK_LIMITS[grade],
    )


def supervisors_over(region_path: str):
    """Users with a current supervisor membership whose territory covers the region at `region_path`."""
    from django.contrib.auth import get_user_model

    ids = [p for p in region_path.strip("/").split("/") if p]
    above = ["/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids))]
    territory = (
        Q(region__path__in=above)
        | Q(unit__kind__in=[UnitKind.STREET_GOVERNMENT, UnitKind.OFFICE], unit__region__path__in=above)
        | Q(organization__kind=OrganizationKind.PLATFORM, organization__region__path__in=above)
    )
    memberships = Membership.objects.current().filter(role=Role.SUPERVISOR).filter(territory)
    return (
        get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("pk")
    )


# --- escalation of unacknowledged warnings ------------------------------------------------------------------


def escalate_unacknowledged(now: dt.datetime | None = None, *, batch_size: int = BATCH_SIZE) -> int:
    """Escalate each warning of an open dispute unacknowledged past its deadline, once; returns how many."""
    now = now or timezone.now()
    dispute_type = ContentType.objects.get_for_model(Dispute)
    escalated = Alert.objects.filter(
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=OuterRef("pk"),
        kind=AlertKind.ACK_ESCALATION,
    )
    overdue = (
        Alert.objects.unacknowledged()
        .in_force()
        .filter(content_type=dispute_type, kind=AlertKind.EARLY_WARNING, ack_due_at__lt=now)
        .filter(object_id__in=Dispute.objects.filter(status__in=OPEN_STATUSES).values("pk"))
        .filter(~Exists(escalated))
    )
    done, last = 0, 0
    while True:
        batch = list(
            overdue.filter(pk__gt=last)
            .select_related("recipient_unit", "recipient_organization", "recipient_user")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return done
        last = batch[-1].pk
        for warning in batch:
            done += _escalate(warning)


def _escalate(warning: Alert) -> int:
    with transaction.atomic():
        dispute = Dispute.objects.select_related("platform__region", "region").get(pk=warning.object_id)
        values = {
            "grade": RiskGrade(warning.level).label,
            "number": dispute.number,
            "who": alert_recipient_name(warning),
        }
        created = raise_alert(
            warning,
            AlertKind.ACK_ESCALATION,
            escalation_recipients(dispute),
            title=(_("Warning not acknowledged (%(grade)s): %(number)s, %(who)s") % values)[:200],
            body=_(
                "The early warning on dispute %(number)s (%(grade)s) was not acknowledged in time by: %(who)s."
            )
            % values,
            url=reverse("disputes:detail", args=[dispute.pk]),
            level=warning.level,
            region=dispute.region,
        )
        return 1 if created else 0


def escalation_recipients(dispute: Dispute) -> list[Recipient]:
    """The level above the controlling platform: that region's platform, and the district's supervisors."""
    from disputes.services.routing import platform_for
    from mediation.models import Region

    recipients = []
    platform = dispute.platform
    if platform is not None and platform.region.level > RegionLevel.DISTRICT:
        upper = platform_for(platform.region, platform.region.level - 1)
        if upper is not None and upper.pk != platform.pk:
            recipients.append(Recipient(organization=upper))
    district = Region.objects.filter(code=settings.DISTRICT_CODE).first()
    if district is not None:
        recipients += [Recipient(user=u) for u in _district_supervisors(district)]
    return recipients


def _district_supervisors(district):
    from django.contrib.auth import get_user_model

    memberships = Membership.objects.current().filter(role=Role.SUPERVISOR, region=district)
    return (
        get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("pk")
    )


def alert_recipient_name(alert: Alert) -> str:
    recipient = alert.recipient_unit or alert.recipient_organization or alert.recipient_user
    if recipient is None:
        return alert.recipient_key
    if alert.recipient_user_id:
        return recipient.get_full_name() or recipient.get_username()
    return recipient.name
