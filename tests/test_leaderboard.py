import json
from datetime import datetime, timedelta, timezone

import pandas as pd

from suite.leaderboard import aggregate, render_markdown, track_summary, write_leaderboard
from suite.results import write_part
from tests.test_results import make_row

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def rows_for(task, method, cfg, tests, vals, status="ok", minutes=0, version=1, max_epochs=1000):
    return [make_row(task=task, method=method, config_hash=cfg, method_config=json.dumps({"c": cfg}), seed=s,
                     test_metric=t, val_metric=v, status=status, task_version=version,
                     started_at=T0 + timedelta(minutes=minutes, seconds=s), epoch_seconds_median=0.01,
                     latency_ms_median=1.0, latency_ms_p90=2.0, peak_memory_bytes=2**20, num_params=10,
                     protocol=json.dumps({"max_epochs": max_epochs, "patience": 100}))
            for s, (t, v) in enumerate(zip(tests, vals))]


PROTOCOL = "max_epochs=1000, patience=100"


def board(agg, task, protocol=PROTOCOL):
    return agg.boards[task, protocol]


def frame(*groups):
    return pd.DataFrame([r for g in groups for r in g])


def test_configuration_is_selected_on_validation_never_on_test():
    df = frame(rows_for("a", "m", "goodtest", [0.9, 0.9], [0.5, 0.5]),
               rows_for("a", "m", "goodval", [0.6, 0.6], [0.8, 0.8]))
    table = board(aggregate(df), "a").table
    assert table.loc[0, "config_hash"] == "goodval" and table.loc[0, "test_mean"] == 0.6


def space(values):
    return json.dumps({"space": {"c": values}, "budget": 2, "sampler": "grid", "seed": 0, "trials": 2,
                       "size": len(values)})


def test_only_the_newest_search_space_of_a_method_competes_in_selection():
    # The grid changed: the old search's best-on-validation config must not join the new search's candidates,
    # or the method would pick from two searches (a bigger tuning budget than any other method's).
    old = [dict(r, search_space=space(["oldbest"])) for r in rows_for("a", "m", "oldbest", [0.9, 0.9], [0.95, 0.95])]
    new = [dict(r, search_space=space(["new1", "new2"])) for r in rows_for("a", "m", "new1", [0.6, 0.6], [0.7, 0.7],
                                                                     minutes=5)
           + rows_for("a", "m", "new2", [0.5, 0.5], [0.6, 0.6], minutes=6)]
    other = [dict(r, search_space=space(["oldbest"])) for r in rows_for("a", "n", "n1", [0.7, 0.7], [0.5, 0.5])]
    table = board(aggregate(frame(old, new, other)), "a").table.set_index("method")
    assert table.loc["m", "config_hash"] == "new1" and table.loc["m", "test_mean"] == 0.6
    assert table.loc["n", "config_hash"] == "n1"  # another method's older search is its newest: kept
    # Before the new search ran, the old one was the board's.
    assert board(aggregate(frame(old, other)), "a").table.set_index("method").loc["m", "config_hash"] == "oldbest"


def test_reruns_count_once_failures_are_counted_and_old_versions_dropped():
    df = frame(rows_for("a", "m", "c", [0.1, 0.2], [0.5, 0.5]),
               rows_for("a", "m", "c", [0.7, 0.8], [0.5, 0.5], minutes=5),  # same seeds, later: these count
               rows_for("a", "m", "c", [None], [None], status="failed", minutes=6),
               rows_for("b", "m", "c", [0.99], [0.9], version=1),
               rows_for("b", "m", "c", [0.5], [0.9], version=2))
    agg = aggregate(df)
    a = board(agg, "a").table.iloc[0]
    assert a["seeds"] == 2 and abs(a["test_mean"] - 0.75) < 1e-9 and a["failed"] == 1
    assert board(agg, "b").version == 2 and board(agg, "b").table.loc[0, "test_mean"] == 0.5


def test_rows_of_different_protocols_are_never_ranked_together():
    df = frame(rows_for("a", "x", "c", [0.9], [0.9]), rows_for("a", "y", "c", [0.5], [0.5], max_epochs=200))
    agg = aggregate(df)
    assert set(agg.boards) == {("a", PROTOCOL), ("a", "max_epochs=200, patience=100")}
    assert [len(b.table) for b in agg.boards.values()] == [1, 1]
    text = render_markdown(agg)
    assert text.index("protocol max_epochs=1000") < text.index("protocol max_epochs=200")


