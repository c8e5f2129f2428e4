"""Forms of the mediation app's pages, one module per area. They parse input only; the rules are in services."""
