"""Project URLs plus a stand-in `disputes:detail`, for the list tests while the detail page is not there yet.

Used by tests/test_dispute_list.py and friends only when `disputes:detail` does not resolve.
"""

from django.http import HttpResponse
from django.urls import include, path

from dadukou.urls import urlpatterns as project_patterns
from disputes import urls as dispute_urls


def _detail_stand_in(request, pk):
    return HttpResponse(f"dispute {pk}")


urlpatterns = [
    *(p for p in project_patterns if str(p.pattern) != "disputes/"),
    path(
        "disputes/",
        include(
            ([*dispute_urls.urlpatterns, path("<int:pk>/", _detail_stand_in, name="detail")], "disputes")
        ),
    ),
]
