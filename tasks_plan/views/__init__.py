"""Pages of the task plan, one module per resource (progress reports, a unit's own tasks, …)."""
