"""The tool's edges: where the database comes from, and bad input of every command.

No command may fall back to a new local cluster when a DSN is missing in CI, and every error of
every command ends in exactly one line on stderr with a documented exit code, no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from schema_kit.cli import EXIT_ERROR, EXIT_USAGE, UsageError, build_parser, main, parse_args
from schema_kit.connect import local_refusal
from support import cli


@pytest.fixture(autouse=True)
def no_database_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No DSN in the environment, CI=true, and a local cluster dir that must stay absent."""
    for name in ("SCHEMA_KIT_DSN", "DATABASE_URL", "SCHEMA_KIT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CI", "true")
    local = tmp_path / "local-cluster"
    monkeypatch.setenv("SCHEMA_KIT_LOCAL_DIR", str(local))
    return local


DATABASE_COMMANDS = [["apply"], ["status"], ["status", "--check"], ["rollback"],
                     ["seed", "--demo"]]


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_an_explicit_empty_dsn_is_an_error(command: list[str],
                                           no_database_configured: Path) -> None:
    code, _, err = cli(*command, "--dsn", "")

    assert code == EXIT_ERROR
    assert err.splitlines() == [
        "error: --dsn is empty: no database named; choose one: --dsn URL (or SCHEMA_KIT_DSN / "
        "DATABASE_URL) for a server, or --local for the local throwaway cluster"]
    assert not no_database_configured.exists()  # no initdb happened


@pytest.mark.parametrize("variable", ["SCHEMA_KIT_DSN", "DATABASE_URL"])
def test_a_dsn_variable_set_but_empty_is_an_error(variable: str, no_database_configured: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "")
    code, _, err = cli("apply")
    assert code == EXIT_ERROR
    assert err.startswith(f"error: {variable} is empty")
    assert not no_database_configured.exists()


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_no_dsn_under_ci_names_the_database_it_would_have_used(
        command: list[str], no_database_configured: Path) -> None:
    code, _, err = cli(*command)

    assert code == EXIT_ERROR
    [line] = err.splitlines()
    assert line.startswith("error: no database given and CI=true is set: the local cluster in "
                           f"{no_database_configured} (database schema_kit) was not used;")
    assert "--dsn URL" in line and "--local" in line
    assert not no_database_configured.exists()


