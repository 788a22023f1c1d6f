"""The counter desk at PERKESO offices: find or register a person, take cash, print, void, reconcile.

Every view checks the role on the server: counter staff and supervisors (voids: supervisors only).
Anonymous visitors go to the log-in page; anyone else gets 404, as if the desk did not exist.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import ic as ic_numbers
from accounts.roles import COUNTER_STAFF, SUPERVISOR, has_any_role, has_role
from contributions.forms import RegistrationForm, SectorChoiceForm
from contributions.models import Office, Plan, Sector
from contributions.selectors import registered_sector_ids
from contributions.services import contribution_amount
from matrix_portal.audit import audit_record
from matrix_portal.backoffice_views import csv_response
from matrix_portal.errors import ApplicationError
from matrix_portal.models import AuditEvent
from matrix_portal.timeutil import format_datetime
from payments import counter_selectors as selectors
from payments import counter_services as services
from payments.counter_forms import (
    CashForm,
    FindPersonForm,
    OfficeForm,
    ReconciliationForm,
    RenewalCashForm,
    VoidForm,
    WalkInForm,
    cash_token_key,
)
from payments.models import Payment
from receipts.services import receipt_pdf_bytes

OFFICE_SESSION_KEY = "counter_office_id"
COUNTER_ROLES = (COUNTER_STAFF, SUPERVISOR)


def counter_role_required(*roles: str):
    """Anonymous: to the log-in page. Without one of `roles` (people, reviewers, roleless staff): 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_any_role(user, *roles):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return never_cache(wrapped)

    return decorator


def current_office(request) -> Office | None:
    office_id = request.session.get(OFFICE_SESSION_KEY)
    return Office.objects.filter(pk=office_id, is_active=True).first() if office_id else None


def _receipt_url(user, receipt) -> str:
    """receipts:download for counter staff; supervisors (who the receipts app does not serve) use ours."""
    if has_role(user, COUNTER_STAFF):
        return reverse("receipts:download", kwargs={"pk": receipt.pk})
    return reverse("counter:receipt", kwargs={"payment_id": receipt.payment_id})


def _context(request, **extra) -> dict:
    return {"office": current_office(request), "is_supervisor": has_role(request.user, SUPERVISOR), **extra}


# --- Desk, office, finding and registering people ---------------------------------------------------------


@require_GET
@counter_role_required(*COUNTER_ROLES)
def desk(request):
    find_form = FindPersonForm(request.GET if "ic" in request.GET else None)
    not_found_ic = ""
    if find_form.is_bound and find_form.is_valid():
        ic = find_form.cleaned_data["ic"]
        person = selectors.person_find(ic_number=ic)
        if person is not None:
            return redirect("counter:person", person_id=person.pk)
        if selectors.staff_has_ic(ic_number=ic):
            find_form.add_error("ic", services.MESSAGE_PERSON_IS_STAFF)
        else:
            not_found_ic = ic
    office = current_office(request)
    context = _context(
        request,
        find_form=find_form,
        office_form=OfficeForm(initial={"office": office}),
        not_found_ic=not_found_ic,
        not_found_ic_display=ic_numbers.formatted(not_found_ic),
        walk_in_url=f"{reverse('counter:walk_in')}?{urlencode({'ic': not_found_ic})}",
    )
    return render(request, "counter/desk.html", context)


@counter_role_required(*COUNTER_ROLES)
@require_POST
def choose_office(request):
    form = OfficeForm(request.POST)
    if form.is_valid():
        request.session[OFFICE_SESSION_KEY] = form.cleaned_data["office"].pk
        messages.success(
            request, _("You are working at %(office)s.") % {"office": form.cleaned_data["office"].name}
        )
        return redirect("counter:desk")
    context = _context(request, find_form=FindPersonForm(), office_form=form, not_found_ic="")
    return render(request, "counter/desk.html", context, status=400)


