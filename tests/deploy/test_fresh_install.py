"""A fresh clone: ``migrate`` for both databases, then the web server and the worker give a working token login.

Nothing else is run first (no ``createcachetable``, no ``seed_demo``): what ``migrate`` creates must be enough.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.deploy.helpers import PYTHON, ROOT, free_port, install_env, manage, post_json, wait_for_http



def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("server", ["gunicorn", "runserver"])
def test_migrate_alone_gives_a_working_token_login(tmp_path, server):
    # given: a fresh install: both databases migrated, one user, nothing else
    env = install_env(tmp_path)
    for args in (("migrate", "--noinput"), ("migrate", "--noinput", "--database", "sage")):
        result = manage(env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    result = manage({**env, "DJANGO_SUPERUSER_PASSWORD": "a-long-pass-phrase-2026"},
                    "createsuperuser", "--noinput", "--username", "owner", "--email", "owner@example.com")
    assert result.returncode == 0, result.stdout + result.stderr

    # when: the web server and the worker run
    port = free_port()
    web_command = (
        [PYTHON, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "config.wsgi:application"]
        if server == "gunicorn" else [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    )
    logs = tmp_path / "logs.txt"
    with open(logs, "w") as log:
        web = subprocess.Popen(web_command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
        worker = subprocess.Popen([PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=web)
        status, body = post_json(f"http://127.0.0.1:{port}/api/v1/auth/token/",
                                 {"username": "owner", "password": "a-long-pass-phrase-2026"})
        assert worker.poll() is None, logs.read_text()
    finally:
        _stop(web)
        _stop(worker)

    # then
    assert status == 200, (body, logs.read_text()[-3000:])
    assert len(body["token"]) == 40
