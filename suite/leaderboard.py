"""The leaderboard, rendered from ``results/`` alone.

:func:`aggregate` turns result rows into per-task standings; renderers format
them (Markdown here). Rules, stated in the rendered page too:

* only ``ok`` rows of the newest ``task_version`` present for a task count;
* rows run under different protocols (e.g. the quick suite's shorter epoch
  budget) are ranked in separate tables, never against each other;
* a (task, method, config, seed) run twice counts once: the latest row;
* per (task, method) the configuration with the best mean *validation*
  metric is shown (test never selects), ties by more seeds then config hash;
* mean +- sample standard deviation (ddof=1) over seeds;
* a track's summary ranks methods by their average rank over its tasks;
* under nested cross-validation (:mod:`suite.nested`) the configuration is
  chosen per outer fold on that fold's holdout, and the test metric is the
  mean +- std over folds of each fold's retrained winner (``seeds`` counts folds).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from tabulate import tabulate

from suite.metrics import get_metric
from suite.nested import nested_table
from suite.results import ReadReport, read_results
from suite.stats import paired_pvalue
from suite.tuning import disclosure

KEY = ["task", "task_version", "protocol", "method", "config_hash", "seed"]
ALPHA = 0.05  # significance level of the "not significantly worse than the best" mark
# The columns aggregation reads (per-epoch curves and provenance are for the method pages, not the standings).
AGGREGATED = ["run_id", "run_key", "track", "task", "task_version", "split_id", "split_sha256", "method", "method_kind",
              "method_config", "search_space", "config_hash", "protocol", "seed", "status", "metric_name",
              "higher_is_better", "val_metric", "test_metric", "test_metrics", "epoch_seconds_median",
              "latency_ms_median", "latency_ms_p90", "peak_memory_bytes", "num_params", "measures", "submission",
              "started_at"]
PER_SEED = ["method", "seed", "split_id", "test_metric", "val_metric", "latency_ms_median", "num_params"]


def protocol_label(protocol_json: str) -> str:
    """What makes rows comparable: epoch and step budgets, patience, the parameter budget or target sparsity,
    and the tuning budget when there was one."""
    p = json.loads(protocol_json or "{}")
    label = f"max_epochs={p.get('max_epochs')}, patience={p.get('patience')}"
    if p.get("batch_nodes"):
        label += f", sampled batches of {p['batch_nodes']} nodes, fan-out {p.get('num_neighbors')}"
    if p.get("max_steps"):
        label += f", max_steps={p['max_steps']}"
    if p.get("eval_every"):
        label += f", validation every {p['eval_every']} epochs"
    if p.get("stop_at") is not None:
        label += f", stop at val {p['stop_at']:g}"
    if p.get("param_budget"):
        label += f", param_budget={p['param_budget']:,}"
    if p.get("sparsity") is not None:
        label += f", sparsity={p['sparsity']:g}"
    if p.get("retrain"):
        label += f", nested CV (winner of each fold retrained {p['retrain']}x)"
    if p.get("variant"):
        label += f", {p['variant']} variant"
    if p.get("trials", 1) > 1:
        label += f", trials={p['trials']} (larger grids: {p.get('sampler')}, seed {p.get('search_seed')})"
    return label


@dataclass
class TaskBoard:
    task: str
    protocol: str  # label of the protocol all its rows ran under
    track: str
    version: int
    metric: str
    higher_is_better: bool
    split_sha256: str
    table: pd.DataFrame  # one row per method, best first
    protocol_json: str = "{}"  # the (normalised) protocol its rows ran under
    # The values behind each method's row: one per seed of its chosen configuration (under nested CV, one per
    # outer fold: the fold winner's retrains averaged, ``seed`` = fold). Columns: method, seed, split_id,
    # test_metric, val_metric, latency_ms_median, num_params.
    per_seed: pd.DataFrame = field(default_factory=pd.DataFrame)
    # run_id -> method of every row behind the table (the chosen configuration's seeds; under nested CV each
    # fold winner's retrains), so a renderer shows those runs without selecting again.
    run_ids: dict = field(default_factory=dict)


@dataclass
class Aggregation:
    boards: dict[tuple[str, str], TaskBoard]  # (task, protocol label) -> board
    configs: dict[str, str]  # config_hash -> method_config JSON
    rows_ok: int
    rows_failed: int
    parts: int


def normal_protocol(protocol_json: str) -> str:
    """The protocol JSON with fields added to :class:`Protocol` since a row was written at their defaults.

    A row from before ``trials`` existed ran under ``trials=1``: both must
    count as the same protocol when deduplicating reruns.
    """
    from suite.task import Protocol, canonical_protocol

    defaults = {f: getattr(Protocol(), f) for f in Protocol.__dataclass_fields__}
    return json.dumps(canonical_protocol({**defaults, **json.loads(protocol_json or "{}")}), sort_keys=True)


def _codes(values: pd.Series) -> np.ndarray:
    """An int64 code per row, equal for equal values, -1 for nulls (arrow's dictionary encoding: fast on strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)
    enc = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
    return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _categorical(values: pd.Series, fn=None) -> pd.Series:
    """``values`` (or ``values.map(fn)``, computed once per distinct value) as a categorical whose categories are
    sorted, so grouping and sorting read small integer codes, in the order the strings would sort.

    Arrow's dictionary encoding finds the distinct values (a million run keys in a fraction of a second;
    ``pd.factorize`` and ``Series.map`` are several times slower on arrow strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # recode a categorical: fn once per category
        codes, uniques = values.cat.codes.to_numpy().astype(np.int64), list(values.cat.categories)
    else:
        arr = pa.array(values, from_pandas=True)
        enc = pc.dictionary_encode(arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        uniques = enc.dictionary.to_pylist()  # distinct values only: tasks, methods, configs, protocols
    if fn is not None:
        uniques = [fn(u) for u in uniques]
    names = sorted({u for u in uniques if u is not None})
    position = {name: i for i, name in enumerate(names)}
    remap = np.asarray([position.get(u, -1) for u in uniques] + [-1], dtype=np.int64)  # null: code -1
    return pd.Series(pd.Categorical.from_codes(remap[codes], categories=names), index=values.index)


def _current_search_space(ok: pd.DataFrame) -> pd.DataFrame:
    """Per (task, protocol, method), only the rows of the search space its newest run came from.

    ``ok`` is sorted by ``started_at``. When a method's grid changes (or a run
    used paper defaults where another tuned), its older runs stay recorded but
    no longer compete in selection: otherwise the method would choose among
    the configurations of two searches, a bigger tuning budget than the
    protocol's ``trials`` that every other method gets."""
    if "search_space" not in ok.columns or ok.empty:
        return ok
    space = _codes(ok["search_space"])  # null (paper defaults, trials=1) is a search space of its own: code -1
    group = ok.groupby(["task", "protocol_label", "method"], observed=True, sort=False).ngroup().to_numpy()
    latest = np.full(group.max() + 1, -2, dtype=np.int64)
    latest[group] = space  # rows are in started_at order: the last write per group is its newest run
    return ok[space == latest[group]]


