"""Settings layering and rendering (no database needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema_kit.cli import main
from schema_kit.config import load_settings
from schema_kit.errors import ConfigError, SchemaKitError
from schema_kit.render import RenderError, render, write
from schema_kit.sources import discover
from support import cli


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_settings_precedence_pyproject_env_flags(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.schema_kit]\nmax_message_length = 100\nchat_page_size = 7\n")
    env = {"SCHEMA_KIT_MAX_MESSAGE_LENGTH": "200", "DATABASE_URL": "postgresql:///fallback"}

    settings = load_settings({"target": "supabase", "dsn": None}, env=env, pyproject=pyproject)

    assert settings.chat_page_size == 7          # pyproject
    assert settings.max_message_length == 200    # env beats pyproject
    assert settings.target == "supabase"         # flag
    assert settings.dsn == "postgresql:///fallback"
    env["SCHEMA_KIT_DSN"] = "postgresql:///first"
    assert load_settings(env=env, pyproject=pyproject).dsn == "postgresql:///first"


def test_lock_settings_from_pyproject_env_and_flags(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.schema_kit]\nlock_timeout = "2s"\nstatement_timeout = "5min"\n')
    assert load_settings(env={}, pyproject=tmp_path / "none.toml").lock_timeout == 5000
    settings = load_settings(env={"SCHEMA_KIT_LOCK_RETRIES": "0"}, pyproject=pyproject)
    assert (settings.lock_timeout, settings.statement_timeout, settings.lock_retries) == (
        2000, 300_000, 0)
    env = {"SCHEMA_KIT_LOCK_TIMEOUT": "750ms"}
    assert load_settings(env=env, pyproject=pyproject).lock_timeout == 750
    assert load_settings({"lock_timeout": "1.5s"}, env=env, pyproject=pyproject
                         ).lock_timeout == 1500


@pytest.mark.parametrize(("text", "message"), [
    ("[tool.schema_kit]\ncolour = 'red'\n", "unknown setting"),
    ("[tool.schema_kit]\nchat_page_size = 0\n", "must be positive"),
    ("[tool.schema_kit]\ntarget = 'mysql'\n", "target must be one of"),
    ("[tool.schema_kit\n", "not valid TOML"),
])
def test_bad_settings_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(env={}, pyproject=pyproject)


def test_render_is_deterministic_and_ordered(tmp_path: Path) -> None:
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    for out in (out_a, out_b):
        assert cli("render", "--out", str(out))[0] == 0
    names = sorted(p.name for p in out_a.iterdir())
    assert names == sorted(p.name for p in out_b.iterdir())
    for name in names:
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes()
    forward = [n for n in names if not n.endswith(".rollback.sql")]
    kinds = [n.split("_")[1] for n in forward]
    order = ["compat", "migrations", "functions", "triggers", "policies"]
    assert kinds == sorted(kinds, key=order.index), "units must be in apply order"


def test_supabase_target_renders_no_compat_layer() -> None:
    code, out, _ = cli("render", "--target", "supabase")
    assert code == 0
    headers = [line for line in out.splitlines() if line.startswith("-- ==== ")]
    assert headers[0] == "-- ==== 001 migrations/0001_schemas ===="
    assert not [h for h in headers if " compat/" in h]


def test_templates_see_settings_and_refuse_undefined_names(tmp_path: Path) -> None:
    root = _tree(tmp_path / "sql", {
        "migrations/0001_a.sql.j2": "select {{ limits.max_message_length }}, '{{ target }}';\n",
        "migrations/0001_a.rollback.sql": "select 1;\n",
    })
    settings = load_settings({"sources": root}, env={"SCHEMA_KIT_MAX_MESSAGE_LENGTH": "42"},
                             pyproject=tmp_path / "none.toml")
    (unit,) = render(settings)
    assert unit.sql == "select 42, 'postgres';\n"

    (root / "migrations/0001_a.sql.j2").write_text("select {{ limits.nope }};\n")
    with pytest.raises(RenderError, match=r"migrations/0001_a\.sql\.j2: .*nope"):
        render(settings)


def test_repeatable_unit_id_carries_the_rendered_checksum(tmp_path: Path) -> None:
    root = _tree(tmp_path / "sql", {
        "migrations/.keep": "",
        "functions/f.sql.j2": "select {{ limits.chat_page_size }};\n",
    })
    base = load_settings({"sources": root}, env={}, pyproject=tmp_path / "none.toml")
    other = load_settings({"sources": root}, env={"SCHEMA_KIT_CHAT_PAGE_SIZE": "9"},
                          pyproject=tmp_path / "none.toml")
    (a,), (b,) = render(base), render(other)
    assert a.unit_id.startswith("functions/f@") and b.unit_id.startswith("functions/f@")
    assert a.unit_id != b.unit_id


@pytest.mark.parametrize(("files", "message"), [
    ({"migrations/0001_a.sql": "select 1;"}, "has no 0001_a.rollback.sql"),
    ({"functions/f.sql": "", "functions/f.rollback.sql": ""}, "never rolled back"),
    ({"migrations/0001_a.rollback.sql": ""}, "rollback without a forward unit"),
    ({"policies/p.sql": "", "policies/p.sql.j2": ""}, "keep one"),
])
def test_malformed_source_trees_are_refused(tmp_path: Path, files: dict[str, str],
                                            message: str) -> None:
    root = _tree(tmp_path / "sql", {"migrations/.keep": "", **files})
    with pytest.raises(SchemaKitError, match=message):
        discover(root, "postgres")


def test_render_out_replaces_an_earlier_render(tmp_path: Path) -> None:
    root = _tree(tmp_path / "sql", {"migrations/.keep": "", "functions/new.sql": "select 1;\n"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "001_functions_old.sql").write_text("stale")
    (out / "notes.txt").write_text("kept")
    settings = load_settings({"sources": root}, env={}, pyproject=tmp_path / "none.toml")
    write(render(settings), out)
    assert sorted(p.name for p in out.iterdir()) == ["001_functions_new.sql", "notes.txt"]


def test_usage_errors_exit_64(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--target", "oracle"]) == 64
    assert "invalid choice" in capsys.readouterr().err
