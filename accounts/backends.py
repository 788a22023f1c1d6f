"""The log-in backend: Django's ModelBackend, with the logged-in account read from the cache.

Every request of a logged-in person needs the account row (Django checks it against the session). Reading it
from the shared cache instead of PostgreSQL saves a query and the building of the model on every page.

The cached copy never outlives a change: `user_cache_forget()` runs for every save or delete of an account
(a receiver, see matrix_portal.page_cache) and again after the transaction that made it commits, and the one
bulk update of accounts (`user_disable`) calls it too. With Redis sessions the copy usually comes with the
session itself, in the same round trip (matrix_portal.sessions). USER_CACHE_SECONDS bounds what any other
write (a hand-made SQL statement, say) could leave behind. The password hash travels with the row, as Django
needs it to check the session; the cache (Redis) holds the sessions themselves, which are worth more.
"""

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from accounts.models import User
from matrix_portal.cache import drop_now_and_after_commit
from matrix_portal.sessions import session_account

logger = logging.getLogger(__name__)


def user_cache_key(user_id) -> str:
    return f"accounts.user.{user_id}"


def user_cache_forget(*, user_id) -> None:
    """Drop the cached account now and again once the current transaction commits (matrix_portal.cache)."""
    drop_now_and_after_commit(user_cache_key(user_id))


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        user = session_account(user_id)  # came with the session, in the same round trip
        if isinstance(user, User):
            return user if self.user_can_authenticate(user) else None
        key = user_cache_key(user_id)
        try:
            user = cache.get(key)
        except Exception:  # noqa: BLE001 - without the cache the account is read from the database
            logger.warning("Account cache unavailable", exc_info=True)
            return super().get_user(user_id)
        if not isinstance(user, User) or str(user.pk) != str(user_id):
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
            try:
                cache.set(key, user, seconds)
            except Exception:  # noqa: BLE001
                logger.warning("Account cache unavailable", exc_info=True)
        return user if self.user_can_authenticate(user) else None
