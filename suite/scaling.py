"""Scaling report of the function track: test RMSE against parameter count, and its log-log slope per method.

Liu et al. 2024 (KAN, https://arxiv.org/abs/2404.19756) compare KANs and MLPs
by the exponent alpha of ``RMSE ~ N^-alpha`` in the parameter count N. The
function tasks run every method at several parameter budgets (their
``variants``). The report reads the leaderboard's own aggregation
(:func:`suite.leaderboard.aggregate`: newest task version, one row per run,
per (task, method, protocol) the configuration with the best mean
*validation* RMSE) and, per task:

* reports each method's mean test RMSE over seeds and its parameter count at
  each budget;
* fits per (task, method) the slope of log(test RMSE) against log(parameters)
  by least squares (``np.polyfit``, degree 1) over its budgets; the
  steepest (most negative) slope scales best.

Rows that ran under other settings than the budget (e.g. a shorter epoch
budget: any difference in the leaderboard's protocol label) are reported
separately, never pooled. Writes
``function-scaling.md`` (tables, slopes, and a sentence per task naming the
steepest method, computed from the slopes) and ``function-scaling.svg``
(one log-log panel per task).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from tabulate import tabulate

from suite.leaderboard import Aggregation, aggregate, protocol_label
from suite.results import read_results

TRACK = "function"


def _family(protocol_json: str) -> str:
    """What, besides the budget, makes rows comparable: the leaderboard's protocol label without the budget."""
    p = json.loads(protocol_json)
    p.pop("param_budget", None)
    return protocol_label(json.dumps(p))


def points_from(agg: Aggregation) -> pd.DataFrame:
    """One row per (task, protocol family, method, budget) from the leaderboard's own aggregation: the
    validation-selected configuration's mean test metric (the same selection, deduplication and task
    versions as the leaderboard's tables).

    Columns: task, family, method, budget, test_mean, test_std, val_mean, params, seeds, config_hash, metric.
    """
    cols = ["task", "family", "method", "budget", "test_mean", "test_std", "val_mean", "params", "seeds",
            "config_hash", "metric"]
    out = []
    for board in agg.boards.values():
        budget = json.loads(board.protocol_json).get("param_budget")
        if board.track != TRACK or board.table.empty or not budget:
            continue
        family = _family(board.protocol_json)
        for r in board.table.itertuples():
            out.append(dict(task=board.task, family=family, method=r.method, budget=int(budget),
                            test_mean=float(r.test_mean), test_std=float(r.test_std), val_mean=float(r.val_mean),
                            params=float(r.params), seeds=int(r.seeds), config_hash=r.config_hash,
                            metric=board.metric))
    return pd.DataFrame(out, columns=cols).sort_values(["task", "family", "method", "budget"]).reset_index(drop=True)


