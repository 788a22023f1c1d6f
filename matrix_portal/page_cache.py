"""A self-employed person's own pages (dashboard, history, contribution view), kept between changes.

The pages a person opens again and again only change when their data does. A rendered page is kept under a key
made of the person, today's date in Malaysia and the full path (with the query), together with the language it
was rendered in and the generations of the person's data and of the site's reference data it was made under.
It is served again in that language while both generations are still current, for
PERSONAL_PAGE_CACHE_SECONDS at most. The page and the two generations are read in one round trip, which with
Redis sessions is the session's own (matrix_portal.sessions).

- Generations: a random token per person and one for the whole site. `person_pages_changed()` drops the
  person's token at once and again when the transaction that changed their data commits (the receivers
  below call it for every save or delete of their account, registrations, documents, contributions,
  payments and receipts; the payment confirmation, which writes its rows in SQL without signals, calls it
  itself, once);
  `all_pages_changed()` does the same for the reference data every page shows (sectors, classes, plans,
  states, towns, offices, banks). The next request draws a new token, so no page made before the change
  matches. The second drop, after the commit, undoes a page that a request reading the old rows stored under a
  token it drew in between.
- What differs per request is never stored: the page is rendered with placeholders for the CSRF token and
  the CSP nonce, and each answer gets this request's values put in their place.
- Redis down: pages are rendered as without the cache, and changes are logged as not dropped (the copies
  expire on their own).
- Not cached: anything but a 200 answer to GET; staff; a request with messages to show (they are shown once);
  a query string with anything but the page's own numeric parameters, each once.
"""

from __future__ import annotations

import logging
import secrets
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from matrix_portal.cache import drop_now_and_after_commit

logger = logging.getLogger(__name__)
CSRF_PLACEHOLDER = "mpCsrfPlaceholder0"
NONCE_PLACEHOLDER = "mpNoncePlaceholder0"
_SITE_GENERATION_KEY = "pages.generation.site"
PAGE_KEY_PREFIX = "pages:"


def person_generation_key(person_id) -> str:
    return f"pages.generation.{person_id}"


def site_generation_key() -> str:
    return _SITE_GENERATION_KEY


def page_key(person_id, suffix: str) -> str:
    """The key of what is kept for the person under `suffix` (a page: `page_suffix(request)`)."""
    return f"{PAGE_KEY_PREFIX}{person_id}:{suffix}"


def page_suffix(request) -> str:
    """What identifies a page besides its person: today's date in Malaysia and the full path."""
    return f"{timezone.localdate().isoformat()}:{request.get_full_path()}"


def person_pages_changed(*, person_id) -> None:
    """The person's data changed: none of their kept pages is served again."""
    drop_now_and_after_commit(person_generation_key(person_id))


def all_pages_changed() -> None:
    """Data that every person's pages show changed (a sector's name, a plan...)."""
    drop_now_and_after_commit(_SITE_GENERATION_KEY)


# A generation outlives the pages made under it; when it expires the next request simply draws a new one.
GENERATION_SECONDS = 3600
# Query strings a kept page may have: only the page's own parameters, each once, digits or empty. Anything
# else is rendered but not kept, so nobody can fill the cache with pages by varying the query string.
MAX_QUERY_VALUE_LENGTH = 10


def _draw(key: str) -> str:
    """A new generation token; add() keeps one that another process drew first, so read back the winner."""
    cache.add(key, secrets.token_hex(8), GENERATION_SECONDS)
    return cache.get(key) or ""


def placeholders_in_use(request) -> dict:
    """Context for templates rendered for the cache: the per-request values as placeholders."""
    if getattr(request, "personal_page_cache_render", False):
        return {"csrf_token": CSRF_PLACEHOLDER, "CSP_NONCE": NONCE_PLACEHOLDER}
    return {}


def _fill(request, content: bytes) -> bytes:
    content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
    if NONCE_PLACEHOLDER.encode() in content:
        content = content.replace(NONCE_PLACEHOLDER.encode(), str(request.csp_nonce).encode())
    return content


def _plain_query(request, allowed: frozenset[str]) -> bool:
    for name, values in request.GET.lists():
        if name not in allowed or len(values) != 1:
            return False
        value = values[0]
        if len(value) > MAX_QUERY_VALUE_LENGTH or not (value == "" or (value.isascii() and value.isdigit())):
            return False
    return True


def _cacheable_request(request, allowed_query: frozenset[str]) -> bool:
    user = request.user
    return (
        settings.PERSONAL_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and user.is_authenticated
        and not user.is_staff
        and _plain_query(request, allowed_query)
        and not len(messages.get_messages(request))
    )


def _read_kept(*, person_id, key: str, prefetched=None):
    """(what is kept under `key` if made under the current generations, the current generations).

    One round trip for the value and both generations, none when they came with the session
    (`prefetched`, matrix_portal.sessions). Raises whatever the cache raises.
    """
    person_key = person_generation_key(person_id)
    keys = [key, person_key, _SITE_GENERATION_KEY]
    came_with_session = bool(prefetched) and all(name in prefetched for name in keys)
    found = prefetched if came_with_session else cache.get_many(keys)
    generations = (
        found.get(person_key) or _draw(person_key),
        found.get(_SITE_GENERATION_KEY) or _draw(_SITE_GENERATION_KEY),
    )
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == generations:
        return kept[1], generations
    return None, generations