def test_methods_are_ranked_per_task_and_by_average_rank_per_track():
    df = frame(rows_for("a", "x", "c", [0.9], [0.9]), rows_for("a", "y", "c", [0.8], [0.8]),
               rows_for("b", "x", "c", [0.7], [0.7]), rows_for("b", "y", "c", [0.75], [0.7]),
               rows_for("c", "x", "c", [0.6], [0.6]), rows_for("c", "y", "c", [0.5], [0.5]))
    agg = aggregate(df)
    assert board(agg, "b").table["method"].tolist() == ["y", "x"]
    summary = track_summary(agg, "node", PROTOCOL)
    assert summary["method"].tolist() == ["x", "y"]
    assert summary["avg_rank"].tolist() == [4 / 3, 5 / 3] and summary["wins"].tolist() == [2, 1]


def test_rendering_the_same_results_twice_is_byte_identical(tmp_path):
    for g in (rows_for("a", "x", "c1", [0.9, 0.8, 0.85], [0.9, 0.8, 0.8]), rows_for("a", "y", "c2", [0.7], [0.7])):
        write_part(g[:1], tmp_path / "r")
        if len(g) > 1:
            write_part(g[1:], tmp_path / "r")
    first = write_leaderboard(tmp_path / "r", tmp_path / "lb1").read_bytes()
    second = write_leaderboard(tmp_path / "r", tmp_path / "lb2").read_bytes()
    assert first == second
    text = first.decode()
    assert "85.00 ± 5.00" in text and "### `a` (v1)" in text and "## Track `node`, protocol max_epochs=1000, patience=100" in text


def test_an_empty_results_folder_renders_a_page():
    text = render_markdown(aggregate(pd.DataFrame()))
    assert text.startswith("# NetArena leaderboard")


def test_a_task_whose_runs_all_failed_still_shows_up():
    df = frame(rows_for("a", "x", "c", [0.9], [0.9]), rows_for("z", "x", "c", [None], [None], status="failed"))
    agg = aggregate(df)
    assert board(agg, "z").table.empty and agg.rows_failed == 1
    text = render_markdown(agg)
    assert "### `z` (v1)" in text and "No successful runs." in text


def test_a_rerun_under_a_protocol_with_newer_default_fields_replaces_the_old_row():
    old = rows_for("a", "m", "c", [0.5, 0.5], [0.5, 0.5])  # protocol JSON from before trials/batch_nodes existed
    new = rows_for("a", "m", "c", [0.7, 0.7], [0.7, 0.7], minutes=5)
    for r in new:
        r["protocol"] = json.dumps({**json.loads(r["protocol"]), "trials": 1, "batch_nodes": None})
    table = board(aggregate(frame(old, new)), "a").table
    assert len(table) == 1 and table.loc[0, "test_mean"] == 0.7 and table.loc[0, "seeds"] == 2


def test_a_failure_redone_successfully_is_not_counted_as_failed():
    ok = rows_for("a", "m", "c", [0.5], [0.5], minutes=5)
    failed = rows_for("a", "m", "c", [None], [None], status="failed")
    other = rows_for("a", "m", "c", [None], [None], status="failed")
    ok[0]["run_key"] = failed[0]["run_key"] = "k1"
    other[0]["run_key"] = "k2"
    table = board(aggregate(frame(ok, failed, other)), "a").table
    assert table.loc[0, "failed"] == 1  # k2 only


def test_methods_not_significantly_worse_than_the_best_are_marked_by_a_paired_test():
    best = [0.80, 0.83, 0.78, 0.81, 0.84]
    close = [0.80, 0.82, 0.79, 0.80, 0.84]  # differences -0.01..+0.01 around zero: indistinguishable
    worse = [t - 0.05 + 0.002 * i for i, t in enumerate(best)]  # consistently 4-5 points lower on every seed
    df = frame(rows_for("a", "best", "c", best, [0.9] * 5), rows_for("a", "close", "c", close, [0.9] * 5),
               rows_for("a", "worse", "c", worse, [0.9] * 5), rows_for("a", "single", "c", [0.7], [0.9]))
    b = board(aggregate(df), "a")
    marks = dict(zip(b.table["method"], b.table["sig"]))
    assert marks == {"best": "best", "close": "≈", "worse": "", "single": "n/a"}
    p = dict(zip(b.table["method"], b.table["sig_p"]))
    assert p["close"] > 0.5 and p["worse"] < 1e-4
    # The per-seed values behind each row travel with the board (site, compare).
    assert len(b.per_seed) == 16 and set(b.per_seed.columns) >= {"method", "seed", "test_metric"}
    text = render_markdown(aggregate(df))
    assert "| vs best" in text and "≈ (p=" in text and "paired t-test" in text
