"""The registry's browser pages (issue 4): organizations, mediators, expert pool, trainings, indicators.

One module per resource. Every page reads through `visible_to(request.user)` and answers 404 outside it.
"""