def aggregate(df: pd.DataFrame, parts: int = 0) -> Aggregation:
    if df.empty:
        return Aggregation({}, {}, 0, 0, parts)
    df = df[[c for c in AGGREGATED if c in df.columns]]  # drop curves, provenance, ...: every group copies less
    normal = _categorical(df["protocol"].fillna("{}"), normal_protocol)
    df = df.assign(protocol=normal, protocol_label=_categorical(normal, protocol_label),
                   **{c: _categorical(df[c]) for c in ("task", "method", "config_hash")})
    newest = df.groupby("task")["task_version"].transform("max")
    df = df[df["task_version"] == newest]
    ok = df[df["status"] == "ok"].sort_values("started_at", kind="stable").drop_duplicates(KEY, keep="last")
    ok = _current_search_space(ok)
    distinct = ok.drop_duplicates("config_hash")
    configs = dict(zip(distinct["config_hash"].tolist(), distinct["method_config"].tolist()))
    # A failure whose run (same run key) later succeeded, e.g. with --retry-failed, is not counted.
    codes = _codes(df["run_key"])  # -1 where null; isin on a million arrow strings is much slower
    has_ok = np.zeros(codes.max() + 2, dtype=bool)
    has_ok[codes[(df["status"] == "ok").to_numpy()]] = True
    has_ok[-1] = False  # code -1 (no run key, rows before schema v3) is never redone
    redone = pd.Series(has_ok[codes], index=df.index)
    failed = df[(df["status"] != "ok") & ~redone].groupby(["task", "protocol_label", "method"]).size()
    boards = {}
    for (task, plabel), rows in ok.groupby(["task", "protocol_label"], sort=True):
        first = rows.iloc[0]
        hib = bool(first["higher_is_better"])
        per_cfg = rows.groupby(["method", "config_hash"]).agg(
            val=("val_metric", "mean"), n=("seed", "nunique"),
        ).reset_index()
        per_cfg["sel"] = per_cfg["val"] * (1 if hib else -1)
        chosen = (per_cfg.sort_values(["method", "sel", "n", "config_hash"], ascending=[True, False, False, True])
                  .drop_duplicates("method"))
        picked = rows.merge(chosen[["method", "config_hash"]], on=["method", "config_hash"])
        nested = json.loads(first["protocol"] or "{}").get("retrain")
        if nested:  # nested CV: each fold's own winner, its retrains' test mean; mean +- std over folds
            picked, folds = nested_table(rows, hib)
            if picked.empty:
                continue
        table = picked.groupby("method").agg(
            test_mean=("test_metric", "mean"),
            test_std=("test_metric", "std"),  # sample std (ddof=1); NaN for one seed
            val_mean=("val_metric", "mean"),
            seeds=("seed", "nunique"),
            epoch_ms=("epoch_seconds_median", "median"),  # NaN skipped; to ms below
            latency_ms=("latency_ms_median", "median"),
            latency_p90_ms=("latency_ms_p90", "median"),
            peak_mib=("peak_memory_bytes", "median"),  # to MiB below
            params=("num_params", "max"),
            config_hash=("config_hash", "first"),
            kind=("method_kind", "first"),
            tuning=("search_space", "first"),
            config=("method_config", "first"),
            submission=("submission", "last"),
        ).reset_index()
        table["epoch_ms"] = table["epoch_ms"] * 1e3
        table["peak_mib"] = table["peak_mib"].astype(float) / 2**20
        if nested:
            by = folds.groupby("method")
            table = table.drop(columns=["test_mean", "test_std", "val_mean", "seeds", "config_hash", "config"])
            table = table.merge(pd.DataFrame({
                "test_mean": by["test_metric"].mean(),
                "test_std": by["test_metric"].agg(lambda s: float(np.std(s, ddof=1)) if len(s) > 1 else float("nan")),
                "val_mean": by["val_metric"].mean(), "seeds": by["split_id"].nunique(),
                "config_hash": by["config_hash"].agg(lambda s: s.value_counts().index[0])}),
                left_on="method", right_index=True)
            table["config"] = table["config_hash"].map(configs)
        table["failed"] = [int(failed.get((task, plabel, m), 0)) for m in table["method"]]
        table["disclosure"] = [_submission_disclosure(sub, t, c) if isinstance(sub, str) else None
                               for sub, t, c in zip(table["submission"], table["tuning"], table["config"])]
        table["tuning"] = [disclosure(t, c) for t, c in zip(table["tuning"], table.pop("config"))]
        extra = _other_metrics(picked, str(first["metric_name"]))
        if not extra.empty:
            table = table.merge(extra, left_on="method", right_index=True, how="left")
        measured = _measures(picked, str(first["track"]))
        if not measured.empty:
            table = table.merge(measured, left_on="method", right_index=True, how="left")
        table = table.sort_values(["test_mean", "method"], ascending=[not hib, True]).reset_index(drop=True)
        table.insert(0, "rank", table["test_mean"].rank(ascending=not hib, method="min").astype(int))
        if nested:
            per_seed = folds.assign(seed=folds["split_id"]).reindex(columns=PER_SEED)
        else:
            per_seed = picked.reindex(columns=PER_SEED)
        per_seed = per_seed.sort_values(["method", "seed"]).reset_index(drop=True)
        table["sig"], table["sig_p"] = _significance(table, per_seed)
        boards[task, plabel] = TaskBoard(task, plabel, str(first["track"]), int(first["task_version"]),
                                         str(first["metric_name"]), hib, str(first["split_sha256"]), table,
                                         str(first["protocol"]), per_seed,
                                         dict(zip(picked["run_id"], picked["method"])) if "run_id" in picked else {})
    # Tasks whose runs all failed still get a board, so failures are visible.
    for task, plabel, _method in failed.index:
        if (task, plabel) not in boards:
            frow = df[df["task"] == task].iloc[0]
            boards[task, plabel] = TaskBoard(task, plabel, str(frow["track"]), int(frow["task_version"]),
                                             str(frow["metric_name"]), bool(frow["higher_is_better"]),
                                             str(frow["split_sha256"]), pd.DataFrame())
    return Aggregation(dict(sorted(boards.items())), dict(sorted(configs.items())), int(len(ok)),
                       int((df["status"] != "ok").sum()), parts)


