"""Loading mapping files: find a shipped name or a path, read the YAML, validate it.

Every mistake becomes a :class:`MappingError` in the user's terms: the file,
the key path, what is allowed and the nearest valid name (:func:`_describe`
turns pydantic's errors into those lines). The YAML loader is strict where
plain YAML surprises: only ``true``/``false`` are booleans (``no`` is Norwegian
and ``NO`` is Norway) and a key given twice is an error.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sync.errors import MappingError
from sync.mapping.conditions import OPERATORS, Condition, Select
from sync.mapping.model import (
    Detect,
    FieldSpec,
    JobsJoin,
    MappingFile,
    PositionsSpec,
)
from sync.mapping.rules import check_mapping
from sync.text import closest

# ---------------------------------------------------------------- loading


def shipped_mappings_dir() -> Path:
    """The folder of the mappings that ship with jobmojito-sync.

    The top-level ``mappings/`` of a source checkout (an editable install, the
    tests); in an installed wheel, the data package ``sync/mappings/`` it was
    packaged into (``pyproject.toml``'s package-dir).
    """
    source = Path(__file__).resolve().parents[2] / "mappings"
    if (source / "generic.yaml").is_file():
        return source
    return Path(str(importlib.resources.files("sync"))) / "mappings"


def _shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_mappings_dir().glob("*.yaml"))


def _is_path(name_or_path: str | Path) -> bool:
    if isinstance(name_or_path, Path):
        return True
    return (
        "/" in name_or_path
        or "\\" in name_or_path
        or name_or_path.lower().endswith((".yaml", ".yml"))
    )


def mapping_path(name_or_path: str | Path) -> Path:
    """The file of a shipped mapping name, or the path given; MappingError if unknown."""
    if _is_path(name_or_path):
        return Path(name_or_path)
    name = str(name_or_path)
    path = shipped_mappings_dir() / f"{name}.yaml"
    if path.is_file():
        return path
    shipped = _shipped_names()
    raise MappingError(
        f"unknown mapping '{name}' ({_did_you_mean(name, shipped)}"
        f"shipped: {', '.join(shipped) or 'none'}; or give the path of a .yaml file)"
    )


def load_mapping(name_or_path: str | Path) -> MappingFile:
    """Load and validate a mapping: a shipped name (``greenhouse``) or a YAML file's path.

    Raises MappingError naming the file, the key path and what is allowed.
    """
    path = mapping_path(name_or_path)
    shown = str(path) if _is_path(name_or_path) else f"mappings/{path.name}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MappingError(f"mapping file {shown} not found") from None
    except UnicodeDecodeError:
        raise MappingError(f"{shown}: not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise MappingError(f"{shown}: cannot read it: {exc.strerror}") from None
    return parse_mapping(text, shown=shown, stem=path.stem, path=path)


def list_mappings() -> list[MappingFile]:
    """Every shipped mapping, by name."""
    return [load_mapping(name) for name in _shipped_names()]


def parse_mapping(
    text: str, *, shown: str = "<mapping>", stem: str | None = None, path: Path | None = None
) -> MappingFile:
    """Validate a mapping's YAML text; ``shown`` names it in errors, ``stem`` is its
    file name without suffix (``name`` must equal it)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        if not isinstance(exc, yaml.constructor.ConstructorError):
            what = f"YAML syntax error: {what}"
        raise MappingError(f"{shown}: {where}{what}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{shown}: YAML syntax error: {exc}") from None
    if data is None:
        raise MappingError(f"{shown}: the file is empty (see mappings/generic.yaml)")
    if _too_big(data):
        raise MappingError(
            f"{shown}: the file expands to more than {MAX_VALUES:,} values (YAML aliases"
            " repeating one value over and over?); a mapping file is far smaller"
        )
    if not isinstance(data, dict):
        raise MappingError(
            f"{shown}: expected keys such as version, name, fields; got {_kind(data)}"
        )
    try:
        mapping = MappingFile.model_validate(data)
    except ValidationError as exc:
        lines = dict.fromkeys(_describe(err) for err in exc.errors())
        raise MappingError("\n".join(f"{shown}: {line}" for line in lines)) from None
    problems = check_mapping(mapping, stem)
    if problems:
        raise MappingError("\n".join(f"{shown}: {p}" for p in problems))
    mapping._path = path
    return mapping


#: Values (scalars, lists, keys) a mapping file may expand to, aliases written out.
MAX_VALUES = 100_000


def _too_big(data: Any) -> bool:
    """Whether ``data`` expands past ``MAX_VALUES`` values; stops counting there.

    YAML aliases share one object, so a file of a few lines can stand for
    billions of values (nine levels of nine aliases): anything that walks it
    (a message, the request body) would hang. The walk gives up at the limit.
    """
    budget = MAX_VALUES
    stack = [data]
    while stack:
        item = stack.pop()
        budget -= 1
        if budget < 0:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


class _Loader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans and duplicate keys are errors."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[str] = set()
    for key_node, _ in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if isinstance(key, str) and key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark
            )
        if isinstance(key, str):
            seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# ---------------------------------------------------------------- error messages

