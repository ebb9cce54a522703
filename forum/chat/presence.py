"""Who is connected: one process in memory, or every process through Redis.

Each socket is recorded under its user with an expiry that the owning process refreshes
(see :mod:`forum.chat.sweeper`), so a crashed process's sockets fade out instead of
showing someone online forever. A user is *online* with any live socket not marked away,
*away* when every live socket is, and *offline* with none.
"""

from __future__ import annotations

import threading
import time

import redis

ONLINE = "online"
AWAY = "away"
OFFLINE = "offline"
# A socket not refreshed for this long is gone (its process died without saying so).
SOCKET_TTL = 60


def _status(entries: dict[str, bool]) -> str:
    if not entries:
        return OFFLINE
    return AWAY if all(entries.values()) else ONLINE


class MemoryPresence:
    """Single-process presence: a dict guarded by a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[int, dict[str, bool]] = {}

    def add(self, user_id: int, sid: str) -> tuple[str, str]:
        """Record a socket; returns (status before, status after)."""
        with self._lock:
            entries = self._sockets.setdefault(user_id, {})
            before = _status(entries)
            entries[sid] = False
            return before, _status(entries)

    def remove(self, user_id: int, sid: str) -> tuple[str, str]:
        with self._lock:
            entries = self._sockets.get(user_id, {})
            before = _status(entries)
            entries.pop(sid, None)
            if not entries:
                self._sockets.pop(user_id, None)
            return before, _status(entries)

    def set_away(self, user_id: int, sid: str, away: bool) -> tuple[str, str]:
        with self._lock:
            entries = self._sockets.get(user_id, {})
            before = _status(entries)
            if sid in entries:
                entries[sid] = away
            return before, _status(entries)

    def refresh(self, sockets: dict[str, int]) -> None:
        """Nothing expires in one process: its sockets are exactly the live ones."""

    def statuses(self, user_ids) -> dict[int, str]:
        with self._lock:
            return {uid: _status(self._sockets.get(uid, {})) for uid in user_ids}

    def sids_of(self, user_id: int) -> list[str]:
        with self._lock:
            return list(self._sockets.get(user_id, {}))

    def clear(self) -> None:
        with self._lock:
            self._sockets.clear()


class RedisPresence:
    """Presence shared by every server process: a hash per user, sid -> "expiry:away"."""

    def __init__(self, url: str, *, max_connections: int = 1000, prefix: str = "liaison:chat"):
        self.redis = redis.Redis.from_url(
            url, max_connections=max_connections, decode_responses=True
        )
        self.prefix = prefix

    def _key(self, user_id: int) -> str:
        return f"{self.prefix}:presence:{user_id}"

    @staticmethod
    def _live(raw: dict[str, str], now: float) -> dict[str, bool]:
        live = {}
        for sid, value in raw.items():
            expiry, _, away = value.partition(":")
            if float(expiry) > now:
                live[sid] = away == "1"
        return live

    def _change(self, user_id: int, sid: str, *, away: bool | None, drop: bool) -> tuple[str, str]:
        key = self._key(user_id)
        now = time.time()
        before = _status(self._live(self.redis.hgetall(key), now))
        pipe = self.redis.pipeline()
        if drop:
            pipe.hdel(key, sid)
        else:
            pipe.hset(key, sid, f"{now + SOCKET_TTL}:{'1' if away else '0'}")
            pipe.expire(key, SOCKET_TTL * 2)
        pipe.hgetall(key)
        after = _status(self._live(pipe.execute()[-1], now))
        return before, after

    def add(self, user_id: int, sid: str) -> tuple[str, str]:
        return self._change(user_id, sid, away=False, drop=False)

    def remove(self, user_id: int, sid: str) -> tuple[str, str]:
        return self._change(user_id, sid, away=None, drop=True)

    def set_away(self, user_id: int, sid: str, away: bool) -> tuple[str, str]:
        if sid not in self.redis.hkeys(self._key(user_id)):
            status = self.statuses([user_id])[user_id]
            return status, status
        return self._change(user_id, sid, away=away, drop=False)

    def refresh(self, sockets: dict[str, int]) -> None:
        """Push the expiry of this process's sockets forward (called every few seconds)."""
        if not sockets:
            return
        now = time.time()
        pipe = self.redis.pipeline()
        for sid, user_id in sockets.items():
            pipe.hget(self._key(user_id), sid)
        current = pipe.execute()
        pipe = self.redis.pipeline()
        for (sid, user_id), value in zip(sockets.items(), current, strict=True):
            away = bool(value and value.endswith(":1"))
            pipe.hset(self._key(user_id), sid, f"{now + SOCKET_TTL}:{'1' if away else '0'}")
            pipe.expire(self._key(user_id), SOCKET_TTL * 2)
        pipe.execute()

    def statuses(self, user_ids) -> dict[int, str]:
        user_ids = list(user_ids)
        if not user_ids:
            return {}
        now = time.time()
        pipe = self.redis.pipeline()
        for uid in user_ids:
            pipe.hgetall(self._key(uid))
        return {
            uid: _status(self._live(raw, now))
            for uid, raw in zip(user_ids, pipe.execute(), strict=True)
        }

    def sids_of(self, user_id: int) -> list[str]:
        return list(self._live(self.redis.hgetall(self._key(user_id)), time.time()))

    def clear(self) -> None:
        for key in self.redis.scan_iter(f"{self.prefix}:presence:*"):
            self.redis.delete(key)