def _significance(table: pd.DataFrame, per_seed: pd.DataFrame) -> tuple[list[str], list[float]]:
    """Per method (in ``table`` order, best first): ``best`` for the top one; else the two-sided paired t-test
    p-value against the best over the seeds (folds) both have (:func:`suite.stats.paired_pvalue`) and the mark
    ``≈`` (p >= ALPHA: not significantly different from the best), ``""`` (significantly different) or
    ``n/a`` (fewer than 2 shared seeds)."""
    if table.empty:
        return [], []
    try:  # one value per (seed, method) is the rule; pivot_table (averaging) is ten times slower
        values = per_seed.pivot(index="seed", columns="method", values="test_metric")
    except ValueError:
        values = per_seed.pivot_table(index="seed", columns="method", values="test_metric", aggfunc="mean")
    best = table["method"].iloc[0]
    top = values[best].to_numpy(dtype=float) if best in values else np.full(len(values), np.nan)
    marks, pvalues = [], []
    for method in table["method"]:
        if method == best:
            marks.append("best")
            pvalues.append(float("nan"))
            continue
        other = values[method].to_numpy(dtype=float) if method in values else np.full(len(values), np.nan)
        p = paired_pvalue(top, other)  # seeds missing on either side are dropped; nan below 2 shared seeds
        pvalues.append(p)
        marks.append("n/a" if np.isnan(p) else "≈" if p >= ALPHA else "")
    return marks, pvalues


