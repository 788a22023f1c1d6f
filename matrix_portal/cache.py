"""The shared cache: Django's Redis cache with one client per pool, and dropping cached copies on changes.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call; building one fills its table
of some 170 response callbacks, which cost more than the Redis round trip itself on a logged-in page (three
calls: the session, the account, and the page with its generations). A `redis.Redis` object is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept and reused.

`PortalRedisCache.run_script()` runs a short Lua script in Redis: the session store uses one to read the
session, the logged-in account and the kept page a request asks for in one round trip.

`drop_now_and_after_commit()` is how the account cache (accounts/backends.py) and the page cache
(matrix_portal/page_cache.py) forget what a change makes stale.
"""

import functools
import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction

logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client

    def script(self, client, source: str):
        """The Lua script `source` bound to `client` (redis-py loads it on first use and after a flush)."""
        script = self._scripts.get((id(client), source))
        if script is None:
            script = self._scripts[(id(client), source)] = client.register_script(source)
        return script


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    @functools.cached_property
    def key_prefix_for_scripts(self) -> str:
        """What make_key() puts before a key (a script builds some of its keys itself); fixed per cache."""
        made = self.make_and_validate_key("k")
        if not made.endswith(":k"):
            raise ValueError("A custom KEY_FUNCTION is not supported by the portal's scripts")
        return made[:-1]

    def set_text(self, key, text: str, timeout) -> None:
        """Store plain text (not pickled), for a script to read; it expires after `timeout` seconds."""
        made = self.make_and_validate_key(key)
        self._cache.get_client(made, write=True).set(made, text, ex=max(1, int(timeout)))

    def run_script(self, source: str, keys, args=()) -> list:
        """Run the Lua script `source` in Redis (one round trip) with the made `keys`; its raw answer."""
        made = [self.make_and_validate_key(key) for key in keys]
        client = self._cache.get_client(made[0])
        return self._cache.script(client, source)(keys=made, args=list(args))

    def loads(self, raw):
        """A value a script read, as get() would give it (None for a missing key)."""
        return None if raw is None else self._cache._serializer.loads(raw)


class _DropAfterCommit:
    """One on-commit callback per transaction dropping every key changed in it."""

    __qualname__ = "drop_after_commit"  # Django names a failing robust callback by it

    def __init__(self):
        self.keys: set[str] = set()

    def __call__(self):
        _delete(*self.keys)


def _delete(*keys: str) -> None:
    try:
        cache.delete_many(list(keys))
    except Exception:  # noqa: BLE001 - the change is committed; the copies expire on their own
        logger.exception("Could not drop %d cached entries", len(keys))


def drop_now_and_after_commit(key: str) -> None:
    """Drop a cached copy of data that is changing: at once, and again once the transaction commits.

    At once, so that this connection (and a test running in one transaction) sees the change; again after the
    commit, because another request may have cached the old rows in between. The drops after the commit are
    gathered into one callback per transaction and one round trip: a transaction often saves several rows
    of one person. If Redis cannot be reached the error is logged and the copies expire on their own.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _delete(key)
        return
    # Reuse the transaction's callback while it is still registered. A rolled-back savepoint discards a
    # callback registered inside it, keys and all, and the next change registers a new one. A key added to a
    # callback whose savepoint is rolled back later was changed inside that savepoint, so its change is
    # undone too (and an extra drop is harmless anyway).
    pending = getattr(connection, "_drop_after_commit", None)
    if pending is None or not any(func is pending for _, func, _ in connection.run_on_commit):
        pending = connection._drop_after_commit = _DropAfterCommit()
        transaction.on_commit(pending, robust=True)
    pending.keys.add(key)
    _delete(key)
