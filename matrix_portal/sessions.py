"""Session store: read from the cache (Redis), written through to the database.

Django's cached_db store trusts the cache's own time-to-live for the idle expiry. This one keeps the expiry
next to the data and checks it on every read against the portal's clock, as the database store does, so a
cached copy can never outlive the session in the database: whatever the cache server's clock or eviction
does, a session that is idle for SESSION_COOKIE_AGE is over.
"""

import logging

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cached_db
from django.utils import timezone

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "matrix_portal.sessions."

    def _cache_entry(self, data: dict, expiry) -> dict:
        return {"data": data, "expires": expiry.timestamp()}

    def load(self):
        try:
            entry = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - a key the cache refuses is a session that is not there
            entry = None
        if isinstance(entry, dict) and entry.get("expires", 0) > timezone.now().timestamp():
            return entry["data"]
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(
                self.cache_key,
                self._cache_entry(data, stored.expire_date),
                self.get_expiry_age(expiry=stored.expire_date),
            )
        except Exception:  # noqa: BLE001 - the database copy is the one that counts
            logger.exception("Error saving to cache (%s)", self._cache)
        return data

    def save(self, must_create=False):
        cached_db.DBStore.save(self, must_create)
        try:
            self._cache.set(
                self.cache_key,
                self._cache_entry(self._session, self.get_expiry_date()),
                self.get_expiry_age(),
            )
        except Exception:  # noqa: BLE001
            logger.exception("Error saving to cache (%s)", self._cache)

    async def aload(self):
        return await sync_to_async(self.load)()

    async def asave(self, must_create=False):
        await sync_to_async(self.save)(must_create)
