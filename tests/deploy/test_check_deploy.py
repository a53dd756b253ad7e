"""Production mode with exactly the README's variables passes ``check --deploy``; without a host it says so."""

from __future__ import annotations

import re

from tests.deploy.helpers import ROOT, install_env, manage


def _readme_production_variables() -> dict[str, str]:
    """The ``export NAME=value`` lines of the README's first code block under *Running it in production*."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running it in production", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    variables = dict(re.findall(r"^export (\w+)='?([^'\n]*)'?$", block, flags=re.MULTILINE))
    assert "TRESTLE_PRODUCTION" in variables, block
    return variables


def test_check_deploy_is_clean_with_exactly_the_readme_variables(tmp_path):
    # given
    env = install_env(tmp_path, **_readme_production_variables())

    # when
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_without_allowed_hosts_refuses_to_start_and_says_what_to_set(tmp_path):
    # given: the README's variables less ALLOWED_HOSTS
    variables = _readme_production_variables()
    del variables["ALLOWED_HOSTS"]
    env = install_env(tmp_path, **variables)

    # when
    result = manage(env, "check", "--deploy")

    # then
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS in production mode" in result.stderr
