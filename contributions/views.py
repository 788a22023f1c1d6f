"""I'M SELF-EMPLOYED: dashboard, sector registration, contribution history and view, renewal, documents."""

import logging
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods

from contributions import selectors
from contributions.documents import download_name
from contributions.forms import RegistrationForm, RenewalForm, SectorChoiceForm, choice_label
from contributions.models import Contribution, Plan, Sector
from contributions.services import contribution_amount, contribution_renew, registration_submit
from matrix_portal.errors import ApplicationError
from matrix_portal.page_cache import personal_page

# 50 rows a page: a year of monthly contributions in four sectors fits on one page (the bench measures 50).
HISTORY_PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def self_employed_required(view):
    """Logged-in people only; staff accounts belong to the back office, not to this area."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_staff:
            try:
                return redirect(reverse("accounts:staff_home"))
            except NoReverseMatch:
                raise Http404 from None
        return view(request, *args, **kwargs)

    return wrapped


def _amount_preview(form, *, plan: Plan | None = None):
    """The amount for what the person chose so far, recomputed here (the page's script only previews it)."""
    cleaned = getattr(form, "cleaned_data", {})
    plan = plan or cleaned.get("plan")
    months = cleaned.get("months")
    return contribution_amount(plan=plan, months=months) if plan and months else None


def _pay_now(contribution: Contribution):
    return redirect(reverse("payments:pay_now", kwargs={"contribution_id": contribution.pk}))


@self_employed_required
@personal_page
def dashboard(request):
    context = {
        "coverage": selectors.coverage_by_sector(person=request.user),
        "renewable": selectors.renewable_registrations(person=request.user),
        "nav": "dashboard",
    }
    return render(request, "contributions/dashboard.html", context)


@self_employed_required
@require_http_methods(["GET", "POST"])
def register(request):
    """Step 1: choose the sector."""
    registered = selectors.registered_sector_ids(person=request.user)
    form = SectorChoiceForm(request.POST or None, registered_sector_ids=registered)
    if request.method == "POST" and form.is_valid():
        return redirect("contributions:register_form", sector_code=form.cleaned_data["sector"].code)
    return render(request, "contributions/register_sector.html", {"form": form, "nav": "dashboard"})


@self_employed_required
@require_http_methods(["GET", "POST"])
def register_form(request, sector_code: str):
    """Step 2: the registration form; Submit & Pay opens the first contribution and goes to PAY NOW."""
    sector = get_object_or_404(Sector, code=sector_code, is_active=True)
    if sector.pk in selectors.registered_sector_ids(person=request.user):
        form = SectorChoiceForm({"sector": sector.pk}, registered_sector_ids={sector.pk})
        form.is_valid()
        context = {"form": form, "nav": "dashboard"}
        return render(request, "contributions/register_sector.html", context, status=409)
    form = RegistrationForm(request.POST or None, request.FILES or None, person=request.user, sector=sector)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = registration_submit(
                person=request.user,
                sector=sector,
                sector_class=form.cleaned_data["sector_class"],
                particulars=form.particulars(),
                documents=form.documents(),
                plan=form.cleaned_data["plan"],
                months=form.cleaned_data["months"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _pay_now(contribution)
    context = {
        "form": form,
        "sector": sector,
        "plans": Plan.objects.filter(is_active=True).order_by("number"),
        "chosen_files": form.chosen_file_names(request.FILES) if form.is_bound else [],
        "amount_preview": _amount_preview(form),
        "nav": "dashboard",
    }
    return render(request, "contributions/register_form.html", context)


@self_employed_required
@personal_page(query=("sector", "page"))
def history(request):
    sectors = Sector.objects.filter(is_active=True).order_by("sort_order")
    sector_id = request.GET.get("sector", "")
    sector_id = int(sector_id) if sector_id.isascii() and sector_id.isdigit() else None
    queryset = selectors.contribution_history(person=request.user, sector_id=sector_id)
    page = Paginator(queryset, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.contribution_rows(page.object_list, person=request.user)
    _add_row_urls(rows)
    context = {
        "page": page,
        "rows": rows,
        "sectors": sectors,
        "sector_id": sector_id,
        "nav": "contribution",
    }
    return render(request, "contributions/history.html", context)


_URL_PLACEHOLDER = 987654321


def _url_pattern(viewname: str, **kwargs) -> str | None:
    """One reversal per page: the URL with a placeholder id, filled in per row (reversing per row is slow)."""
    try:
        return reverse(
            viewname,
            kwargs={key: _URL_PLACEHOLDER for key in kwargs} or None,
            args=None if kwargs else [_URL_PLACEHOLDER],
        )
    except NoReverseMatch:
        return None


def _fill(pattern: str | None, value) -> str | None:
    return pattern.replace(str(_URL_PLACEHOLDER), str(value)) if pattern and value is not None else None


def _add_row_urls(rows) -> None:
    view_url = _url_pattern("contributions:view")
    download_url = _url_pattern("receipts:download")
    pay_url = _url_pattern("payments:pay_now", contribution_id=None)
    renew_url = _url_pattern("contributions:renew")
    for row in rows:
        row.view_url = _fill(view_url, row.pk)
        receipt = getattr(row, "receipt", None)
        row.download_url = _fill(download_url, receipt.pk) if receipt else None
        row.pay_url = _fill(pay_url, row.pk)
        row.renew_url = _fill(renew_url, row.registration_id)


@self_employed_required
@personal_page
def view_contribution(request, pk: int):
    contribution = selectors.contribution_get_for_person(person=request.user, contribution_id=pk)
    registration = contribution.registration
    particulars = {
        name: choice_label(name, getattr(registration, name))
        for name in ("self_employed_status", "nationality", "race", "gender")
    }
    context = {
        "contribution": contribution,
        "registration": registration,
        "particulars": particulars,
        "documents": registration.documents.all(),
        "nav": "contribution",
    }
    return render(request, "contributions/view.html", context)


@self_employed_required
def renewal(request):
    """CONTRIBUTION RENEWAL: the sectors that may be renewed now."""
    context = {"renewable": selectors.renewable_registrations(person=request.user), "nav": "dashboard"}
    return render(request, "contributions/renewal.html", context)


@self_employed_required
@require_http_methods(["GET", "POST"])
def renew(request, registration_id: int):
    registration = selectors.registration_get_for_person(person=request.user, registration_id=registration_id)
    terms = selectors.renewal_terms(registration=registration)
    form = RenewalForm(request.POST or None, locked_plan=terms.locked_plan)
    if request.method == "POST" and form.is_valid() and not terms.renewable:
        form.add_error(None, terms.reason)
    elif request.method == "POST" and form.is_valid():
        try:
            contribution = contribution_renew(
                person=request.user,
                registration_id=registration.pk,
                plan=form.chosen_plan(),
                months=form.cleaned_data["months"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _pay_now(contribution)
    context = {
        "form": form,
        "terms": terms,
        "registration": registration,
        "plans": Plan.objects.filter(is_active=True).order_by("number"),
        "amount_preview": _amount_preview(form, plan=terms.locked_plan),
        "nav": "dashboard",
    }
    return render(request, "contributions/renew.html", context)


@login_required
def document_download(request, pk: int):
    """A registration document for its owner or staff, always as an attachment that cannot run."""
    document = selectors.document_get_for_viewer(user=request.user, document_id=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )
    logger.info("registration document %s downloaded by user %s", document.pk, request.user.pk)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
