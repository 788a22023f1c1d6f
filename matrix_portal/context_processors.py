from django.conf import settings

from matrix_portal.page_cache import placeholders_in_use


def portal(request):
    return {
        "PORTAL_HOTLINE": settings.PORTAL_HOTLINE,
        "PORTAL_EMAIL": settings.PORTAL_EMAIL,
        "DEV_OUTBOX_ENABLED": settings.DEV_OUTBOX_ENABLED,
        # last, so that a page rendered for the cache gets placeholders instead of this request's tokens
        **placeholders_in_use(request),
    }
