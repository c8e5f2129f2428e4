"""The admin of the disputes app; importing the module registers its ModelAdmins.

disputes: the configuration the office edits (categories, time limits, risk and routing rules, the calendar,
sensitive periods) and the disputes with their timeline, read-only.
"""

from disputes.admin import disputes  # noqa: F401
