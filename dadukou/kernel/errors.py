"""Errors of the service layer: a stable code for machines and a translated message for people.

Every app's service functions raise these, so views, the API, admin actions and Celery tasks handle one family.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """An action that cannot be taken. Nothing was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class Conflict(WorkflowError):
    """Somebody else changed the object since the user loaded it (optimistic lock)."""


class Forbidden(WorkflowError):
    """The user may not take this action on this object."""
