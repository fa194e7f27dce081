"""Find the SQL source files and put them in the order apply runs them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from schema_kit.errors import SchemaKitError

#: Folders in apply order. Versioned units run once; repeatable ones whenever they change.
VERSIONED_KINDS = ("compat", "migrations")
REPEATABLE_KINDS = ("functions", "triggers", "policies")
KINDS = VERSIONED_KINDS + REPEATABLE_KINDS

_SUFFIXES = (".sql.j2", ".sql")
_ROLLBACK = ".rollback"


@dataclass(frozen=True)
class Source:
    """One unit's source file (and, for versioned units, its rollback file)."""

    kind: str
    name: str
    path: Path
    rollback: Path | None

    @property
    def versioned(self) -> bool:
        return self.kind in VERSIONED_KINDS

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.name}"


def sql_root(configured: Path | None = None) -> Path:
    """The folder holding compat/, migrations/, …: configured, else the checkout, else the wheel."""
    if configured is not None:
        if not (configured / "migrations").is_dir():
            raise SchemaKitError(f"sources {configured} has no migrations/ folder")
        return configured
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "migrations").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    packaged = Path(str(resources.files("schema_kit") / "sql"))
    if (packaged / "migrations").is_dir():
        return packaged
    raise SchemaKitError("cannot find the SQL sources (neither a checkout nor the installed wheel)")


def _split_name(filename: str) -> str | None:
    for suffix in _SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def discover(root: Path, target: str) -> list[Source]:
    """Every unit for ``target`` in apply order; the compat layer only for plain PostgreSQL."""
    kinds = KINDS if target == "postgres" else KINDS[1:]
    units: list[Source] = []
    for kind in kinds:
        folder = root / kind
        if not folder.is_dir():
            continue
        files = {}
        for path in sorted(folder.iterdir()):
            name = _split_name(path.name)
            if name is None or name.startswith("_"):
                continue  # not SQL, or a partial included by templates
            if name in files:
                raise SchemaKitError(f"{kind}/{name}: both .sql and .sql.j2 exist; keep one")
            files[name] = path
        for name, path in files.items():
            if name.endswith(_ROLLBACK):
                if name[: -len(_ROLLBACK)] not in files:
                    raise SchemaKitError(f"{path}: rollback without a forward unit")
                continue
            rollback = files.get(name + _ROLLBACK)
            if kind in VERSIONED_KINDS and rollback is None:
                raise SchemaKitError(f"{path}: versioned unit has no {name}{_ROLLBACK}.sql")
            if kind in REPEATABLE_KINDS and rollback is not None:
                raise SchemaKitError(f"{rollback}: repeatable units are never rolled back")
            units.append(Source(kind, name, path, rollback))
    return units
