"""The project kernel: what every app may use and what uses no app.

Errors of the service layer, personal-data masking and the ID/phone validators. Nothing in here imports
`mediation`, `disputes` or `tasks_plan` (tests/test_architecture.py checks it).
"""
