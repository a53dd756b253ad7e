"""Production mode is hardened (`check --deploy` is clean) and refuses to start without a real secret."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SAGE_DATABASE_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings", TRESTLE_VAR_DIR=str(ROOT / "var" / "check"))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_check_deploy_is_clean_in_production_mode():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        TRESTLE_PRODUCTION="1", SECRET_KEY="k" * 20 + "-a-long-random-production-secret-0123456789", ALLOWED_HOSTS="trestle.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_the_development_secret():
    result = _manage("check", TRESTLE_PRODUCTION="1", ALLOWED_HOSTS="trestle.example.com")

    assert result.returncode != 0
    assert "Set SECRET_KEY (50+ random characters) in production mode." in result.stderr
