"""Demo data of the mediation app, used only by `manage.py setup_demo` (and tests).

`foundation` makes the demo communities, grids, platforms and one account per role; `registry` the
organizations, mediators and trainings (load_demo below, before the disputes demo); `common` the helpers the
other apps' demos share (identity numbers, the simulated clock).
"""

from __future__ import annotations


def load_demo(stdout) -> None:
    from mediation.demo.registry import load_registry_demo

    created = load_registry_demo()
    stdout.write(
        "Registry demo: {organizations} organizations, {mediators} mediators, {appointments} appointments, "
        "{trainings} trainings, {attendance} attendance records created".format(**created)
    )
