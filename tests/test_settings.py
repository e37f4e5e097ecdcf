"""Stage settings: defaults < newsweave.toml beside the store < --set, validated into one
object, handed to the pipeline's steps and recorded with their results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsweave import pipeline
from newsweave.api import Newsweave
from newsweave.claims import ClaimOptions
from newsweave.copies import CopiesConfig
from newsweave.errors import StageError
from newsweave.group import GroupOptions
from newsweave.settings import SETTINGS_FILE, Settings, load_settings, settings_path


def test_defaults_are_the_stage_dataclasses_defaults() -> None:
    s = load_settings(None)
    assert (s.copies, s.group, s.claims) == (CopiesConfig(), GroupOptions(), ClaimOptions())
    assert s.group.candidate_floor == 0.3


def test_file_then_set_override_key_by_key(tmp_path: Path) -> None:
    db = tmp_path / "news.db"
    (tmp_path / SETTINGS_FILE).write_text(
        "[group]\nevent_threshold = 0.45\nmax_event_days = 5\n[claims]\nmerge_threshold = 0.5\n"
    )
    s = load_settings(db, ["group.event_threshold=0.5", "copies.shingle=6"])
    assert s.group.event_threshold == 0.5  # --set wins over the file
    assert s.group.max_event_days == 5  # the file's other keys stay
    assert s.claims.merge_threshold == 0.5
    assert s.copies.shingle == 6
    assert s.group.story_threshold == GroupOptions().story_threshold
    assert settings_path(db) == tmp_path.resolve() / SETTINGS_FILE
    assert load_settings(db, {"group": {"max_event_days": 1}}).group.max_event_days == 1


def test_toml_round_trip(tmp_path: Path) -> None:
    s = Settings().with_overrides({"group": {"candidate_floor": 0.25}})
    (tmp_path / SETTINGS_FILE).write_text(s.to_toml())
    assert load_settings(tmp_path / "x.db") == s
    assert s.fingerprint("group") != Settings().fingerprint("group")
    assert s.fingerprint("copies") == Settings().fingerprint("copies")


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("group.event_treshold=0.4", "unknown setting group.event_treshold (did you mean "),
        ("grup.event_threshold=0.4", "unknown stage 'grup' (did you mean 'group'?)"),
        ("group.event_threshold=high", "group.event_threshold must be a number, got 'high'"),
        ("copies.shingle=5.5", "copies.shingle must be a whole number"),
        ("group.event_threshold=3", "event_threshold is a cosine-like similarity in [-1, 1]"),
        ("copies.shingle=1", "shingle=1 must be between 2 and"),
        ("claims.slot_threshold=0.9", "slot_threshold must not exceed merge_threshold"),
        ("groupevent_threshold=1", "expected STAGE.KEY=VALUE"),
        ("group.event_threshold=", "expected STAGE.KEY=VALUE"),
    ],
)
def test_bad_set_is_one_line_that_says_how_to_fix(assignment: str, message: str) -> None:
    with pytest.raises(StageError) as info:
        load_settings(None, [assignment])
    text = str(info.value)
    assert message in text
    assert "\n" not in text
    assert text.startswith("--set ")


def test_bad_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / SETTINGS_FILE
    path.write_text("[group\n")
    with pytest.raises(StageError, match=r"newsweave\.toml: not valid TOML"):
        load_settings(tmp_path / "x.db")
    path.write_text('[group]\nevent_threshold = "high"\n')
    with pytest.raises(StageError, match=r"newsweave\.toml: group\.event_threshold must be"):
        load_settings(tmp_path / "x.db")
    path.write_text("group = 3\n")
    with pytest.raises(StageError, match=r"\[group\] must be a table"):
        load_settings(tmp_path / "x.db")
    path.write_text("[group]\nevent_threshold = true\n")  # a bool is not a number
    with pytest.raises(StageError, match="must be a number"):
        load_settings(tmp_path / "x.db")


def _copy_groups(nw: Newsweave) -> list[tuple[str, int]]:
    return sorted((g.kind, len(g.articles)) for g in nw.copy_groups())


def test_settings_reach_the_pipeline_and_are_recorded(tmp_path: Path, seeds_dir: Path) -> None:
    """The same seeds with stricter near-duplicate thresholds: 000 and 002 (one report
    syndicated twice) are no longer a near-duplicate group, and each store records the
    copies settings its results were produced with."""
    strict = ["copies.near_duplicate_containment=1.0", "copies.near_duplicate_jaccard=1.0"]
    results = {}
    for name, overrides in (("default", None), ("strict", strict)):
        with Newsweave(tmp_path / f"{name}.db", settings=overrides) as nw:
            nw.ingest([seeds_dir], analyze=False)
            assert nw.analyze(["copies"]) == ["copies"]
            results[name] = _copy_groups(nw)
            (used,) = nw.used_settings()
            assert used.stage == "copies" and used.runs == 1
            assert used.fingerprint == nw.settings.fingerprint("copies")
            assert (
                used.settings["near_duplicate_jaccard"] == nw.settings.copies.near_duplicate_jaccard
            )
            nw.analyze(["copies"])  # nothing new: no results, nothing recorded
            assert nw.used_settings()[0].runs == 1
    assert ("near-duplicate", 2) in results["default"]
    assert ("near-duplicate", 2) not in results["strict"]


def test_unknown_stage_in_only_is_an_error(tmp_path: Path) -> None:
    with (
        Newsweave(tmp_path / "x.db") as nw,
        pytest.raises(StageError, match="unknown stage 'grup'"),
    ):
        nw.analyze(["grup"])


def test_step_order_is_checked_before_running() -> None:
    names = [s.name for s in pipeline.STEPS]
    assert names == ["sentences", "copies", "nlp", "time", "group", "claims"]
    pipeline.check_order(pipeline.STEPS)
    late = pipeline.Step("early", lambda store, settings: 0, requires=("events",))
    with pytest.raises(StageError, match="step 'early' requires events"):
        pipeline.check_order([late, *pipeline.STEPS])
    with pytest.raises(StageError, match="registered twice"):
        pipeline.check_order([*pipeline.STEPS, pipeline.STEPS[0]])
    with pytest.raises(StageError, match="requires nothing_assigns_this"):
        pipeline.register_step("x", lambda store, settings: 0, requires=("nothing_assigns_this",))
    assert [s.name for s in pipeline.STEPS] == names


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "newsweave.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_set_and_settings_command(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "news.db"
    (tmp_path / SETTINGS_FILE).write_text("[group]\nmax_event_days = 4\n")
    proc = _cli(
        db, "--set", "copies.min_passage_words=10", "ingest", "--no-analyze", str(seeds_dir)
    )
    assert proc.returncode == 0, proc.stderr
    proc = _cli(db, "--set", "copies.min_passage_words=10", "analyze", "--only", "copies")
    assert proc.returncode == 0, proc.stderr
    proc = _cli(db, "settings", "--json")
    data = json.loads(proc.stdout)
    assert data["settings"]["group"]["max_event_days"] == 4  # from the file
    assert data["settings"]["copies"]["min_passage_words"] == 8  # --set was for that run only
    (used,) = data["used"]
    assert used["stage"] == "copies" and used["settings"]["min_passage_words"] == 10
    text = _cli(db, "settings").stdout
    assert f"packaged defaults < {tmp_path.resolve() / SETTINGS_FILE}" in text
    assert "max_event_days = 4" in text
    assert "differs from now: min_passage_words=10" in text

    bad = _cli(db, "--set", "group.event_treshold=0.4", "analyze")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().count("\n") == 0
    assert "unknown setting group.event_treshold (did you mean 'event_threshold'?)" in bad.stderr
    served = _cli(db, "--set", "group.event_threshold=0.4", "serve", "--port", "0")
    assert served.returncode == 2 and "newsweave.toml" in served.stderr


def test_group_and_claims_settings_reach_their_steps(tmp_path: Path, seeds_dir: Path) -> None:
    counts = {}
    for name, overrides in (
        ("default", None),
        ("strict", {"group": {"event_threshold": 0.99}, "claims": {"min_words": 1000}}),
    ):
        with Newsweave(tmp_path / f"{name}.db", settings=overrides) as nw:
            nw.ingest([seeds_dir], analyze=False)
            nw.analyze(["group", "claims"])
            counts[name] = (len(nw.events()), len(nw.claims()))
            assert {u.stage for u in nw.used_settings()} == {"group", "claims"}
    assert counts["default"][0] < counts["strict"][0]  # stricter events: more of them
    assert counts["default"][1] > 0 == counts["strict"][1]  # no sentence has 1000 words


def test_copy_fingerprint_settings_cannot_change_under_stored_signatures(
    tmp_path: Path, seeds_dir: Path
) -> None:
    """Anchors made with another shingle size could never match the stored ones: once a
    store holds signatures, new articles may not be fingerprinted with other values."""
    first, rest = tmp_path / "first", tmp_path / "rest"
    first.mkdir()
    rest.mkdir()
    for path in sorted(seeds_dir.glob("*.txt")):
        (first if path.name.startswith("000") else rest).joinpath(path.name).write_bytes(
            path.read_bytes()
        )
    with Newsweave(tmp_path / "x.db") as nw:
        nw.ingest([first], analyze=False)
        nw.analyze(["copies"])
    with Newsweave(tmp_path / "x.db", settings=["copies.shingle=6"]) as nw:
        nw.ingest([rest], analyze=False)
        with pytest.raises(StageError, match=r"made with copies\.shingle=5; new articles"):
            nw.analyze(["copies"])
    with Newsweave(tmp_path / "x.db", settings=["copies.min_passage_words=10"]) as nw:
        assert nw.analyze(["copies"]) == ["copies"]  # other copies settings may change
