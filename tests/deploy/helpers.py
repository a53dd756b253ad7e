"""Run Trestle the way an install does: ``config.settings`` (not the test settings) in subprocesses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

# What the test run sets that an install would not have.
_NOT_INHERITED = {"DATABASE_URL", "SAGE_DATABASE_URL", "REDIS_URL", "Q_REDIS_URL", "Q_SYNC", "TRESTLE_PRODUCTION",
                  "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "TRESTLE_VAR_DIR"}


def install_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """A clean environment for ``config.settings`` with its SQLite files in ``var_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith("PYTEST")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", TRESTLE_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING",
               Q_LOG_LEVEL="ERROR", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args} exited with {process.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def post_json(url: str, payload: dict, headers: dict | None = None) -> tuple[int, dict | str]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, body


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
