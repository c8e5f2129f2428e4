"""The admin of the mediation app; importing the modules registers their ModelAdmins.

structure: regions (with the division-code import and grids), units, organizations, memberships, and the
site's titles. alerts: the alert machinery (outbox, alerts, notifications, job runs).
"""

from mediation.admin import alerts, structure  # noqa: F401
