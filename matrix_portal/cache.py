"""The shared cache: Django's Redis cache with one client per pool, and dropping cached copies on changes.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call; building one fills its table
of some 170 response callbacks, which cost more than the Redis round trip itself on a logged-in page (three
calls: the session, the account, and the page with its generations). A `redis.Redis` object is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept and reused.

`PortalRedisCache.get_and_follow()` reads a key and the key another key names in one round trip (a short
script run by Redis): the session store uses it to bring the logged-in account with the session.

`drop_now_and_after_commit()` is how the account cache (accounts/backends.py) and the page cache
(matrix_portal/page_cache.py) forget what a change makes stale.
"""

import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction

logger = logging.getLogger(__name__)


# KEYS[1]: a value; KEYS[2]: a pointer holding the name of another key. Both values in one answer.
_GET_AND_FOLLOW = """
local value = redis.call('GET', KEYS[1])
local target = redis.call('GET', KEYS[2])
local followed = false
if target then followed = redis.call('GET', target) end
return {value, followed}
"""


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

    def follow_script(self, client):
        """The get-and-follow script bound to `client` (redis-py loads it on first use and after a flush)."""
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_GET_AND_FOLLOW)
        return script


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def point(self, pointer, target, timeout) -> None:
        """Make `pointer` name the cache key `target`, for get_and_follow(); it expires after `timeout`."""
        made = self.make_and_validate_key(pointer)
        client = self._cache.get_client(made, write=True)
        client.set(made, self.make_and_validate_key(target), ex=max(1, int(timeout)))

    def get_and_follow(self, key, pointer):
        """(the value at `key`, the value at the key `pointer` names), None for either that is missing.

        One round trip: Redis runs a three-command script (EVALSHA; loaded on first use).
        """
        made = self.make_and_validate_key(key)
        client = self._cache.get_client(made)
        value, followed = self._cache.follow_script(client)(keys=[made, self.make_and_validate_key(pointer)])
        loads = self._cache._serializer.loads
        return (None if value is None else loads(value), None if followed is None else loads(followed))


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