def _other_metrics(picked: pd.DataFrame, primary: str) -> pd.DataFrame:
    """Mean test value per method of every reported metric besides the primary (rows' ``test_metrics``)."""
    if "test_metrics" not in picked or picked["test_metrics"].isna().all():
        return pd.DataFrame()
    values = pd.DataFrame([json.loads(v) if isinstance(v, str) else {} for v in picked["test_metrics"]],
                          index=picked.index)
    values = values.drop(columns=[primary], errors="ignore")
    if values.shape[1] == 0:
        return pd.DataFrame()
    return values.groupby(picked["method"]).mean().add_prefix("metric:")


def _measures(picked: pd.DataFrame, track: str) -> pd.DataFrame:
    """Per method, for each measure the track shows (:attr:`Track.shown_measures`): the mean over the seeds
    that have it (``measure:NAME``) and how many seeds do (``measure:NAME:n``; a grokking step is missing on a
    seed that never reached 99%)."""
    from suite.tracks import TRACKS

    shown = TRACKS[track].shown_measures if track in TRACKS else ()
    if not shown or "measures" not in picked or picked["measures"].isna().all():
        return pd.DataFrame()
    values = pd.DataFrame([json.loads(v) if isinstance(v, str) else {} for v in picked["measures"]],
                          index=picked.index).reindex(columns=list(shown))
    values = values.apply(pd.to_numeric, errors="coerce")
    grouped = values.groupby(picked["method"])
    return pd.concat([grouped.mean().add_prefix("measure:"),
                      grouped.count().add_prefix("measure:").add_suffix(":n")], axis=1)


