"""Session engine: sessions read from the cache (Redis in production), the database the record.

Settings: SESSION_ENGINE = "accounts.sessions".

Django's `cached_db` engine (issue 21: a signed-in request no longer reads its session from
PostgreSQL): a session is read from the cache and, on a miss, from the database (then cached);
every save writes the database first and then the cache, so the database always holds every
session and a cache that is emptied or restarted signs nobody out. The store also records the
owner of each session (models.PortalSession), so a leaver's sessions can be ended at once:
`end_sessions` deletes the rows and their cached copies.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import caches
from django.db import transaction
from django.db.models import QuerySet

logger = logging.getLogger("accounts.sessions")


class SessionStore(CachedDBStore):
    @classmethod
    def get_model_class(cls):
        from .models import PortalSession

        return PortalSession

    # Redis out of reach must not stop anyone signing in or out: Django's engine already
    # survives some failures of the cache; these three asked it without a guard.
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=row.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session was read from the database")
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unavailable; asking the database")
        return DBStore.exists(self, session_key)

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            # The row is gone; a copy another server still reads from the cache ends with its
            # expiry (the session lifetime), or at once for a deactivated person.
            logger.error("Session cache unavailable; a signed-out session's copy was not removed")

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        try:
            obj.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            obj.user_id = None
        return obj


def end_sessions(sessions: QuerySet) -> int:
    """Delete these sessions from the database and from the cache; how many rows went.

    The cached copies are dropped now and again once the transaction commits: a request that
    missed the cache in between could have copied a row that was still there. (A leaver's
    account is deactivated in the same transaction, so such a copy would not sign them in.)
    """
    keys = [KEY_PREFIX + key for key in sessions.values_list("session_key", flat=True)]
    deleted, _ = sessions.delete()
    if keys:
        _forget(keys)
        transaction.on_commit(lambda: _forget(keys))
    return deleted


def _forget(keys: list[str]) -> None:
    try:
        caches[settings.SESSION_CACHE_ALIAS].delete_many(keys)
    except Exception:
        logger.error("Session cache unavailable; %d ended sessions keep a cached copy", len(keys))
