"""Nested cross-validation (Errica et al. 2020, "A Fair Comparison of Graph Neural Networks for Graph
Classification", ICLR, https://arxiv.org/abs/1912.09893): model selection inside each outer fold, then
model assessment of the selected configuration on that fold's test set.

A task whose protocol sets ``retrain`` R runs under it. Each of its splits
is an outer fold: ``train`` is the outer training fold minus a stratified
holdout, ``val`` that holdout, ``test`` the outer test fold. Runs are keyed
by seed as usual, and the seed says what a run is for:

* seed ``f`` (< number of folds): a *selection* run of one configuration on
  fold ``f``, trained on ``train``, early-stopped and scored on ``val``;
* seed ``f + r * folds`` (r = 1..R): the r-th *assessment* run of fold
  ``f``'s winner, the configuration with the best selection validation
  metric (ties: lower validation loss, then config hash), retrained from a
  fresh initialisation, early-stopped on the same holdout, scored on test.

A fold's test metric is the mean of its R assessment runs; a method's is the
mean +- std over folds. The winner is chosen from rows alone
(:func:`fold_winners`), by the planner (which plans a fold's assessment runs
once all of its selection runs are recorded) and by the leaderboard alike,
so test metrics never select anything.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from suite.results import list_parts


def is_assessment(seed: int, folds: int) -> bool:
    return seed >= folds


def assessment_seeds(fold: int, folds: int, retrain: int) -> list[int]:
    return [fold + r * folds for r in range(1, retrain + 1)]


def _val_loss(measures) -> float:
    try:
        return float(json.loads(measures).get("val_loss", float("inf")))
    except (TypeError, ValueError, AttributeError):
        return float("inf")


def fold_winners(selection: pd.DataFrame, higher_is_better: bool) -> pd.DataFrame:
    """The selected configuration per (method, fold) from ok selection rows.

    ``selection``: rows with ``method``, ``split_id``, ``config_hash``,
    ``val_metric`` and ``measures`` (JSON holding ``val_loss``); a config
    with several rows for one fold (reruns) counts by its mean. Returns one
    row per (method, split_id) with the winning ``config_hash`` and its
    ``val_metric``.
    """
    if selection.empty:
        return pd.DataFrame(columns=["method", "split_id", "config_hash", "val_metric"])
    sel = selection.assign(val_loss=selection["measures"].map(_val_loss))
    per = sel.groupby(["method", "split_id", "config_hash"], as_index=False).agg(
        val_metric=("val_metric", "mean"), val_loss=("val_loss", "mean"))
    per["key"] = per["val_metric"] * (1 if higher_is_better else -1)
    per = per.sort_values(["method", "split_id", "key", "val_loss", "config_hash"],
                          ascending=[True, True, False, True, True])
    return per.drop_duplicates(["method", "split_id"])[["method", "split_id", "config_hash", "val_metric"]]


def recorded(results_dir: Path, task: str) -> pd.DataFrame:
    """Rows of ``task`` under ``results_dir`` with the columns selection needs (cheap: five columns per part)."""
    cols = ["run_key", "status", "val_metric", "measures", "config_hash"]
    frames = []
    for path in list_parts(Path(results_dir) / task):
        try:
            frames.append(pq.read_table(path, columns=cols).to_pandas())
        except Exception:  # damaged or foreign parts: read_results names them; a resume redoes their runs
            continue
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def plan_assessment(selection_runs: list, folds: int, retrain: int, higher_is_better: bool,
                    results_dir: Path | None) -> list:
    """Assessment runs for every (method, fold) whose selection runs all have a recorded row.

    ``selection_runs``: the planned selection :class:`~suite.runner.Run` objects of one task and protocol.
    A fold whose selection is incomplete gets no assessment runs yet; the
    sweep plans them once it is (``netarena run`` re-plans after each stage).
    """
    from dataclasses import replace

    if results_dir is None or not selection_runs:
        return []
    rows = recorded(results_dir, selection_runs[0].task)
    by_key: dict[str, pd.DataFrame] = dict(tuple(rows.groupby("run_key"))) if len(rows) else {}
    out = []
    groups: dict[tuple, list] = {}
    for run in selection_runs:
        groups.setdefault((run.method, run.seed), []).append(run)
    for (method, fold), runs in sorted(groups.items()):
        if any(run.key not in by_key for run in runs):
            continue  # selection still running on this fold
        ok = [(run, by_key[run.key]) for run in runs]
        ok = [(run, r[r["status"] == "ok"]) for run, r in ok]
        ok = [(run, r) for run, r in ok if len(r)]
        if not ok:
            continue  # every configuration failed on this fold: nothing to assess (the failures are on the board)
        table = pd.DataFrame([{"method": method, "split_id": fold, "config_hash": str(r["config_hash"].iloc[-1]),
                               "val_metric": float(r["val_metric"].mean()), "measures": r["measures"].iloc[-1],
                               "_run": i} for i, (run, r) in enumerate(ok)])
        win = fold_winners(table, higher_is_better)
        best = table[table["config_hash"] == win["config_hash"].iloc[0]]["_run"].iloc[0]
        chosen = ok[int(best)][0]
        out += [replace(chosen, seed=s) for s in assessment_seeds(fold, folds, retrain)]
    return out


def nested_table(rows: pd.DataFrame, higher_is_better: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the assessment rows that count, per-fold results) of one task board's ok rows under nested CV.

    Per (method, fold): the winner from the selection rows (:func:`fold_winners`)
    and the mean test metric of its assessment rows. Folds with no
    assessment row yet are left out (the board's ``seeds`` column counts folds).
    """
    assess_mask = rows["seed"] != rows["split_id"]
    winners = fold_winners(rows[~assess_mask], higher_is_better)
    picked = rows[assess_mask].merge(winners[["method", "split_id", "config_hash"]],
                                     on=["method", "split_id", "config_hash"])
    folds = picked.groupby(["method", "split_id"], as_index=False).agg(
        test_metric=("test_metric", "mean"), retrains=("seed", "nunique"), config_hash=("config_hash", "first"))
    folds = folds.merge(winners[["method", "split_id", "val_metric"]], on=["method", "split_id"])
    return picked, folds
