"""Which settings produced the stored results: one row per stage and distinct settings.

Stages are incremental, so the rows of one stage can come from several runs; when its
settings changed between runs, the stage has one row per settings it ran with, each with
its first and last run. ``newsweave settings`` shows them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newsweave.store import Store

MIGRATIONS: list[tuple[str, str]] = [
    (
        "settings/0001_stage_settings",
        """
        CREATE TABLE stage_settings (
            stage       TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            settings    TEXT NOT NULL,
            first_run   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
            last_run    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
            runs        INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (stage, fingerprint)
        );
        """,
    ),
]


@dataclass(frozen=True, slots=True)
class StageSettingsUsed:
    """Settings a stage ran with over this store, and when (ISO timestamps, UTC)."""

    stage: str
    fingerprint: str
    settings: dict[str, Any]
    first_run: str
    last_run: str
    runs: int


def record_run(store: Store, stage: str, fingerprint: str, settings: Mapping[str, Any]) -> None:
    """Note that ``stage`` ran over the store with ``settings`` (its own transaction)."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO stage_settings(stage, fingerprint, settings) VALUES (?, ?, ?) "
            "ON CONFLICT(stage, fingerprint) DO UPDATE SET runs = runs + 1, "
            "last_run = strftime('%Y-%m-%dT%H:%M:%SZ','now')",
            (stage, fingerprint, json.dumps(dict(settings))),
        )


def used_settings(store: Store) -> list[StageSettingsUsed]:
    """Every stage's recorded settings, oldest first within a stage."""
    rows = store.conn.execute(
        "SELECT stage, fingerprint, settings, first_run, last_run, runs FROM stage_settings "
        "ORDER BY stage, first_run, fingerprint"
    ).fetchall()
    return [
        StageSettingsUsed(stage, fp, json.loads(settings), first, last, runs)
        for stage, fp, settings, first, last, runs in rows
    ]