def test_no_dsn_without_a_terminal_refuses_the_local_cluster_in_a_real_process(
        no_database_configured: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.run([sys.executable, "-m", "schema_kit", "status", "--check"], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == EXIT_ERROR
    assert proc.stderr.splitlines() == [proc.stderr.strip()]
    assert "not an interactive terminal" in proc.stderr
    assert not no_database_configured.exists()


@pytest.mark.parametrize(("env", "interactive", "refused"), [
    ({"CI": "true"}, True, "CI=true is set"),
    ({"CI": "1"}, False, "CI=1 is set"),
    ({}, False, "not an interactive terminal"),
    ({"CI": "false"}, False, "not an interactive terminal"),
    ({}, True, None),
    ({"CI": "false"}, True, None),
])
def test_the_local_cluster_is_implied_only_at_a_terminal_outside_ci(
        env: dict[str, str], interactive: bool, refused: str | None) -> None:
    reason = local_refusal(env, interactive)
    assert reason == refused


def test_dsn_and_local_together_are_bad_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--local", "--dsn", "postgresql:///x"]) == EXIT_USAGE
    assert "not allowed with argument" in capsys.readouterr().err


# -- every command x malformed input -----------------------------------------------------------


def _base(command: str) -> list[str]:
    """The least a command needs to parse (required arguments), or just its name."""
    return {"seed": ["seed", "--demo"], "db": ["db", "status"]}.get(command, [command])


def _base_parses(command: str) -> bool:
    """False for a command whose required arguments _base does not know (bad usage first)."""
    try:
        parse_args(_base(command))
    except UsageError:
        return False
    return True


def _options(command: str) -> set[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    parser = sub.choices[command]  # type: ignore[index]
    return {opt for action in parser._actions for opt in action.option_strings}


def _non_utf8_tree(root: Path) -> Path:
    (root / "migrations").mkdir(parents=True)
    (root / "migrations" / "0001_x.sql").write_bytes(b"select '\xff\xfe';\n")
    (root / "migrations" / "0001_x.rollback.sql").write_text("select 1;\n")
    return root


def _bad_template_tree(root: Path) -> Path:
    (root / "migrations").mkdir(parents=True)
    (root / "migrations" / "0001_x.sql").write_text("select {{ nothing_named_so }};\n")
    (root / "migrations" / "0001_x.rollback.sql").write_text("select 1;\n")
    return root


#: name -> (the flag it needs, argv, exit code where the command takes the flag). A command
#: without the flag answers 64 (bad usage); argparse itself refuses an unknown --target.
BAD_INPUTS = {
    "dsn not a connection string": ("--dsn", ["--dsn", "notadsn"], EXIT_ERROR),
    "dsn empty": ("--dsn", ["--dsn", ""], EXIT_ERROR),
    "sources missing": ("--sources", ["--sources", "/nonexistent/schema-kit-sources"],
                        EXIT_ERROR),
    "sources not utf-8": ("--sources", ["--sources", "{non_utf8}"], EXIT_ERROR),
    "sources bad template": ("--sources", ["--sources", "{bad_template}"], EXIT_ERROR),
    "unknown flag": (None, ["--no-such-flag"], EXIT_USAGE),
    "target unknown": ("--target", ["--target", "mysql"], EXIT_USAGE),
    "lock timeout not a duration": ("--lock-timeout", ["--lock-timeout", "soon"], EXIT_ERROR),
    "lock retries negative": ("--lock-retries", ["--lock-retries", "-1"], EXIT_ERROR),
    "out under a file": ("--out", ["--out", "{a_file}/rendered"], EXIT_ERROR),
}


def _commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", _commands())
def test_every_command_answers_bad_input_with_one_line_and_no_traceback(
        command: str, bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        no_database_configured: Path) -> None:
    flag, argv, expected = BAD_INPUTS[bad]
    (tmp_path / "a_file").write_text("not a folder\n")
    paths = {"{non_utf8}": str(_non_utf8_tree(tmp_path / "utf")),
             "{bad_template}": str(_bad_template_tree(tmp_path / "tpl")),
             "{a_file}": str(tmp_path / "a_file")}
    for key, value in paths.items():
        argv = [arg.replace(key, value) for arg in argv]

    code = main([*_base(command), *argv])

    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    accepted = flag is not None and flag in _options(command) and _base_parses(command)
    assert code == (expected if accepted else EXIT_USAGE), err
    assert err.startswith("error: " if code == EXIT_ERROR else "schema-kit")
    assert "unexpected error" not in err  # each bad input has its own message
    assert not no_database_configured.exists()


def test_a_malformed_dsn_is_one_line_from_a_real_process_too() -> None:
    for command in ("apply", "status", "rollback"):
        proc = subprocess.run([sys.executable, "-m", "schema_kit", command, "--dsn", "notadsn"],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == EXIT_ERROR
        assert proc.stderr.splitlines() == [
            "error: --dsn is not a PostgreSQL connection string (missing \"=\" after "
            "\"notadsn\" in connection info string); expected postgresql://user@host:port/db "
            "or 'host=… dbname=…'"]


@pytest.mark.parametrize(("value", "reason"), [
    ("0", "must be at least 1, not 0"), ("-5", "must be at least 1, not -5"),
    ("many", "not a whole number: 'many'")])
def test_a_bad_max_queue_is_a_usage_error(value: str, reason: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["realtime", "serve", "--max-queue", value]) == EXIT_USAGE
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(f"argument --max-queue: {reason}")
