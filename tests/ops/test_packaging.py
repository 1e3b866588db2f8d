"""Dockerfile, compose.yaml and the systemd unit refer to things that exist: copied paths, the
`bantin` commands they run, the health URL on the configured default port."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path

import pytest

from bot.cli.main import main as bantin_main
from bot.operations import STOP_BOUND_SECONDS
from news.config import ENV_CONFIG, ENV_DATABASE_URL, ENV_TOKEN, Config

yaml = pytest.importorskip("yaml", reason="PyYAML reads compose.yaml")
REPO = Path(__file__).resolve().parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]  # type: ignore[misc]


def instruction(name: str) -> list[str]:
    return [args for kind, args in dockerfile_instructions() if kind == name]


def runs_as_bantin_command(argv: list[str]) -> None:
    """`bantin <argv> --help` parses: the subcommand exists in the CLI."""
    with pytest.raises(SystemExit) as done:
        bantin_main([*argv, "--help"])
    assert done.value.code == 0


def test_dockerfile_base_user_and_copied_paths():
    assert instruction("FROM") == ["python:3.11-slim"]
    assert instruction("USER") == ["bantin"]
    for args in instruction("COPY"):
        *sources, _dest = args.split()
        for source in sources:
            assert (REPO / source).exists(), source
    assert any("pip install ." in args for args in instruction("RUN"))


def test_dockerfile_entry_point_is_bantin_run():
    [entry] = instruction("ENTRYPOINT")
    [cmd] = instruction("CMD")
    argv = json.loads(entry) + json.loads(cmd)
    assert argv == ["bantin", "run"]
    runs_as_bantin_command(argv[1:])


def test_healthcheck_uses_the_default_health_port_without_curl():
    [check] = instruction("HEALTHCHECK")
    assert "curl" not in check and "urllib" in check
    health = Config().health
    assert f"http://{health.listen}:{health.port}/healthz" in check


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_runs_migrations_then_the_bot_on_postgresql(compose):
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bantin"]["command"] == ["run"]
    assert services["bantin"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("migrate", "bantin"):
        runs_as_bantin_command(services[name]["command"])
        assert services[name]["env_file"] == "bantin.env"
    assert "pgdata" in compose["volumes"]
    header = (REPO / "compose.yaml").read_text(encoding="utf-8")
    for variable in (ENV_TOKEN, ENV_DATABASE_URL):
        assert variable in header
    assert services["bantin"]["environment"][ENV_CONFIG].startswith("/etc/bantin/")


def test_systemd_unit():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # keys are case-sensitive
    unit.read_string((REPO / "deploy" / "bantin.service").read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["User"] == "bantin" and service["Restart"] == "on-failure"
    assert service["EnvironmentFile"].startswith("/etc/bantin/")
    assert int(service["TimeoutStopSec"]) > STOP_BOUND_SECONDS  # systemd must not SIGKILL a graceful stop
    assert service["NoNewPrivileges"] == "true" and service["ProtectSystem"] == "strict"
    for key in ("ExecStartPre", "ExecStart"):
        program, *argv = shlex.split(service[key])
        assert Path(program).name == "bantin"
        runs_as_bantin_command(argv)
    assert re.fullmatch(r"\d+", service["RestartPreventExitStatus"])