_ALLOWED_KEYS = {
    "": list(MappingFile.model_fields),
    "detect": list(Detect.model_fields),
    "jobs": list(JobsJoin.model_fields),
    "positions": list(PositionsSpec.model_fields),
    "field": list(FieldSpec.model_fields),
    "select": list(Select.model_fields),
    "condition": ["column", *OPERATORS, "optional"],
}
assert set(_ALLOWED_KEYS["condition"]) == {f.alias or n for n, f in Condition.model_fields.items()}


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "keys and values"
    return type(value).__name__


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    found = closest(word, choices)
    return f"did you mean {found}? " if found else ""


def _describe(err: Any) -> str:
    """One pydantic error → ``key.path: message`` in the user's terms."""
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kind, value = err["type"], err.get("input")
    path = _path(loc)
    if kind == "extra_forbidden":
        parent = (
            "field"
            if len(loc) >= 3 and loc[-3] == "fields"
            else str(loc[0])
            if len(loc) > 1
            else ""
        )
        if parent == "select" and len(loc) > 2:
            parent = "condition"
        allowed = _ALLOWED_KEYS.get(parent, [])
        hint = _did_you_mean(str(loc[-1]), allowed)
        what = "unknown operator or key" if parent == "condition" else "unknown key"
        return f"{path}: {what} ({hint}allowed: {', '.join(allowed)})"
    if kind == "missing":
        return f"{path}: required key missing"
    if kind == "literal_error" and loc == ("version",):
        return f"version: must be 1 (the only format version), got {_kind(value)}"
    if kind == "literal_error" and loc[-1] == "is":
        return f"{path}: must be blank, not blank, true or false, got {_kind(value)}"
    if kind == "value_error":
        return f"{path}: {str(err['msg']).removeprefix('Value error, ')}"
    if kind in ("date_type", "date_from_datetime_parsing", "date_parsing"):
        return f"{path}: expected a date such as 2026-11-01, got {_kind(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if len(loc) >= 2 and loc[-2] == "fields":
            return (
                f"{path}: expected keys such as column, template or const, got {_kind(value)}"
                " (for example {column: Email})"
            )
        return f"{path}: expected keys and values, got {_kind(value)}"
    if kind == "list_type":
        what = (
            "a column name or a list of them"
            if loc[-1] in ("column", "applicants_key", "jobs_key", "application_date")
            else "a list"
        )
        return f"{path}: expected {what}, got {_kind(value)}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float) else ""
        return f"{path}: expected text, got {_kind(value)}{hint}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{path}: expected a whole number, got {_kind(value)}"
    if kind == "greater_than":
        return f"{path}: must be greater than 0, got {_kind(value)}"
    return f"{path}: {err['msg']}"


__all__ = ["list_mappings", "load_mapping", "mapping_path", "parse_mapping", "shipped_mappings_dir"]
