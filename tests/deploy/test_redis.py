"""``REDIS_URL`` (the cache) and ``Q_REDIS_URL`` (the django-q2 broker), as the README documents them, work.

They run against a real Redis: ``TRESTLE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/15``). Without
one answering the tests are skipped, unless ``TRESTLE_REQUIRE_REDIS=1`` (``.ci/run`` sets it and starts Redis).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import textwrap
from urllib.parse import urlparse

import pytest

from tests.deploy.helpers import PYTHON, ROOT, install_env, manage

REDIS_URL = os.environ.get("TRESTLE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    url = urlparse(REDIS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_env(tmp_path):
    if not _redis_answers():
        if os.environ.get("TRESTLE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not answering at {REDIS_URL} and TRESTLE_REQUIRE_REDIS=1")
        pytest.skip(f"no Redis answering at {REDIS_URL}")
    env = install_env(tmp_path, REDIS_URL=REDIS_URL, Q_REDIS_URL=REDIS_URL, Q_SAVE_LIMIT="100")
    for args in (("migrate", "--noinput"), ("migrate", "--noinput", "--database", "sage")):
        result = manage(env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    return env


def _shell(env, code: str) -> subprocess.CompletedProcess:
    return manage(env, "shell", "--no-imports", "-c", textwrap.dedent(code))


def test_redis_url_is_the_shared_cache(redis_env):
    # when: one process writes the cache and another reads it
    written = _shell(redis_env, """
        from django.core.cache import cache, caches
        cache.set("trestle-deploy-test", "from process one", 60)
        print(type(caches["default"]).__name__, type(caches["django_q"]).__name__)
    """)
    read = _shell(redis_env, """
        from django.core.cache import cache
        print(cache.get("trestle-deploy-test"))
        cache.delete("trestle-deploy-test")
    """)

    # then
    assert written.returncode == 0, written.stderr
    assert written.stdout.split() == ["RedisCache", "RedisCache"]
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == "from process one"


def test_q_redis_url_is_the_broker_a_cluster_works_from(redis_env):
    # given: a cluster on the Redis broker
    cluster = subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=redis_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        # when: another process queues a task
        queued = _shell(redis_env, """
            import time
            from django_q.brokers import get_broker
            from django_q.tasks import async_task, result
            print(type(get_broker()).__name__)
            task_id = async_task("math.floor", 2.5)
            answer = result(task_id, wait=30000)
            print(answer)
        """)
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()

    # then: it went through Redis and the cluster ran it
    assert queued.returncode == 0, queued.stderr
    assert queued.stdout.split() == ["Redis", "2"], (queued.stdout, cluster.stderr.read()[-2000:])