@require_http_methods(["GET", "POST"])
@counter_role_required(*COUNTER_ROLES)
def walk_in(request):
    initial = {"ic_number": ic_numbers.normalise(request.GET.get("ic", ""))[:12]}
    form = WalkInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.walk_in_account_create(staff=request.user, **form.cleaned_data)
        except ApplicationError as error:
            fields = (error.extra or {}).get("fields") or {}
            for name, message in fields.items():
                form.add_error(name, message)
            if not fields:
                form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Account opened for %(name)s. An activation link was sent to the e-mail address; until "
                    "then the person can also use Forgot password to set a password."
                )
                % {"name": person.full_name},
            )
            return redirect("counter:person", person_id=person.pk)
    return render(request, "counter/walk_in.html", _context(request, form=form))


@require_GET
@counter_role_required(*COUNTER_ROLES)
def person(request, person_id: int):
    someone = selectors.person_get(person_id=person_id)
    rows = selectors.registrations_at_counter(person=someone)
    context = _context(
        request,
        person=someone,
        ic_masked=ic_numbers.masked(someone.ic_number),
        rows=rows,
        can_register=len(registered_sector_ids(person=someone))
        < Sector.objects.filter(is_active=True).count(),
    )
    return render(request, "counter/person.html", context)


@require_http_methods(["GET", "POST"])
@counter_role_required(*COUNTER_ROLES)
def register(request, person_id: int):
    someone = selectors.person_get(person_id=person_id)
    registered = registered_sector_ids(person=someone)
    form = SectorChoiceForm(request.POST or None, registered_sector_ids=registered)
    if request.method == "POST" and form.is_valid():
        return redirect(
            "counter:register_form", person_id=someone.pk, sector_code=form.cleaned_data["sector"].code
        )
    context = _context(request, person=someone, ic_masked=ic_numbers.masked(someone.ic_number), form=form)
    return render(request, "counter/register_sector.html", context)


