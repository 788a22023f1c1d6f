"""Django's Redis cache, keeping one client object per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache call; building one fills its table
of some 170 response callbacks, which cost more than the Redis round trip itself on a logged-in page (four
calls: the session, the account, the page generations and the page). A `redis.Redis` object is safe to share
between threads (each command takes a connection from the pool), so one per pool is kept and reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