MEASURE_FORMATS = {"sparsity": (".1f", 100.0), "final_train": (".1f", 100.0), "final_val": (".1f", 100.0),
                   "dense_val": (".1f", 100.0)}  # shares as percent; counts and steps as integers


def _fmt_sig(row) -> str:
    """``best``; ``≈ (p=0.41)`` when not significantly different from the best; ``p=0.003`` when it is."""
    mark, p = row.get("sig"), row.get("sig_p")
    if mark in ("best", "n/a") or mark is None:
        return mark or ""
    return f"≈ (p={p:.2g})" if mark == "≈" else f"p={p:.2g}"


def _fmt_measure(row, name: str) -> str:
    mean, n, seeds = row.get(f"measure:{name}"), row.get(f"measure:{name}:n"), row["seeds"]
    if n is None or (isinstance(n, float) and np.isnan(n)) or n == 0:
        return "never" if name.endswith("_step") or name.startswith("steps_") else "-"
    spec, scale = MEASURE_FORMATS.get(name, (",.0f", 1.0))
    text = format(mean * scale, spec)
    return text if n >= seeds else f"{text} ({int(n)}/{seeds} seeds)"


def _submission_disclosure(submission_json: str, search_json, config_json) -> str:
    """OGB-style hyperparameters of a submission's chosen configuration: the searched values with ``*`` on the
    chosen one, or, when the protocol ran its defaults only (trials=1), its declared grid, marked as not searched."""
    if isinstance(search_json, str) and search_json:
        return disclosure(search_json, config_json)
    grid, config = json.loads(submission_json).get("grid") or {}, json.loads(config_json)
    parts = [f"{k}: [{', '.join(f'{v}*' if v == config.get(k) else f'{v}' for v in values)}]"
             for k, values in sorted(grid.items())]
    return "defaults (trials=1; declared grid not searched): " + "; ".join(parts)


def track_summary(agg: Aggregation, track: str, protocol: str) -> pd.DataFrame:
    """Average rank per method over the track's tasks run under ``protocol`` (rank 1 = best on a task)."""
    ranks = []
    for board in agg.boards.values():
        if board.track == track and board.protocol == protocol and not board.table.empty:
            r = board.table["test_mean"].rank(ascending=not board.higher_is_better, method="average")
            ranks.append(pd.DataFrame({"method": board.table["method"], "rank": r, "task": board.task}))
    if not ranks:
        return pd.DataFrame(columns=["method", "avg_rank", "tasks", "wins"])
    allr = pd.concat(ranks)
    out = allr.groupby("method").agg(avg_rank=("rank", "mean"), tasks=("task", "nunique"),
                                     wins=("rank", lambda s: int((s == 1).sum()))).reset_index()
    return out.sort_values(["avg_rank", "method"]).reset_index(drop=True)


def _scale(metric: str) -> float:
    return 100.0 if get_metric(metric).percent else 1.0


def _spec(metric: str) -> str:
    """Percent metrics with 2 decimals; others (RMSE, MAE: any scale, often 1e-3 or below) to 3 significant digits."""
    return ".2f" if get_metric(metric).percent else ".3g"


def _metric_order(column: str) -> tuple:
    name = column.split(":", 1)[1]
    return (0, int(name.split("@")[1])) if name.startswith("hits@") else (1, name)


def _budget(label: str) -> int:
    try:
        return int(label.split(",")[0].split("=")[1])
    except (IndexError, ValueError):
        return 0