@require_http_methods(["GET", "POST"])
@counter_role_required(*COUNTER_ROLES)
def register_form(request, person_id: int, sector_code: str):
    """The registration form of the self-employed area, filled in by staff with the documents brought."""
    someone = selectors.person_get(person_id=person_id)
    sector = get_object_or_404(Sector, code=sector_code, is_active=True)
    if sector.pk in registered_sector_ids(person=someone):
        messages.error(request, _("This person has already registered this sector."))
        return redirect("counter:person", person_id=someone.pk)
    form = RegistrationForm(request.POST or None, request.FILES or None, person=someone, sector=sector)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = services.counter_registration_submit(
                staff=request.user,
                person=someone,
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
            messages.success(request, _("Sector registered. Take the cash for the first contribution below."))
            return redirect("counter:take_cash", contribution_id=contribution.pk)
    cleaned = getattr(form, "cleaned_data", {})
    amount_preview = (
        contribution_amount(plan=cleaned["plan"], months=cleaned["months"])
        if cleaned.get("plan") and cleaned.get("months")
        else None
    )
    context = _context(
        request,
        person=someone,
        ic_masked=ic_numbers.masked(someone.ic_number),
        sector=sector,
        form=form,
        plans=Plan.objects.filter(is_active=True).order_by("number"),
        chosen_files=form.chosen_file_names(request.FILES) if form.is_bound else [],
        amount_preview=amount_preview,
    )
    return render(request, "counter/register_form.html", context)


# --- Taking cash ------------------------------------------------------------------------------------------


def _after_cash(request, result: services.CashResult):
    receipt = result.payment.receipt
    if result.repeated:
        messages.info(request, _("This entry was already recorded. No second payment was made."))
    else:
        messages.success(
            request,
            _("Cash recorded. Receipt no. %(number)s is ready to print.") % {"number": receipt.number},
        )
    return redirect("counter:payment", payment_id=result.payment.pk)


def _already_recorded(request, **lookup) -> Payment | None:
    """The payment a resubmitted form already recorded (same server-issued key), before anything else is
    checked: the page may have changed since (the contribution is paid now), the answer must not."""
    if request.method != "POST":
        return None
    try:
        key = cash_token_key(token=request.POST.get("token", ""), staff=request.user)
        return services.cash_payment_for_key(idempotency_key=key, **lookup)
    except (ValidationError, ApplicationError):
        return None


@require_http_methods(["GET", "POST"])
@counter_role_required(*COUNTER_ROLES)
def take_cash(request, contribution_id: int):
    """Cash for a contribution waiting for payment; the amount is the contribution's, never the form's."""
    contribution = selectors.contribution_for_cash(contribution_id=contribution_id)
    repeated = _already_recorded(request, contribution_id=contribution.pk)
    if repeated is not None:
        return _after_cash(request, services.CashResult(payment=repeated, repeated=True))
    office = current_office(request)
    form = CashForm(request.POST or None, staff=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.cash_payment_take(
                contribution_id=contribution.pk,
                staff=request.user,
                office=services.office_check(office_id=office.pk if office else None),
                idempotency_key=form.cleaned_data["token"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            return _after_cash(request, result)
    paid = contribution.payments.filter(status=Payment.Status.PAID).select_related("receipt").first()
    context = _context(
        request,
        contribution=contribution,
        person=contribution.person,
        ic_masked=ic_numbers.masked(contribution.person.ic_number),
        form=form,
        paid_payment=paid,
        payable=contribution.status == contribution.Status.SUBMITTED,
    )
    return render(request, "counter/take_cash.html", context, status=status)


@require_http_methods(["GET", "POST"])
@counter_role_required(*COUNTER_ROLES)
def renew_cash(request, registration_id: int):
    """Cash for a new period of a registered sector, under the online renewal and plan-lock rules."""
    from contributions.selectors import renewal_terms

    registration = selectors.registration_for_cash(registration_id=registration_id)
    repeated = _already_recorded(request, registration_id=registration.pk)
    if repeated is not None:
        return _after_cash(request, services.CashResult(payment=repeated, repeated=True))
    terms = renewal_terms(registration=registration)
    office = current_office(request)
    form = RenewalCashForm(request.POST or None, staff=request.user, locked_plan=terms.locked_plan)
    status = 200
    if request.method == "POST" and not terms.renewable:
        form.is_valid()
        form.add_error(None, terms.reason)
        status = 409
    elif request.method == "POST" and form.is_valid():
        try:
            result = services.cash_renewal_take(
                registration_id=registration.pk,
                plan=form.chosen_plan(),
                months=form.cleaned_data["months"],
                staff=request.user,
                office=services.office_check(office_id=office.pk if office else None),
                idempotency_key=form.cleaned_data["token"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            status = 409
        else:
            return _after_cash(request, result)
    elif request.method == "POST":
        status = 400
    cleaned = getattr(form, "cleaned_data", {})
    plan = terms.locked_plan or cleaned.get("plan")
    amount_preview = (
        contribution_amount(plan=plan, months=cleaned["months"]) if plan and cleaned.get("months") else None
    )
    context = _context(
        request,
        registration=registration,
        person=registration.person,
        ic_masked=ic_numbers.masked(registration.person.ic_number),
        terms=terms,
        form=form,
        plans=Plan.objects.filter(is_active=True).order_by("number"),
        amount_preview=amount_preview,
    )
    return render(request, "counter/renew_cash.html", context, status=status)


# --- The entry, its receipt and its void ------------------------------------------------------------------


def _payment_context(request, payment: Payment, void_form=None) -> dict:
    receipt = getattr(payment, "receipt", None)
    void = getattr(payment, "cash_void", None) if hasattr(payment, "cash_void") else None
    is_supervisor = has_role(request.user, SUPERVISOR)
    void_problem = (
        services.cash_void_problem(payment=payment, supervisor=request.user) if is_supervisor else ""
    )
    return _context(
        request,
        payment=payment,
        contribution=payment.contribution,
        person=payment.contribution.person,
        ic_masked=ic_numbers.masked(payment.contribution.person.ic_number),
        receipt=receipt,
        receipt_url=_receipt_url(request.user, receipt) if receipt else "",
        void=void,
        void_problem=void_problem,
        void_form=void_form or VoidForm(),
    )


@require_GET
@counter_role_required(*COUNTER_ROLES)
def payment(request, payment_id: int):
    entry = selectors.cash_payment_get(payment_id=payment_id)
    return render(request, "counter/payment.html", _payment_context(request, entry))


@counter_role_required(SUPERVISOR)
@require_POST
def void(request, payment_id: int):
    entry = selectors.cash_payment_get(payment_id=payment_id)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            services.cash_void(
                payment_id=entry.pk,
                supervisor=request.user,
                reason=form.cleaned_data["reason"],
                office=current_office(request),
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The cash entry was voided and its receipt shows as void."))
            return redirect("counter:payment", payment_id=entry.pk)
    entry = selectors.cash_payment_get(payment_id=payment_id)
    return render(request, "counter/payment.html", _payment_context(request, entry, form), status=409)


@require_GET
@counter_role_required(*COUNTER_ROLES)
def receipt(request, payment_id: int):
    """The receipt PDF of a cash entry, the same bytes as receipts:download."""
    entry = selectors.cash_payment_get(payment_id=payment_id)
    found = getattr(entry, "receipt", None)
    if found is None:
        raise Http404
    data = receipt_pdf_bytes(receipt=found)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="RESIT-{found.number}.pdf"'
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- End of day -------------------------------------------------------------------------------------------


def _reconciliation_of(request, day):
    """Supervisors reconcile everyone's cash; counter staff see only the cash they took themselves."""
    own_only = not has_role(request.user, SUPERVISOR)
    return selectors.reconciliation(day=day, staff=request.user if own_only else None), own_only


@require_GET
@counter_role_required(*COUNTER_ROLES)
def reconciliation(request):
    form = ReconciliationForm(request.GET or None)
    day = form.chosen_date()
    report, own_only = _reconciliation_of(request, day)
    context = _context(
        request,
        form=form,
        day=day,
        report=report,
        own_only=own_only,
        csv_url=f"{reverse('counter:reconciliation_csv')}?{urlencode({'date': day.isoformat()})}",
        is_today=day == timezone.localdate(),
    )
    return render(request, "counter/reconciliation.html", context)


@require_GET
@counter_role_required(*COUNTER_ROLES)
def reconciliation_csv(request):
    day = ReconciliationForm(request.GET or None).chosen_date()
    report, own_only = _reconciliation_of(request, day)
    audit_record(
        action=AuditEvent.Action.EXPORT,
        request=request,
        after={"export": "cash reconciliation", "date": day, "own_entries_only": own_only},
    )
    header = [
        _("Date"),
        _("Per"),
        _("Name"),
        _("Office"),
        _("Cash entries"),
        _("Cash taken (RM)"),
        _("Voided entries"),
        _("Voided (RM)"),
        _("Net cash (RM)"),
    ]

    def line(kind, item, office=""):
        return [
            day.isoformat(),
            kind,
            item.label,
            office,
            item.count,
            f"{item.total:.2f}",
            item.void_count,
            f"{item.void_total:.2f}",
            f"{item.net:.2f}",
        ]

    def rows():
        for item in report.by_staff:
            yield line(_("Staff"), item, item.office)
        for item in report.by_office:
            yield line(_("Office"), item, item.label)
        yield line(_("All"), report.total)
        yield []
        yield [
            _("Paid at"),
            _("Receipt no."),
            _("IC number"),
            _("Name"),
            _("Office"),
            _("Counter staff"),
            _("Amount (RM)"),
            _("Voided at"),
            _("Void reason"),
        ]
        for entry in report.entries:
            void_row = getattr(entry, "cash_void", None) if hasattr(entry, "cash_void") else None
            yield [
                format_datetime(entry.paid_at),
                entry.receipt.number if hasattr(entry, "receipt") else "",
                ic_numbers.masked(entry.contribution.person.ic_number),
                entry.contribution.person.full_name,
                entry.office.name if entry.office_id else "",
                entry.staff.full_name if entry.staff_id else "",
                f"{entry.amount:.2f}",
                format_datetime(void_row.voided_at) if void_row else "",
                void_row.reason if void_row else "",
            ]

    return csv_response(f"cash-reconciliation-{day.isoformat()}.csv", header, rows())
