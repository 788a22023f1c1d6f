"""Public pages shared by the whole portal: home, help, terms, health check, dev outbox, language, errors."""

import logging
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from contributions.models import Plan, Sector
from matrix_portal.benefits import funeral_benefit, permanent_disablement_lump_sum, plan_benefits
from matrix_portal.forms import BenefitEstimateForm
from matrix_portal.models import OutboxMessage

logger = logging.getLogger(__name__)


def home(request):
    context = {
        "sectors": Sector.objects.filter(is_active=True),
        "plans": Plan.objects.filter(is_active=True),
    }
    return render(request, "portal/home.html", context)


def benefits(request):
    """Benefit estimator: every plan's rates, and a worked lump sum for the figures the person enters."""
    plans = Plan.objects.filter(is_active=True)
    rows = [(plan, plan_benefits(insured_monthly_earning=plan.insured_monthly_earning)) for plan in plans]
    form = BenefitEstimateForm(request.GET or None, initial={"plan": 4})
    estimate = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        earning = data["plan"].insured_monthly_earning
        estimate = {
            "plan": data["plan"],
            "lump_sum": permanent_disablement_lump_sum(
                insured_monthly_earning=earning,
                assessment_percent=data["assessment_percent"],
                age_factor=Decimal(data["age_factor"]),
            ),
            "funeral": funeral_benefit(actual_cost=data["funeral_cost"]),
            "daily": (earning * Decimal("0.9") / 30).quantize(Decimal("0.01")),
        }
    return render(request, "portal/benefits.html", {"rows": rows, "form": form, "estimate": estimate})


def help_page(request):
    return render(request, "portal/help.html")


def terms(request):
    return render(request, "portal/terms.html")


@require_POST
def set_language(request):
    """Switch language: a cookie for everyone, and the account preference once logged in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            httponly=True,
        )
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # noqa: BLE001 - any failure means "down"
        logger.warning("health check: database unreachable")
        return False


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return "ok" if client.ping() else "down"
    except Exception:  # noqa: BLE001
        logger.warning("health check: broker unreachable")
        return "down"


@never_cache
@require_GET
def healthz(request):
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    healthy = database == "ok" and broker in {"ok", "in-process"}
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@never_cache
def dev_outbox(request):
    if not settings.DEV_OUTBOX_ENABLED:
        raise Http404
    messages = OutboxMessage.objects.all()[:100]
    return render(request, "portal/dev_outbox.html", {"outbox": messages})


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)
