"""``make run`` → Ctrl-C ends every process it started within 10 s, even while the worker is busy with a task.

Ctrl-C in a terminal sends SIGINT to the whole foreground process group; here the test starts ``bin/run``
(what ``make run`` ends in) as the leader of its own group and sends SIGINT to that group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.deploy.helpers import (PYTHON, ROOT, descendants, free_port, install_env, manage, process_alive,
                                  wait_for_http)


def _busy_worker(env) -> None:
    """Queue tasks that take a minute each, as a long sync would, and wait until a worker has taken one."""
    result = manage(env, "shell", "--no-imports", "-c", (
        "import time\n"
        "from django_q.tasks import async_task\n"
        "from django_q.models import OrmQ\n"
        "for _ in range(4): async_task('time.sleep', 60)\n"
        "deadline = time.monotonic() + 30\n"
        "while not OrmQ.objects.filter(lock__isnull=False).exists():\n"
        "    assert time.monotonic() < deadline, 'no worker took a task'\n"
        "    time.sleep(0.2)\n"
        "time.sleep(1)\n"
    ))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ctrl_c_ends_the_web_server_and_a_busy_worker_within_ten_seconds(tmp_path):
    # given: bin/run serving, its worker busy with a long task
    env = install_env(tmp_path)
    for args in (("migrate", "--noinput"), ("migrate", "--noinput", "--database", "sage")):
        result = manage(env, *args)
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    log = open(tmp_path / "run.log", "w")
    run = subprocess.Popen([str(ROOT / "bin" / "run")], cwd=ROOT, env={**env, "PY": PYTHON, "PORT": str(port)},
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    processes: set[int] = set()
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=run)
        _busy_worker(env)
        processes = descendants(run.pid) | {run.pid}
        assert len(processes) >= 4, processes  # bin/run, the web server, the cluster and its workers

        # when: Ctrl-C
        pressed = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        while time.monotonic() - pressed < 10 and any(process_alive(pid) for pid in processes):
            run.poll()
            time.sleep(0.1)
        alive = {pid for pid in processes if process_alive(pid)}
        took = time.monotonic() - pressed
    finally:
        for pid in descendants(run.pid) | processes | {run.pid}:
            if process_alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        run.wait(timeout=10)
        log.close()

    # then
    assert alive == set(), f"still running {took:.1f} s after Ctrl-C: {alive}\n{(tmp_path / 'run.log').read_text()[-2000:]}"
