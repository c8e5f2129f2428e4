"""Demo records of the mediation app, loaded by `manage.py setup_demo` (before the disputes demo)."""

from __future__ import annotations


def load_demo(stdout) -> None:
    from mediation.demo_registry import load_registry_demo

    created = load_registry_demo()
    stdout.write(
        "Registry demo: {organizations} organizations, {mediators} mediators, {appointments} appointments, "
        "{trainings} trainings, {attendance} attendance records created".format(**created)
    )
