"""Pages of the mediation app, one module per resource.

The registry (overview and indicators, organizations, mediators, the expert pool, trainings, Excel in and out),
the region and unit structure, notifications and the operations page. Every page reads through
`visible_to(request.user)` and answers 404 outside it.
"""