def _keep(*, key: str, generations: tuple, value, path: str) -> None:
    try:
        cache.set(key, (generations, value), settings.PERSONAL_PAGE_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("Page cache unavailable; %s not kept", path, exc_info=True)


def kept_for_person(
    *, person_id, name: str, make, keep_if=lambda value: True, path: str = "", prefetched=None
):
    """`make()`'s value, kept for the person under `name` while their data and the site's stay the same.

    For what a person's pages need besides whole pages (the download's receipt row, say). `keep_if(value)`
    decides whether a value made now may be kept (only what belongs to this person's data should be: a
    change to anyone else's rows does not drop this person's copies). `prefetched`: what came with the
    session (named by the request's page suffix). Off, or Redis down: `make()`.
    """
    if settings.PERSONAL_PAGE_CACHE_SECONDS <= 0:
        return make()
    key = page_key(person_id, name)
    try:
        value, generations = _read_kept(person_id=person_id, key=key, prefetched=prefetched)
    except Exception:  # noqa: BLE001 - without the cache the value is simply made
        logger.warning("Page cache unavailable; making %s", name, exc_info=True)
        return make()
    if value is not None:
        return value
    value = make()
    if value is not None and keep_if(value):
        _keep(key=key, generations=generations, value=value, path=path or name)
    return value


def personal_page(view=None, *, query: tuple[str, ...] = ()):
    """Serve the view's page from the cache while the person's data and the day stay the same.

    `query`: the names of the page's own query parameters (numbers), e.g. ("sector", "page").
    """
    if view is None:
        return lambda view: personal_page(view, query=query)
    allowed_query = frozenset(query)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _cacheable_request(request, allowed_query):
            return view(request, *args, **kwargs)
        key = page_key(request.user.pk, page_suffix(request))
        language = translation.get_language() or ""
        prefetched = getattr(request.session, "prefetched", None)
        try:
            kept, generations = _read_kept(person_id=request.user.pk, key=key, prefetched=prefetched)
        except Exception:  # noqa: BLE001 - without the cache the page is simply rendered
            logger.warning("Page cache unavailable; rendering %s", request.path, exc_info=True)
            return view(request, *args, **kwargs)
        if kept is not None and kept[0] == language:  # one copy per page: the language last asked for
            _, content_type, content = kept
            return HttpResponse(_fill(request, content), content_type=content_type)
        request.personal_page_cache_render = True
        try:
            response = view(request, *args, **kwargs)
        finally:
            request.personal_page_cache_render = False
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or response.has_header("Content-Disposition")
        ):
            return response
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        content_type = response.get("Content-Type", "text/html; charset=utf-8")
        value = (language, content_type, response.content)
        _keep(key=key, generations=generations, value=value, path=request.path)
        response.content = _fill(request, response.content)
        return response

    return wrapped


# --- What counts as a change -----------------------------------------------------------------------------


def _owner_id(instance):
    """The person whose pages show this row (the related rows already loaded are used before a query)."""
    from contributions.models import Contribution, RegistrationDocument
    from payments.models import Payment
    from receipts.models import Receipt

    if isinstance(instance, RegistrationDocument):
        cached = instance._state.fields_cache.get("registration")
        if cached is not None:
            return cached.person_id
        return _first_value(type(instance).objects.filter(pk=instance.pk), "registration__person_id")
    if isinstance(instance, Payment):
        cached = instance._state.fields_cache.get("contribution")
        if cached is not None:
            return cached.person_id
        return _first_value(Contribution.objects.filter(pk=instance.contribution_id), "person_id")
    if isinstance(instance, Receipt):
        payment = instance._state.fields_cache.get("payment")
        contribution = payment._state.fields_cache.get("contribution") if payment is not None else None
        if contribution is not None:
            return contribution.person_id
        return _first_value(Payment.objects.filter(pk=instance.payment_id), "contribution__person_id")
    return getattr(instance, "person_id", None)


def _first_value(queryset, field: str):
    return queryset.values_list(field, flat=True).first()


def _on_person_row_changed(sender, instance, **kwargs):
    from accounts.models import User

    if isinstance(instance, User):
        from accounts.backends import user_cache_forget

        user_cache_forget(user_id=instance.pk)
        person_pages_changed(person_id=instance.pk)
        return
    person_id = _owner_id(instance)
    if person_id is not None:
        person_pages_changed(person_id=person_id)


def _on_reference_row_changed(sender, instance, **kwargs):
    all_pages_changed()


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save, pre_delete

    from accounts.models import User
    from contributions.models import (
        Contribution,
        Office,
        Plan,
        RegistrationDocument,
        Sector,
        SectorClass,
        SectorRegistration,
        State,
        Town,
    )
    from payments.models import Bank, Payment
    from receipts.models import Receipt

    for model in (User, SectorRegistration, RegistrationDocument, Contribution, Payment, Receipt):
        uid = f"page_cache.person.{model._meta.label_lower}"
        post_save.connect(_on_person_row_changed, sender=model, dispatch_uid=uid)
        # before the row goes, while its owner can still be looked up
        pre_delete.connect(_on_person_row_changed, sender=model, dispatch_uid=uid)
    for model in (Sector, SectorClass, Plan, State, Town, Office, Bank):
        uid = f"page_cache.site.{model._meta.label_lower}"
        post_save.connect(_on_reference_row_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_reference_row_changed, sender=model, dispatch_uid=uid)
