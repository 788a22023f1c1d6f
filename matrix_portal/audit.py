"""The audit trail: one append-only AuditEvent per staff action.

Services call `audit_record()` for the actions they perform (review decisions, cash entries, voids).
Log-ins and everything changed through the Django admin are recorded by the receivers below, which
`MatrixPortalConfig.ready()` connects; the admin receivers use the request that `AuditRequestMiddleware`
makes available while a view runs.
"""

import contextvars
import ipaddress
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import salted_hmac

from accounts import ic as ic_numbers
from matrix_portal.models import AuditEvent

_current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)

# Values never copied into an audit row.
REDACTED_FIELDS = frozenset({"password", "secret_phrase", "token", "key", "otp_token", "verification_token"})
MASKED_IC_FIELDS = frozenset({"ic_number"})
# Bookkeeping models whose saves during an admin request are not staff actions in themselves.
UNAUDITED_APPS = frozenset({"sessions", "admin", "axes", "contenttypes", "otp_totp", "otp_static"})
UNAUDITED_MODELS = frozenset({"django_celery_beat.periodictasks"})  # beat's own change marker


class AuditRequestMiddleware:
    """Makes the current request available to the audit receivers for the duration of the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request) -> str | None:
    """REMOTE_ADDR only: headers such as X-Forwarded-For are set by the client and prove nothing."""
    if request is None:
        return None
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _actor_label(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return f"{user.full_name} ({ic_numbers.masked(user.ic_number)})"[:200]


def _jsonable(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, default=str))


def _fingerprint(value) -> str:
    """A secret is never copied; a keyed fingerprint still shows that it changed."""
    if not value:
        return ""
    digest = salted_hmac("matrix_portal.audit.redacted", str(value), algorithm="sha256").hexdigest()
    return f"[redacted {digest[:10]}]"


def snapshot(instance: models.Model) -> dict:
    """The record's own columns as JSON, with secrets removed and IC numbers masked."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in REDACTED_FIELDS:
            data[field.name] = _fingerprint(field.value_from_object(instance))
            continue
        value = field.value_from_object(instance)
        if field.name in MASKED_IC_FIELDS and value:
            value = ic_numbers.masked(str(value))
        elif isinstance(value, models.Model | models.fields.files.FieldFile):
            value = field.value_to_string(instance)
        data[field.name] = value
    return _jsonable(data)


def _target_fields(target) -> dict:
    if target is None:
        return {"target_type": "", "target_id": "", "target_repr": ""}
    return {
        "target_type": target._meta.label_lower,
        "target_id": str(target.pk or ""),
        "target_repr": str(target)[:200],
    }


def audit_record(
    *,
    action: str,
    actor=None,
    target: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
    at=None,
    target_repr: str = "",
) -> AuditEvent:
    """Append one audit event. `actor` defaults to the request's user; the IP is REMOTE_ADDR.

    `target_repr` replaces str(target) when that would not tell a reader which record it was.
    """
    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    event = AuditEvent(
        actor=actor,
        actor_label=_actor_label(actor),
        ip_address=client_ip(request),
        action=action,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        **_target_fields(target),
    )
    if target_repr:
        event.target_repr = target_repr[:200]
    if at is not None:
        event.at = at
    event.save()
    return event


# Receivers -------------------------------------------------------------------------------------------


def on_user_logged_in(sender, request, user, **kwargs):
    if user.is_staff:
        audit_record(action=AuditEvent.Action.STAFF_LOGIN, actor=user, target=user, request=request)


def _admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


def _staff_admin_request():
    """The current request when it is a staff member's write through the Django admin, else None."""
    request = _current_request.get()
    if request is None or request.method != "POST":
        return None
    # the user first: it is already loaded, while the admin's URL is resolved on every call (every save)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return None
    prefix = _admin_prefix()
    if not prefix or not request.path.startswith(prefix):
        return None
    return request


def _audited(sender) -> bool:
    meta = sender._meta
    return (
        meta.app_label not in UNAUDITED_APPS
        and meta.label_lower not in UNAUDITED_MODELS
        and sender is not AuditEvent
    )


def _is_user_model(sender) -> bool:
    from django.contrib.auth import get_user_model

    return issubclass(sender, get_user_model())


def on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender) or _staff_admin_request() is None or instance._state.adding:
        return
    current = sender._base_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(current) if current is not None else None


def on_post_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not _audited(sender):
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    request = _staff_admin_request()
    if request is None:
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before is not None and before == after:
        return
    if _is_user_model(sender):
        action = AuditEvent.Action.USER_ADDED if created else AuditEvent.Action.USER_CHANGED
    else:
        action = AuditEvent.Action.RECORD_ADDED if created else AuditEvent.Action.RECORD_CHANGED
    audit_record(action=action, target=instance, before=before, after=after, request=request)


def on_pre_delete(sender, instance, **kwargs):
    if not _audited(sender):
        return
    request = _staff_admin_request()
    if request is None:
        return
    action = AuditEvent.Action.USER_DELETED if _is_user_model(sender) else AuditEvent.Action.RECORD_DELETED
    audit_record(action=action, target=instance, before=snapshot(instance), after=None, request=request)


def _group_names(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def on_user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Role changes (group membership) made through the admin, from either side of the relation."""
    if _staff_admin_request() is None:
        return
    from django.contrib.auth import get_user_model

    User = get_user_model()
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or []))
    if reverse and action in {"pre_clear", "post_clear"}:
        return
    if action.startswith("pre_"):
        instance._audit_groups_before = {user.pk: _group_names(user) for user in users}
        return
    if not action.startswith("post_"):
        return
    before_by_user = getattr(instance, "_audit_groups_before", {})
    for user in users:
        before = before_by_user.get(user.pk)
        after = _group_names(user)
        if before != after:
            audit_record(
                action=AuditEvent.Action.USER_ROLES_CHANGED,
                target=user,
                before={"groups": before},
                after={"groups": after},
            )