def scaling_points(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`points_from` the aggregation of result rows ``df``."""
    return points_from(aggregate(df))


def fit_slopes(points: pd.DataFrame) -> pd.DataFrame:
    """Per (task, family, method): slope and intercept of log(test_mean) = slope * log(params) + intercept.

    Needs two budgets or more with a positive test metric; fewer give NaN.
    """
    out = []
    for (task, family, method), rows in points.groupby(["task", "family", "method"], sort=True):
        rows = rows[(rows["test_mean"] > 0) & (rows["params"] > 0)]
        slope = intercept = float("nan")
        if rows["params"].nunique() >= 2:
            slope, intercept = np.polyfit(np.log(rows["params"]), np.log(rows["test_mean"]), 1)
        out.append(dict(task=task, family=family, method=method, slope=float(slope), intercept=float(intercept),
                        budgets=int(len(rows))))
    return pd.DataFrame(out, columns=["task", "family", "method", "slope", "intercept", "budgets"])


def steepest(slopes: pd.DataFrame) -> dict[tuple[str, str], tuple[str, float]]:
    """(task, family) -> (method, slope) with the most negative slope (ties: method name)."""
    out = {}
    for key, rows in slopes.dropna(subset=["slope"]).groupby(["task", "family"], sort=True):
        best = rows.sort_values(["slope", "method"]).iloc[0]
        out[key] = (str(best["method"]), float(best["slope"]))
    return out


def render_markdown(points: pd.DataFrame, slopes: pd.DataFrame) -> str:
    lines = ["# Function track: scaling with parameters", "",
             "Rendered by `suite.scaling` from `results/` alone. Per task, method and parameter budget: the "
             "configuration with the best mean **validation** RMSE, its mean test RMSE over seeds and (in "
             "brackets) its parameter count. `slope`: least-squares slope of log test RMSE against log "
             "parameters over the budgets (RMSE ~ N^slope; more negative scales better).", ""]
    best = steepest(slopes)
    for (task, family), rows in points.groupby(["task", "family"], sort=True):
        budgets = sorted(rows["budget"].unique())
        lines += [f"## `{task}` ({family})", ""]
        body = []
        for method, mrows in rows.groupby("method", sort=True):
            cells = {int(r.budget): f"{r.test_mean:.3g} ({int(round(r.params)):,})" for r in mrows.itertuples()}
            s = slopes[(slopes["task"] == task) & (slopes["family"] == family) & (slopes["method"] == method)]
            slope = s["slope"].iloc[0] if len(s) else float("nan")
            body.append([method, *(cells.get(int(b), "-") for b in budgets),
                         "-" if np.isnan(slope) else f"{slope:+.2f}"])
        lines.append(tabulate(body, headers=["method", *(f"budget {int(b):,}" for b in budgets), "slope"],
                              tablefmt="github", disable_numparse=True))
        lines.append("")
        if (task, family) in best:
            method, slope = best[task, family]
            top = rows[rows["budget"] == budgets[-1]].sort_values(["test_mean", "method"]).iloc[0]
            trend = (f"`{method}` scales steepest (slope {slope:+.2f})" if slope < 0 else
                     f"no method's test RMSE falls with more parameters (best slope {slope:+.2f}, `{method}`)")
            lines += [f"On `{task}`, {trend}; at the largest budget "
                      f"({int(budgets[-1]):,}) `{top['method']}` has the lowest test RMSE ({top['test_mean']:.3g}).",
                      ""]
        else:
            lines += [f"On `{task}`, no method has two budgets or more: no slope.", ""]
    if points.empty:
        lines += ["No ok rows of the function track with a parameter budget.", ""]
    return "\n".join(lines)


def render_svg(points: pd.DataFrame, slopes: pd.DataFrame, path: Path) -> None:
    """One log-log panel per (task, family): test RMSE against parameters, a line per method, slope in the legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(points.groupby(["task", "family"], sort=True))
    ncols = max(1, min(3, len(panels)))
    nrows = max(1, -(-len(panels) // ncols))
    with matplotlib.rc_context({"svg.hashsalt": "netarena", "svg.fonttype": "none", "font.size": 8}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3.2 * nrows), squeeze=False)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        for ax, ((task, family), rows) in zip(axes.flat, panels):
            for method, mrows in rows.groupby("method", sort=True):
                mrows = mrows.sort_values("params")
                s = slopes[(slopes["task"] == task) & (slopes["family"] == family) & (slopes["method"] == method)]
                slope = s["slope"].iloc[0] if len(s) else float("nan")
                ax.plot(mrows["params"], mrows["test_mean"], marker="o",
                        label=f"{method} ({'-' if np.isnan(slope) else f'{slope:+.2f}'})")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(task)
            ax.set_xlabel("parameters")
            ax.set_ylabel("test RMSE")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(title="method (slope)", fontsize=7)
        fig.tight_layout()
        fig.savefig(path, format="svg", metadata={"Date": None})
        plt.close(fig)


def write_scaling(agg: Aggregation, out_dir: str | Path) -> Path:
    """Write ``out_dir/function-scaling.md`` and ``.svg`` from a leaderboard aggregation; returns the Markdown path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    points = points_from(agg)
    slopes = fit_slopes(points)
    md = out / "function-scaling.md"
    md.write_text(render_markdown(points, slopes))
    render_svg(points, slopes, out / "function-scaling.svg")
    return md


def scaling_report(results_dir: str | Path, out_dir: str | Path) -> Path:
    """:func:`write_scaling` for the rows under ``results_dir``."""
    return write_scaling(aggregate(read_results(results_dir)), out_dir)
