"""Access to the back office: every staff view names the roles it serves and is checked on the server."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from accounts.roles import has_any_role


def staff_role_required(*roles: str):
    """Anonymous: to the staff log-in. Not staff: 404 (the page does not exist for them). Wrong role: 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
            if not (user.is_active and user.is_staff):
                raise Http404
            if not has_any_role(user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
