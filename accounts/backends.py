"""The log-in backend: Django's ModelBackend, with the logged-in account read from the cache.

Every request of a logged-in person needs the account row (Django checks it against the session). Reading it
from the shared cache instead of PostgreSQL saves a query and the building of the model on every page.

The cached copy never outlives a change: `user_cache_forget()` runs for every save or delete of an account
(a receiver, see matrix_portal.page_cache) and again after the transaction that made it commits, and the one
bulk update of accounts (`user_disable`) calls it too. USER_CACHE_SECONDS bounds what any other write
(a hand-made SQL statement, say) could leave behind. The password hash travels with the row, as Django needs
it to check the session; the cache (Redis) holds the sessions themselves, which are worth more.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction

from accounts.models import User


def user_cache_key(user_id) -> str:
    return f"accounts.user.{user_id}"


def user_cache_forget(*, user_id) -> None:
    """Drop the cached account now and again once the current transaction commits.

    The second drop matters: a request that reads the account between the save and the commit would put the
    old row back in the cache.
    """
    key = user_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class PortalModelBackend(ModelBackend):
    def get_user(self, user_id):
        seconds = settings.USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        key = user_cache_key(user_id)
        user = cache.get(key)
        if not isinstance(user, User) or str(user.pk) != str(user_id):
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
            cache.set(key, user, seconds)
        return user if self.user_can_authenticate(user) else None
