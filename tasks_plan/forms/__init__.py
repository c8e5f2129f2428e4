"""Forms of the task plan's pages, one module per area. They parse input only; the rules are in services."""
