"""A deterministic municipal dataset for load tests and benchmarks: `manage.py generate_load`.

Not imported by the platform at run time. See run.py for the order of work, tables.py for every table and
column written, world.py for the structure, lifecycle.py for the disputes, patrols.py for the patrols; the task
plan's part is tasks_plan/loadgen.py. docs/BENCHMARKS.md says how to generate and measure.
"""
