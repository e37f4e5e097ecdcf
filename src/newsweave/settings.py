"""Stage settings: one validated object, folded from three layers.

1. the packaged defaults: the defaults of each stage's options dataclass
   (:class:`~newsweave.copies.CopiesConfig`, :class:`~newsweave.group.GroupOptions`,
   :class:`~newsweave.claims.ClaimOptions`), which are what the benchmarks were tuned on;
2. ``newsweave.toml`` beside the store (one ``[stage]`` table per stage);
3. ``--set stage.key=value`` on the command line (or ``overrides`` in Python).

Later layers win key by key. Each stage's dataclass validates its own values; an unknown
stage or key, a value of the wrong type or one out of range is one
:class:`~newsweave.errors.StageError` line saying where it came from and how to fix it.

The pipeline hands each step its section, and records the settings a step ran with in the
store (``store/settings.py``), so what produced the stored results can be shown later.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from newsweave.claims import ClaimOptions
from newsweave.copies import CopiesConfig
from newsweave.errors import NewsweaveError, StageError
from newsweave.group import GroupOptions

SETTINGS_FILE = "newsweave.toml"


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of every configurable stage. Build with :func:`load_settings`, or
    ``Settings()`` for the packaged defaults and :meth:`with_overrides` for changes."""

    copies: CopiesConfig = field(default_factory=CopiesConfig)
    group: GroupOptions = field(default_factory=GroupOptions)
    claims: ClaimOptions = field(default_factory=ClaimOptions)

    def section(self, stage: str) -> Any:
        """The options object of ``stage`` (a name of :data:`SECTIONS`)."""
        return getattr(self, stage)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """``{stage: {key: value}}`` for every stage (plain values, TOML/JSON-ready)."""
        return {stage: section_dict(self.section(stage)) for stage in SECTIONS}

    def with_overrides(
        self, values: Mapping[str, Mapping[str, Any]], *, origin: str = "settings"
    ) -> Settings:
        """These settings with ``{stage: {key: value}}`` applied and validated.

        ``origin`` names where the values came from, for the error message."""
        changed: dict[str, Any] = {}
        for stage, keys in values.items():
            cls = _section_class(stage, origin)
            if not isinstance(keys, Mapping):
                raise StageError(
                    f"{origin}: [{stage}] must be a table of key = value lines, "
                    f"not {type(keys).__name__}"
                )
            current = changed.get(stage, self.section(stage))
            hints = typing.get_type_hints(cls)
            typed = {k: _coerce(stage, k, v, hints, cls, origin) for k, v in keys.items()}
            try:
                changed[stage] = replace(current, **typed)
            except (ValueError, NewsweaveError) as exc:
                reason = str(exc).removeprefix(f"{stage}: ")
                keys_set = ", ".join(f"{stage}.{k}" for k in typed)
                raise StageError(
                    f"{origin}: {reason}; change {keys_set} (in {SETTINGS_FILE} or with --set)"
                ) from None
        return replace(self, **changed)

    def fingerprint(self, stage: str) -> str:
        """A short stable hash of one stage's settings (what the store records)."""
        text = json.dumps(section_dict(self.section(stage)), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_toml(self) -> str:
        """The settings as a ``newsweave.toml`` text (every key, current values)."""
        lines: list[str] = []
        for stage, values in self.as_dict().items():
            lines.append(f"[{stage}]")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in values.items())
            lines.append("")
        return "\n".join(lines)


# Stage name -> its options class; a configurable stage is one line here plus its field
# in Settings.
SECTIONS: dict[str, type] = {
    "copies": CopiesConfig,
    "group": GroupOptions,
    "claims": ClaimOptions,
}


def section_dict(options: Any) -> dict[str, Any]:
    """One options object as ``{key: value}`` in field order."""
    return {f.name: getattr(options, f.name) for f in fields(options)}


def settings_path(db: str | Path) -> Path | None:
    """Where the settings file of the store ``db`` lives (``None`` for ``:memory:``)."""
    if str(db) == ":memory:" or str(db).startswith("file:"):
        return None
    return Path(db).resolve().parent / SETTINGS_FILE


def parse_assignment(text: str) -> tuple[str, str, str]:
    """``"stage.key=value"`` -> ``(stage, key, value)``; a malformed one is a StageError."""
    name, sep, value = text.partition("=")
    stage, dot, key = name.strip().partition(".")
    if not sep or not dot or not stage or not key or not value.strip():
        raise StageError(
            f"--set {text!r}: expected STAGE.KEY=VALUE, e.g. --set group.event_threshold=0.45"
        )
    return stage, key.strip(), value.strip()


def load_settings(
    db: str | Path | None = None, overrides: Iterable[str] | Mapping[str, Any] = ()
) -> Settings:
    """Packaged defaults, then ``newsweave.toml`` beside the store ``db`` (when it exists),
    then ``overrides``: ``"stage.key=value"`` strings (as ``--set`` gives them) or a
    ``{stage: {key: value}}`` mapping."""
    settings = Settings()
    path = settings_path(db) if db is not None else None
    if path is not None and path.is_file():
        settings = settings.with_overrides(read_settings_file(path), origin=str(path))
    if isinstance(overrides, Mapping):
        return settings.with_overrides(overrides, origin="overrides")
    for text in overrides:
        stage, key, value = parse_assignment(text)
        settings = settings.with_overrides({stage: {key: value}}, origin=f"--set {text}")
    return settings


def read_settings_file(path: Path) -> dict[str, Any]:
    """The tables of one settings file; unreadable or invalid TOML is one StageError line."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise StageError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StageError(f"{path}: cannot read settings ({exc})") from None


def _section_class(stage: str, origin: str) -> type:
    cls = SECTIONS.get(stage)
    if cls is None:
        raise StageError(
            f"{origin}: unknown stage {stage!r}{_did_you_mean(stage, SECTIONS)}; "
            f"configurable stages: {', '.join(SECTIONS)}"
        )
    return cls


def _coerce(
    stage: str, key: str, value: Any, hints: Mapping[str, Any], cls: type, origin: str
) -> Any:
    """``value`` as the field's type. Strings (from --set) are parsed; TOML values must
    already have the right type (an int is accepted for a float)."""
    names = [f.name for f in fields(cls)]
    if key not in names:
        raise StageError(
            f"{origin}: unknown setting {stage}.{key}{_did_you_mean(key, names)}; "
            f"{stage} settings: {', '.join(names)}"
        )
    kind = hints[key]
    parsed = _parse(kind, value)
    if parsed is _BAD:
        wanted = {int: "a whole number", float: "a number", bool: "true or false"}
        raise StageError(
            f"{origin}: {stage}.{key} must be {wanted.get(kind, kind.__name__)}, got {value!r} "
            f"(e.g. --set {stage}.{key}={_toml_value(getattr(cls(), key))})"
        )
    return parsed


_BAD = object()


def _parse(kind: type, value: Any) -> Any:
    """``value`` as ``kind`` (int, float, bool or str), or ``_BAD``."""
    if isinstance(value, str) and kind is not str:
        if kind is bool:
            word = value.strip().lower()
            return word == "true" if word in ("true", "false") else _BAD
        try:
            return kind(value)
        except ValueError:
            return _BAD
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value if type(value) is kind else _BAD


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)
