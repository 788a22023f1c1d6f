"""The portal's URLs plus one bare view, mounted only by the bench settings (BENCH_BARE_VIEW).

The bare view goes through the same middleware stack as every page but does no work of its own: its
requests per second are the upper limit the portal's pages are compared against in the same run.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from matrix_portal.urls import handler400, handler403, handler404, handler500
from matrix_portal.urls import urlpatterns as portal_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@require_GET
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *portal_urls]
