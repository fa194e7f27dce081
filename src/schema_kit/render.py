"""Render every source file with jinja2 into the ordered SQL that apply runs.

A file with no jinja2 syntax at all (no ``{{``, ``{%`` or ``{#``) renders to itself, so it is
taken as it is; jinja2 is imported and a template compiled only for files that need it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schema_kit import __version__
from schema_kit.config import Settings
from schema_kit.errors import SchemaKitError
from schema_kit.sources import Source, discover, sql_root

if TYPE_CHECKING:
    import jinja2

#: What jinja2 (default delimiters, no line statements) would change in a file: its tags, and
#: the newline normalisation of ``\r\n`` / ``\r``.
_TEMPLATE_MARKS = ("{{", "{%", "{#", "\r")


class RenderError(SchemaKitError):
    """A template failed to render (undefined variable, syntax error)."""


@dataclass(frozen=True)
class Unit:
    """One rendered unit: what runs, and the id under which it is recorded."""

    source: Source
    sql: str
    rollback_sql: str | None

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def versioned(self) -> bool:
        return self.source.versioned

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()

    @property
    def unit_id(self) -> str:
        """Recorded id. yoyo hashes only the id, so a repeatable unit's id carries its checksum."""
        if self.versioned:
            return self.label
        return f"{self.label}@{self.checksum[:16]}"


def _environment(root: Path) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(root)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )


def cache_dir() -> Path:
    """Where compiled templates are kept: private to this OS user (0700), in the temp folder."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"schema-kit-{uid}-jinja2"


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """jinja2's compiled-template cache (it checks each entry against the template's source
    checksum and jinja2/Python versions; the file names carry this tool's version, whose
    environment options the code depends on). Never a reason to fail: None when unsafe or
    unwritable, and a failed write is ignored."""
    import jinja2

    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    own = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not stat.S_ISDIR(info.st_mode) or not own or info.st_mode & 0o077:
        return None

    class QuietCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    return QuietCache(str(folder), f"schema-kit-{__version__}-%s.cache")


def is_plain(text: str) -> bool:
    """True when jinja2 would render ``text`` to itself (no tag, comment or ``\r``)."""
    return not any(mark in text for mark in _TEMPLATE_MARKS)


class _Renderer:
    """Renders the files under one root; the jinja2 environment is made on first need."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self._env: jinja2.Environment | None = None

    def __call__(self, path: Path) -> str:
        name = path.relative_to(self.root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise RenderError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                              "save the file as UTF-8") from None
        if is_plain(text):
            return text
        if self._env is None:
            self._env = _environment(self.root)
        return _render_file(self._env, self.root, path, self.settings)


def _render_file(env: jinja2.Environment, root: Path, path: Path, settings: Settings) -> str:
    import jinja2

    name = path.relative_to(root).as_posix()
    try:
        return env.get_template(name).render(settings.template_context())
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise RenderError(f"{name}: {exc.message} "
                          "(known: target, limits, roles, texto_visivel)") from None
    except UnicodeDecodeError as exc:
        raise RenderError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                          "save the file as UTF-8") from None


def render(settings: Settings) -> list[Unit]:
    """Render all units for the settings' target, in apply order."""
    root = sql_root(settings.sources)
    render_file = _Renderer(root, settings)
    units = []
    for source in discover(root, settings.target):
        sql = render_file(source.path)
        rollback = None
        if source.rollback is not None:
            rollback = render_file(source.rollback)
        units.append(Unit(source, sql, rollback))
    return units


def file_names(index: int, unit: Unit) -> tuple[str, str]:
    """Names of a unit's rendered file and rollback file, ordered by their prefix."""
    stem = f"{index:03d}_{unit.source.kind}_{unit.source.name}"
    return f"{stem}.sql", f"{stem}.rollback.sql"


def write(units: Sequence[Unit], out: Path) -> list[Path]:
    """Write the ordered SQL into ``out``; files from an earlier render there are replaced."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("[0-9][0-9][0-9]_*.sql"):
        stale.unlink()
    written = []
    for index, unit in enumerate(units, start=1):
        name, rollback_name = file_names(index, unit)
        (out / name).write_text(unit.sql, encoding="utf-8")
        written.append(out / name)
        if unit.rollback_sql is not None:
            (out / rollback_name).write_text(unit.rollback_sql, encoding="utf-8")
            written.append(out / rollback_name)
    return written
