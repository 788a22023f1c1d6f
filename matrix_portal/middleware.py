"""Project middleware: the person's language, absolute session lifetime, and no-store on personal pages."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import translation

from matrix_portal.page_cache import page_suffix

logger = logging.getLogger(__name__)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, telling the session which kept page a GET would be answered with: the session store reads
    it in the same round trip as the session and the account (matrix_portal.sessions, page_cache)."""

    def process_request(self, request):
        super().process_request(request)
        if request.method == "GET" and request.session.session_key:
            request.session.page_suffix = page_suffix(request)


class UserLanguageMiddleware:
    """After log-in, the account's language preference wins over the cookie and the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class SessionIdleRefreshMiddleware:
    """Keeps the 30-minute idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST would save (and so re-date) the session on each request: an UPDATE and a
    COMMIT per page. Instead the session is marked as changed, and so saved with a new expiry by
    SessionMiddleware, only when its expiry was last moved SESSION_IDLE_REFRESH_SECONDS ago or more, or when
    the request changed it anyway. Must come after SessionMiddleware, so that it runs before the save.
    """

    key = "_idle_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        if session.modified:  # saved anyway: note the time so the next requests need not save
            session[self.key] = now
            return response
        last = session.get(self.key)  # loads the session if nothing did
        if session.is_empty():  # the cookie named a session that has ended
            return response
        if last is None or abs(now - last) >= settings.SESSION_IDLE_REFRESH_SECONDS:
            session[self.key] = now
        return response


class NulInPathMiddleware:
    """A NUL byte in the path names no page: answer 404 before a view passes it to the database.

    Path parameters (tokens, codes) reach queries without a form's validation, and PostgreSQL refuses NUL
    in text, which would otherwise end in a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            from matrix_portal.views import page_not_found

            return page_not_found(request)
        return self.get_response(request)


class SessionAbsoluteTimeoutMiddleware:
    """Ends a logged-in session SESSION_ABSOLUTE_MAX_AGE seconds after log-in, however active it was."""

    key = "_auth_started_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(self.key)
            now = int(time.time())
            if started is None:
                request.session[self.key] = now
            elif now - started > settings.SESSION_ABSOLUTE_MAX_AGE:
                logout(request)
                return redirect(settings.LOGIN_URL)
        response = self.get_response(request)
        # The log-in request itself starts the clock (not the first page after it).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self.key not in request.session:
            request.session[self.key] = int(time.time())
        return response


class NoStoreForPersonalPagesMiddleware:
    """Pages served to a logged-in person must not be kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class DatabaseUnavailableMiddleware:
    """A lost database connection gives the styled 503 page (with Retry-After), never a trace.

    The transaction in progress is rolled back by PostgreSQL, so nothing is left half-applied; the broken
    connection is closed at the end of the request and the next request reconnects.
    """

    retry_after_seconds = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.template.loader import render_to_string

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error(
            "Database unavailable (%s %s): %s", request.method, request.path, type(exception).__name__
        )
        # Rendered without the request: no context processor may touch the database that just failed.
        response = HttpResponse(render_to_string("errors/503.html"), status=503)
        response["Retry-After"] = str(self.retry_after_seconds)
        response["Cache-Control"] = "no-store"
        return response
