"""Personal information (PIPL): ID numbers and phones are masked unless the viewer may see them in full.

This is the one place that masks them, for parties and mediators alike. Logging an unmasked view belongs to
the app that shows it (a dispute's timeline, for instance).
"""

from __future__ import annotations

# One permission for every kind of personal data. It is declared on the Dispute model for historical reasons
# (its Permission row and the role groups that hold it predate the registry); Django resolves the string at
# run time, so naming it here imports nothing from the disputes app.
PERMISSION = "disputes.view_personal_data"


def mask_id_number(value: str) -> str:
    """5001**********123X: the first four and the last four characters stay."""
    value = value or ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_phone(value: str) -> str:
    """138****5678: the first three and the last four digits stay."""
    value = value or ""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def may_unmask(user, obj=None) -> bool:
    """With an object: a membership carrying the permission covers it. Without: some membership carries it."""
    return user.has_perm(PERMISSION, obj) if obj is not None else user.has_perm(PERMISSION)
