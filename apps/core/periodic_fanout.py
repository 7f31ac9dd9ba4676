"""Which networks beat's periodic tasks go to: the networks with work, and every other one only now and then.

Sending every periodic task into every network costs ~2,200 tasks a minute at 1,000 networks, nearly all of them
finding nothing to do. The sweeps (outbox, money, Stripe events, offers, batch re-planning, …) only ever act on
work that came in through the outbox — orders, payments, Stripe events, e-mails are all outbox messages — so a
network is *busy* while it has had an outbox message within `FLEET_BUSY_WINDOW_S` (14 days by default: longer
than an offer's answer window, a refund window or a payout hold). Busy networks get every periodic task on its
schedule. An idle network gets each one at most every `FLEET_IDLE_INTERVAL_S` (6 h): its time-based work (an
old session, the odd late deadline) is still done, a few hours late at worst, for a handful of tasks a day.

The marks live in Redis (a sorted set: schema → when work last came in; a hash per periodic task: schema → when
beat last sent it there). When Redis is unreachable, or the marks are gone (a flushed or new Redis, until the
next outbox mark anywhere, at most a minute after the next outbox message), every network gets every task: the
rule only ever saves work, never loses it.
"""

import logging
import time
import zlib
from collections.abc import Iterable

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

BUSY_KEY = "fleet:busy"  # sorted set: schema -> unix time of the network's latest outbox message
SENT_KEY = "fleet:periodic-sent:{task}"  # hash: schema -> unix time beat last sent that task there
MARKED = ""  # a member scored +inf: the marks exist (a flushed Redis has none, and then nobody is idle)

# An outbox commit is on a request's path and a network stays busy for days: this process writes a network's mark
# at most once a minute (and, Redis being down, waits out its timeout at most that often), not once per message.
MARK_EVERY_S = 60.0
_marked_at: dict[str, float] = {}  # schema -> when this process last wrote (or tried to write) its mark

_clients: dict[str, redis.Redis] = {}


def _redis() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _clients[url]


def network_work_mark(schema: str, *, now: float | None = None) -> None:
    """Work came into the network (an outbox message committed): it is busy for the next BUSY_WINDOW_S."""
    now = now if now is not None else time.time()
    if now - _marked_at.get(schema, float("-inf")) < MARK_EVERY_S:
        return
    _marked_at[schema] = now
    try:
        _redis().zadd(BUSY_KEY, {schema: now, MARKED: float("inf")})
    except redis.RedisError:
        # The network may then miss a few sweeps until its idle turn; the message itself is already committed.
        logger.warning("could not mark network %s busy", schema, exc_info=True)


def periodic_targets(task_name: str, schemas: Iterable[str], *, now: float | None = None) -> list[str]:
    """The schemas among `schemas` that get `task_name` now, recorded as sent."""
    schemas = list(schemas)
    now = now if now is not None else time.time()
    busy_window, idle_interval = _windows()
    try:
        client = _redis()
        if not client.exists(BUSY_KEY):
            targets = schemas  # no marks at all: nothing is known to be idle
        else:
            busy = {member.decode() for member in client.zrangebyscore(BUSY_KEY, now - busy_window, "+inf")}
            sent_key = SENT_KEY.format(task=task_name)
            sent = {key.decode(): float(value) for key, value in client.hgetall(sent_key).items()}
            targets = [
                schema
                for schema in schemas
                if schema in busy
                or now - sent.get(schema, 0.0) >= _idle_turn(task_name, schema, idle_interval)
            ]
        if targets:
            client.hset(SENT_KEY.format(task=task_name), mapping=dict.fromkeys(targets, now))
        # Marks of networks quiet for long (or deleted) are dropped: the set stays the size of the busy fleet.
        client.zremrangebyscore(BUSY_KEY, "-inf", now - 2 * busy_window)
        return targets
    except redis.RedisError:
        logger.warning(
            "periodic fan-out without Redis: sending %s to every network", task_name, exc_info=True
        )
        return schemas


def periodic_unsent(task_name: str, schemas: Iterable[str]) -> None:
    """Forgets that `schemas` were sent `task_name` (`periodic_targets` records before the sends; the broker refused
    these): they are due again at the next dispatch instead of waiting out an idle turn they never had."""
    schemas = list(schemas)
    if not schemas:
        return
    try:
        _redis().hdel(SENT_KEY.format(task=task_name), *schemas)
    except redis.RedisError:
        logger.warning("could not forget %s as sent to %d networks", task_name, len(schemas), exc_info=True)


def _windows() -> tuple[float, float]:
    return settings.FLEET_BUSY_WINDOW_S, settings.FLEET_IDLE_INTERVAL_S


def _idle_turn(task_name: str, schema: str, idle_interval: float) -> float:
    """The idle interval less a fixed per-network share of up to half of it, so idle networks' turns spread
    out instead of falling due together."""
    return idle_interval - zlib.crc32(f"{task_name}:{schema}".encode()) % max(int(idle_interval) // 2, 1)
