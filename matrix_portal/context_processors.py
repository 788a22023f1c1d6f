from django.conf import settings


def portal(request):
    return {
        "PORTAL_HOTLINE": settings.PORTAL_HOTLINE,
        "PORTAL_EMAIL": settings.PORTAL_EMAIL,
        "DEV_OUTBOX_ENABLED": settings.DEV_OUTBOX_ENABLED,
    }