def _section_key(track_label: tuple[str, str]) -> tuple:
    """Sections by track, then longer epoch budgets first, then parameter budgets and sparsities in numeric order."""
    track, label = track_label
    nums = {k: float(v.replace(",", "")) for k, v in re.findall(r"(param_budget|sparsity)=([\d.,]+\d)", label)}
    return (track, -_budget(label), nums.get("param_budget", 0.0), nums.get("sparsity", 0.0), label)


def _fmt(x, spec, scale=1.0):
    return "-" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x * scale, spec)


def render_markdown(agg: Aggregation) -> str:
    lines = [
        "# NetArena leaderboard",
        "",
        f"Rendered by `netarena leaderboard` from `results/` alone ({agg.rows_ok} ok rows, "
        f"{agg.rows_failed} failed or timed-out rows, {agg.parts} parts). Do not edit by hand.",
        "",
        "Rules: newest task version only; one row per (task, method, config, seed), the latest; "
        "per task and method the configuration with the best mean **validation** metric; "
        "test metric as mean ± sample std (ddof=1) over seeds, in percent (accuracy, Hits@K, MRR, ROC-AUC); "
        "`vs best`: a two-sided paired t-test over the seeds (outer folds under nested CV) each method shares with "
        "the best, on the test metric; `≈` marks methods not significantly different from the best at alpha 0.05 "
        "(a t-test, not Wilcoxon: with 3-10 seeds Wilcoxon's smallest p cannot go below 0.05), `p=` those that "
        "are, `n/a` fewer than 2 shared seeds; "
        "a task's other metrics as test means beside it; "
        "`epoch ms` median epoch time (train step + validation pass, warm-up epochs excluded); "
        "under nested cross-validation (the graph track's TU tasks) the test metric is the mean ± std over outer folds of each fold's selected configuration, retrained (`seeds` counts folds; `config` and the starred tuning values are those chosen on the most folds); `latency ms` median (p90) of full inference passes; `peak MiB` the run's memory above the "
        "loaded data (RSS high-water mark on CPU); `failed` counts failed or timed-out runs not since redone successfully.",
        "",
    ]
    sections = sorted({(b.track, b.protocol) for b in agg.boards.values()}, key=_section_key)
    for track, plabel in sections:
        summary = track_summary(agg, track, plabel)
        lines += [f"## Track `{track}`, protocol {plabel}: average rank", ""]
        lines.append(tabulate(
            [[i + 1, r.method, f"{r.avg_rank:.2f}", r.tasks, r.wins] for i, r in enumerate(summary.itertuples())],
            headers=["#", "method", "avg rank", "tasks", "wins"], tablefmt="github"))
        lines.append("")
        for board in agg.boards.values():
            if (board.track, board.protocol) != (track, plabel):
                continue
            scale = _scale(board.metric)
            direction = "higher is better" if board.higher_is_better else "lower is better"
            lines += [f"### `{board.task}` (v{board.version}): {board.metric}, {direction}", "",
                      f"protocol {board.protocol}; split sha256 `{board.split_sha256[:16]}`", ""]
            if board.table.empty:
                lines += ["No successful runs.", ""]
                continue
            # The task's other metrics (test means) go right after the primary one.
            others = sorted((c for c in board.table.columns if c.startswith("metric:")), key=_metric_order)
            measures = [c.split(":", 1)[1] for c in board.table.columns
                        if c.startswith("measure:") and not c.endswith(":n")]
            body = [[r["rank"], f"{r['method']} (submission)" if isinstance(r.get("submission"), str) else r["method"],
                     r["kind"],
                     f"{_fmt(r['test_mean'], _spec(board.metric), scale)} ± "
                     f"{_fmt(r['test_std'], _spec(board.metric), scale)}",
                     _fmt_sig(r),
                     *(_fmt(r[c], _spec(c.split(":", 1)[1]), _scale(c.split(":", 1)[1])) for c in others),
                     _fmt(r["val_mean"], _spec(board.metric), scale), r["seeds"], r["failed"], _fmt(r["epoch_ms"], ".2f"),
                     f"{_fmt(r['latency_ms'], '.2f')} ({_fmt(r['latency_p90_ms'], '.2f')})",
                     _fmt(r["peak_mib"], ".1f"), f"{int(r['params']):,}",
                     *(_fmt_measure(r, name) for name in measures), f"`{r['config_hash']}`"]
                    for _, r in board.table.iterrows()]
            headers = ["#", "method", "kind", "test", "vs best", *(c.split(":", 1)[1] for c in others), "val", "seeds",
                       "failed", "epoch ms", "latency ms (p90)", "peak MiB", "params", *measures, "config"]
            if (board.table["tuning"] != "paper defaults").any():  # OGB-style: searched values, * = chosen
                body = [b + [t] for b, t in zip(body, board.table["tuning"])]
                headers.append("tuning (searched values, * = chosen on validation)")
            lines.append(tabulate(body, headers=headers, tablefmt="github", disable_numparse=True))
            lines.append("")
    lines += _submissions_section(agg)
    if agg.configs:
        lines += ["## Configurations", ""]
        shown = {b.table.loc[i, "config_hash"] for b in agg.boards.values() if not b.table.empty
                 for i in b.table.index}
        lines.append(tabulate([[f"`{h}`", f"`{json.dumps(json.loads(c), sort_keys=True)}`"]
                               for h, c in agg.configs.items() if h in shown],
                              headers=["config", "hyperparameters"], tablefmt="github", disable_numparse=True))
        lines.append("")
    return "\n".join(lines)


