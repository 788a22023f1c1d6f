"""Session store: read from the cache (Redis), written through to the database.

Django's cached_db store trusts the cache's own time-to-live for the idle expiry. This one keeps the expiry
next to the data and checks it on every read against the portal's clock, as the database store does, so a
cached copy can never outlive the session in the database: whatever the cache server's clock or eviction
does, a session that is idle for SESSION_COOKIE_AGE is over.

The logged-in account comes with the session in the same round trip. Next to each session of a logged-in
person the store keeps a pointer naming the account's cache key (accounts/backends.py), and reads the session
and the account it points to at once (`PortalRedisCache.get_and_follow`). The account copy is only offered to
the log-in backend, for this request and for the account id the session itself names
(`session_account()`); Django still checks the session against it. The account's copy is dropped on every
change to the account, as before, so a pointer can lead to no copy (then the backend reads the account as
without the pointer), never to a stale one.
"""

import contextvars
import logging
from contextlib import contextmanager

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.utils import timezone

logger = logging.getLogger("django.contrib.sessions")

_session_in_use = contextvars.ContextVar("session_in_use", default=None)


@contextmanager
def account_offered_by(session):
    """While this runs, the log-in backend may take the account that came with `session`."""
    token = _session_in_use.set(session)
    try:
        yield
    finally:
        _session_in_use.reset(token)


def session_account(user_id):
    """The account copy that came with the session being read, when it is the account `user_id`, else None."""
    session = _session_in_use.get()
    account = getattr(session, "account_copy", None)
    if account is not None and str(account.pk) == str(user_id):
        return account
    return None


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "matrix_portal.sessions."
    account_pointer_prefix = "matrix_portal.sessions.account."
    account_copy = None

    def _cache_entry(self, data: dict, expiry) -> dict:
        return {"data": data, "expires": expiry.timestamp()}

    def _account_pointer(self, session_key: str) -> str:
        return self.account_pointer_prefix + session_key

    def _read_cache(self):
        """The cached entry, and the account its pointer leads to (where the cache can follow pointers)."""
        follow = getattr(self._cache, "get_and_follow", None)
        if follow is not None and self.session_key:
            try:
                return follow(self.cache_key, self._account_pointer(self.session_key))
            except Exception:  # noqa: BLE001 - a server refusing scripts still serves plain reads
                logger.warning("Could not read the session with its account; reading it alone", exc_info=True)
        return self._cache.get(self.cache_key), None

    def _point_to_account(self, data: dict, seconds) -> None:
        user_id = data.get(SESSION_KEY)
        point = getattr(self._cache, "point", None)
        if user_id is None or point is None or not self.session_key:
            return
        from accounts.backends import user_cache_key

        point(self._account_pointer(self.session_key), user_cache_key(user_id), seconds)

    def load(self):
        self.account_copy = None
        try:
            entry, account = self._read_cache()
        except Exception:  # noqa: BLE001 - a key the cache refuses is a session that is not there
            entry, account = None, None
        if isinstance(entry, dict) and entry.get("expires", 0) > timezone.now().timestamp():
            self.account_copy = account
            return entry["data"]
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            seconds = self.get_expiry_age(expiry=stored.expire_date)
            self._cache.set(self.cache_key, self._cache_entry(data, stored.expire_date), seconds)
            self._point_to_account(data, seconds)
        except Exception:  # noqa: BLE001 - the database copy is the one that counts
            logger.exception("Error saving to cache (%s)", self._cache)
        return data

    def save(self, must_create=False):
        cached_db.DBStore.save(self, must_create)
        try:
            seconds = self.get_expiry_age()
            self._cache.set(self.cache_key, self._cache_entry(self._session, self.get_expiry_date()), seconds)
            self._point_to_account(self._session, seconds)
        except Exception:  # noqa: BLE001
            logger.exception("Error saving to cache (%s)", self._cache)

    def delete(self, session_key=None):
        session_key = session_key or self.session_key
        super().delete(session_key)
        if session_key:
            try:
                self._cache.delete(self._account_pointer(session_key))
            except Exception:  # noqa: BLE001 - the pointer expires with the session anyway
                logger.exception("Error deleting from cache (%s)", self._cache)

    async def aload(self):
        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        await sync_to_async(self.save)(must_create)
