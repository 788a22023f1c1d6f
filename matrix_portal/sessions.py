"""Session store: read from the cache (Redis), written through to the database.

Django's cached_db store trusts the cache's own time-to-live for the idle expiry. This one keeps the expiry
next to the data and checks it on every read against the portal's clock, as the database store does, so a
cached copy can never outlive the session in the database: whatever the cache server's clock or eviction
does, a session that is idle for SESSION_COOKIE_AGE is over.

One round trip for a logged-in request. Next to each session of a logged-in person the store keeps a pointer
holding the account's id, and reads with one Lua script run by Redis: the session, the account's cached copy
(accounts/backends.py) and, for a GET, the kept page this request would be answered with and its two
generations (matrix_portal/page_cache.py, which tells the session which page that is: `page_suffix`). The
account copy is only offered to the log-in backend, for this request and for the account id the session
itself names (`session_account()`); Django still checks the session against it. The page and generations
are offered to the page cache (`prefetched`), which checks them as it checks its own reads. Copies are dropped
on every change, as before, so a pointer can lead to a missing copy (then it is read as without the
pointer), never to a stale one.
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


# KEYS: the session, its account pointer, the site's page generation. ARGV: the key prefixes of accounts,
# pages and person generations, and the page's suffix ("" for no page). Only the first two keys are read
# without the pointer's account id.
_READ_SESSION = """
local found = {redis.call('GET', KEYS[1])}
local uid = redis.call('GET', KEYS[2])
if not uid then return found end
found[2] = redis.call('GET', ARGV[1] .. uid)
if ARGV[4] ~= '' then
  found[3] = redis.call('GET', ARGV[2] .. uid .. ':' .. ARGV[4])
  found[4] = redis.call('GET', ARGV[3] .. uid)
  found[5] = redis.call('GET', KEYS[3])
end
found[6] = uid
return found
"""


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "matrix_portal.sessions."
    account_pointer_prefix = "matrix_portal.sessions.account."
    account_copy = None
    page_suffix = ""  # set by the page cache's middleware for a GET
    prefetched: dict = {}  # noqa: RUF012 - replaced, never changed in place

    def _cache_entry(self, data: dict, expiry) -> dict:
        return {"data": data, "expires": expiry.timestamp()}

    def _account_pointer(self, session_key: str) -> str:
        return self.account_pointer_prefix + session_key

    def _read_cache(self):
        """The cached entry; with Redis also the account and the page that come with it (on `self`)."""
        run = getattr(self._cache, "run_script", None)
        if run is not None and self.session_key:
            try:
                return self._read_with_script(run)
            except Exception:  # noqa: BLE001 - a server refusing scripts still serves plain reads
                logger.warning("Could not read the session with its account; reading it alone", exc_info=True)
        return self._cache.get(self.cache_key)

    def _read_with_script(self, run):
        from accounts.backends import user_cache_key
        from matrix_portal import page_cache

        prefix = self._cache.key_prefix_for_scripts
        site_key = page_cache.site_generation_key()
        found = run(
            _READ_SESSION,
            [self.cache_key, self._account_pointer(self.session_key), site_key],
            [
                prefix + user_cache_key(""),
                prefix + page_cache.PAGE_KEY_PREFIX,
                prefix + page_cache.person_generation_key(""),
                self.page_suffix,
            ],
        )
        found = [*found, None, None, None, None, None, None][:6]
        loads = self._cache.loads
        self.account_copy = loads(found[1])
        uid = found[5].decode() if isinstance(found[5], bytes) else found[5]
        if uid and self.page_suffix:
            self.prefetched = {
                page_cache.page_key(uid, self.page_suffix): loads(found[2]),
                page_cache.person_generation_key(uid): loads(found[3]),
                site_key: loads(found[4]),
            }
        return loads(found[0])

    def _point_to_account(self, data: dict, seconds) -> None:
        user_id = data.get(SESSION_KEY)
        set_text = getattr(self._cache, "set_text", None)
        if user_id is None or set_text is None or not self.session_key:
            return
        set_text(self._account_pointer(self.session_key), str(user_id), seconds)

    def load(self):
        self.account_copy, self.prefetched = None, {}
        try:
            entry = self._read_cache()
        except Exception:  # noqa: BLE001 - a key the cache refuses is a session that is not there
            entry = None
        if isinstance(entry, dict) and entry.get("expires", 0) > timezone.now().timestamp():
            return entry["data"]
        self.account_copy, self.prefetched = None, {}
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
