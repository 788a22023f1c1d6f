"""The staff second factor, enforced for every page in one place."""

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.roles import needs_second_factor
from matrix_portal.sessions import account_offered_by

# Pages a staff session may open before its second factor: the second-factor page itself, logging out,
# changing the language, the health check and (in development) the outbox that shows the SMS.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {"accounts:second_factor", "accounts:logout", "set_language", "healthz", "dev_outbox"}
)
# The admin checks its own second factor (django-otp's OTPAdminSite and its log-in form).
OWN_SECOND_FACTOR_NAMESPACES = frozenset({"admin"})


class StaffSecondFactorMiddleware:
    """A logged-in staff member or superuser whose session has not passed the second factor is sent to the
    second-factor page (with `next`) from any page, so a new staff page is covered without a decorator.

    Goes after django-otp's OTPMiddleware, which gives `request.user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not needs_second_factor(user) or user.is_verified():
            return None
        match = request.resolver_match
        if match.view_name in OPEN_BEFORE_SECOND_FACTOR or OWN_SECOND_FACTOR_NAMESPACES & set(
            match.namespaces
        ):
            return None
        return redirect_to_login(request.get_full_path(), login_url=reverse("accounts:second_factor"))


def _get_user(request):
    if not hasattr(request, "_cached_user"):
        with account_offered_by(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the account that came with the session (matrix_portal.sessions) offered to the log-in
    backend, which saves reading the account in a round trip of its own."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _get_user(request))