def _submissions_section(agg: Aggregation) -> list[str]:
    """Who submitted each submitted method, where its code is, and its hyperparameters per task (OGB-style)."""
    subs: dict[str, dict] = {}
    for board in agg.boards.values():
        if board.table.empty or "submission" not in board.table:
            continue
        for _, r in board.table[board.table["submission"].map(lambda v: isinstance(v, str))].iterrows():
            entry = subs.setdefault(r["method"], {"info": json.loads(r["submission"]), "tasks": []})
            entry["tasks"].append((board.task, board.protocol, r["disclosure"]))
    if not subs:
        return []
    lines = ["## Submissions", "",
             "Methods submitted with `netarena submit` (code outside the suite), ranked in the tables above under "
             "the same protocol and tuning budget as the baselines. Hyperparameters OGB-style: `*` = the value "
             "chosen on validation.", ""]
    for name, entry in sorted(subs.items()):
        info = entry["info"]
        links = [f"[{label}]({url})" for label, url in (("paper", info.get("paper_url")), ("code", info.get("code_url")))
                 if isinstance(url, str) and url.startswith(("http://", "https://"))]
        lines += [f"### `{name}`", "",
                  f"{info.get('authors') or 'authors not given'}. {info.get('paper') or ''} {' · '.join(links)}".strip(),
                  "", f"source `{info.get('source')}`, code sha256 `{info.get('code_sha256')}`"
                  + (f", {info['distribution']}" if info.get("distribution") else ""), ""]
        lines.append(tabulate([[f"`{task}`", plabel, disc] for task, plabel, disc in entry["tasks"]],
                              headers=["task", "protocol", "hyperparameters"], tablefmt="github",
                              disable_numparse=True))
        lines.append("")
    return lines


def write_leaderboard(results_dir: str | Path, out_dir: str | Path, html: bool = False) -> Path:
    """Render ``out_dir/README.md`` from ``results_dir``; the same rows give the same bytes. With ``html``, also
    the static site ``out_dir/site/`` (:mod:`suite.site`), from the same rows and the same aggregation."""
    report = ReadReport()
    df = read_results(results_dir, report)
    agg = aggregate(df, report.parts)
    text = render_markdown(agg)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (df["track"] == "function").any():  # scaling of test error with parameters: table and log-log plot
        from suite.scaling import write_scaling

        write_scaling(agg, out)
    path = out / "README.md"
    tmp = out / ".README.md.tmp"
    tmp.write_text(text)
    tmp.replace(path)
    if html:
        from suite.site import write_site

        write_site(results_dir, out / "site", out / "reproductions", rows=df, agg=agg)
    return path
