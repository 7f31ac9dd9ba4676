"""A private Redis server as this process's Celery broker for one test, so stopping it or reading its queue
touches nobody else (the session's Celery worker consumes the shared test broker)."""

import json
import shutil
import socket
import subprocess
import time

import pytest
import redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = _free_port()
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def queued(self, queue: str | None = None) -> list[dict]:
        """The messages waiting in `queue`, or in every work queue."""
        client = redis.Redis(port=self.port)
        return [json.loads(raw) for name in _queues(queue) for raw in client.lrange(name, 0, -1)]

    def lose_one(self, task: str) -> dict:
        """What a worker killed after taking the oldest message of `task` leaves behind: the message gone, the
        work not done."""
        client = redis.Redis(port=self.port)
        queue = queue_of(task)
        for raw in reversed(client.lrange(queue, 0, -1)):  # LPUSH queue: the oldest is last
            message = json.loads(raw)
            if message["headers"]["task"] == task:
                client.lrem(queue, -1, raw)
                return message
        raise LookupError(f"No {task} message queued")


def queue_of(task: str) -> str:
    """The queue CELERY_TASK_ROUTES sends `task` to."""
    from config.celery import app

    return app.amqp.router.route({}, task)["queue"].name


def _queues(queue: str | None) -> tuple[str, ...]:
    from django.conf import settings

    return (queue,) if queue else settings.WORK_QUEUES


@pytest.fixture
def private_broker():
    """Points this process's Celery app at a private Redis for one test, then puts the original pools back
    untouched (closing them would break every later test that enqueues)."""
    from config.celery import app

    server = PrivateRedis()
    server.start()
    saved = (app.conf.broker_url, getattr(app, "_pool", None), app.amqp._producer_pool)
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = server.url
    try:
        yield server
    finally:
        private_pool = getattr(app, "_pool", None)
        if private_pool is not None:
            private_pool.force_close_all()
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
        server.stop()
