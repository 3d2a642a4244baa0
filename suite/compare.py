"""``netarena compare OLD NEW``: what changed between two results snapshots, per task and method; gates CI.

A snapshot is a folder of results parts, or a git revision (``HEAD~1``, a tag,
a commit) whose ``results/`` is extracted to a temporary folder with
``git archive``. Both go through :func:`suite.leaderboard.aggregate`, the
leaderboard's own aggregation, so a method's numbers here are those of its
leaderboard row (the configuration chosen on validation, newest task version).
Boards are matched by (task, protocol label), methods by name; the per-seed
values tested are the board's ``per_seed`` rows.

Per (task, protocol, method): old and new test mean in the metric's display
units (points for percent metrics), ``delta`` = new - old oriented so that
positive is better, and a two-sided p-value: a paired t-test when both sides
have the same seeds (folds under nested CV), else Welch's t-test
(:mod:`suite.stats`). Status:

* ``regressed`` / ``improved``: significant at ``alpha`` and ``|delta| >= threshold``;
* ``changed``: the per-seed values differ, but not significantly or by less than the threshold;
* ``same``: the same per-seed values; ``added`` / ``removed``: on one side only.

The exit status is 1 when anything regressed, else 0 (2 on a usage error), so
``netarena compare origin/main results`` can gate a CI job.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
from tabulate import tabulate

from suite.errors import ConfigError, NetArenaError
from suite.leaderboard import Aggregation, TaskBoard, aggregate
from suite.metrics import get_metric
from suite.results import ReadReport, list_parts, read_results
from suite.stats import paired_pvalue, welch_pvalue

STATUSES = ("regressed", "improved", "changed", "same", "added", "removed")
COLUMNS = ["task", "protocol", "method", "metric", "old_mean", "old_std", "old_n", "new_mean", "new_std", "new_n",
           "delta", "pvalue", "test", "status", "note"]


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)


@contextmanager
def snapshot(spec: str, results_path: str = "results", repo: str | Path | None = None) -> Iterator[Path]:
    """The results folder ``spec`` names: itself if it is a folder, else ``results_path`` of git revision ``spec``
    of the repository at ``repo`` (default: the working directory), extracted to a temporary folder that is
    removed on exit."""
    if Path(spec).is_dir():
        yield Path(spec)
        return
    repo = Path(repo or ".")
    top = _git(repo, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise ConfigError(f"{spec!r} is not a folder, and {repo.resolve()} is not in a git repository to read it "
                          "as a revision from; give a results folder, or run inside the repository")
    root = Path(top.stdout.strip())
    rev = _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if rev.returncode != 0:
        raise ConfigError(f"{spec!r} is neither a folder nor a git revision of {root}; give a results folder or a "
                          "revision (HEAD~1, a tag, a commit)")
    sha = rev.stdout.strip()
    path = results_path.strip("/")
    if _git(root, "cat-file", "-e", f"{sha}:{path}").returncode != 0:
        raise ConfigError(f"revision {spec} ({sha[:12]}) has no {path}/ folder; pick a revision that has results, "
                          "or name the folder with --results-path")
    with tempfile.TemporaryDirectory(prefix="netarena-compare-") as tmp:
        proc = subprocess.Popen(["git", "-C", str(root), "archive", "--format=tar", sha, "--", path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:  # streamed: results/ can be large
                tar.extractall(tmp, filter="data")
            extracted = True
        except tarfile.TarError:  # git wrote no archive: its message is reported below
            extracted = False
        err = proc.stderr.read().decode(errors="replace").strip()
        if proc.wait() != 0 or not extracted:
            raise ConfigError(f"git archive of {path}/ at {spec} failed: {err.splitlines()[-1] if err else '?'}; "
                              "check the revision and --results-path")
        yield Path(tmp) / path


def _load(path: Path, label: str, spec: str) -> Aggregation:
    if not list_parts(path):
        raise ConfigError(f"{label} {spec!r} holds no results parts (*.parquet under {path}); give a results folder "
                          "(e.g. results) or a revision that has one")
    report = ReadReport()
    rows = read_results(path, report)
    return aggregate(rows, report.parts)


def _nested(board: TaskBoard) -> bool:
    return bool(json.loads(board.protocol_json or "{}").get("retrain"))


def per_seed_values(board: TaskBoard) -> dict[str, pd.Series]:
    """{method: test metric per matched unit} from the board's ``per_seed`` rows (each method's chosen
    configuration): indexed by (seed, split_id), or by outer fold (split_id) under nested CV, where a fold's
    retrains are averaged as the leaderboard does."""
    key = ["split_id"] if _nested(board) else ["seed", "split_id"]
    return {str(m): g.groupby(key)["test_metric"].mean().sort_index() for m, g in board.per_seed.groupby("method")}


def _status(old: pd.Series, new: pd.Series, delta: float, p: float, alpha: float, threshold: float) -> str:
    if old.index.equals(new.index) and np.allclose(old.to_numpy(), new.to_numpy(), rtol=0.0, atol=1e-12):
        return "same"
    if p < alpha and abs(delta) >= threshold and delta != 0:
        return "improved" if delta > 0 else "regressed"
    return "changed"


def _side(board: TaskBoard | None) -> dict[str, pd.Series]:
    """{method: its leaderboard row} of a board (none for a missing board or one whose runs all failed)."""
    if board is None or board.table.empty:
        return {}
    return {str(r["method"]): r for _, r in board.table.iterrows()}


def compare_aggregations(old: Aggregation, new: Aggregation, alpha: float = 0.05,
                         threshold: float = 0.0) -> pd.DataFrame:
    """One row per (task, protocol label, method) on either side, with :data:`COLUMNS`, sorted by those keys.

    Means, stds and ``delta`` are in display units (x100 for percent metrics); ``delta`` is oriented so that
    positive = better; ``old_n``/``new_n`` count seeds (folds). ``pvalue`` is nan for added/removed methods and
    when a side has fewer than 2 values.
    """
    out = []
    for key in sorted(set(old.boards) | set(new.boards)):
        ob, nb = old.boards.get(key), new.boards.get(key)
        ref = nb or ob
        scale = 100.0 if get_metric(ref.metric).percent else 1.0
        sign = 1.0 if ref.higher_is_better else -1.0
        note = f"task v{ob.version} -> v{nb.version}" if ob and nb and ob.version != nb.version else ""
        o_rows, n_rows = _side(ob), _side(nb)
        o_seeds = per_seed_values(ob) if o_rows else {}
        n_seeds = per_seed_values(nb) if n_rows else {}
        for method in sorted(set(o_rows) | set(n_rows)):
            o, n = o_rows.get(method), n_rows.get(method)
            row = {"task": key[0], "protocol": key[1], "method": method, "metric": ref.metric,
                   "old_mean": np.nan, "old_std": np.nan, "old_n": 0, "new_mean": np.nan, "new_std": np.nan,
                   "new_n": 0, "delta": np.nan, "pvalue": np.nan, "test": "", "note": note}
            for side, r in (("old", o), ("new", n)):
                if r is not None:
                    row.update({f"{side}_mean": scale * float(r["test_mean"]),
                                f"{side}_std": scale * float(r["test_std"]), f"{side}_n": int(r["seeds"])})
            if o is None or n is None:
                row["status"] = "added" if o is None else "removed"
                out.append(row)
                continue
            row["delta"] = sign * (row["new_mean"] - row["old_mean"])
            ov, nv = o_seeds.get(method, pd.Series(dtype=float)), n_seeds.get(method, pd.Series(dtype=float))
            if ov.index.equals(nv.index):  # the same seeds (folds) on both sides: pair them
                row["pvalue"], row["test"] = paired_pvalue(ov.to_numpy(), nv.to_numpy()), "paired t"
            else:
                row["pvalue"], row["test"] = welch_pvalue(ov.to_numpy(), nv.to_numpy()), "Welch t"
            row["status"] = _status(ov, nv, row["delta"], row["pvalue"], alpha, threshold)
            out.append(row)
    return pd.DataFrame(out, columns=COLUMNS)


def compare(old: str, new: str, alpha: float = 0.05, threshold: float = 0.0, results_path: str = "results",
            repo: str | Path | None = None) -> pd.DataFrame:
    """:func:`compare_aggregations` of two snapshots, each a results folder or a git revision of ``repo``."""
    if not 0.0 < alpha < 1.0:
        raise ConfigError(f"--alpha must be between 0 and 1, got {alpha:g}; e.g. --alpha 0.05")
    if not threshold >= 0.0:
        raise ConfigError(f"--threshold must be >= 0 (display units: points for percent metrics), got {threshold:g}")
    with snapshot(old, results_path, repo) as old_dir, snapshot(new, results_path, repo) as new_dir:
        return compare_aggregations(_load(old_dir, "OLD", old), _load(new_dir, "NEW", new), alpha, threshold)


def _num(x: float, spec: str) -> str:
    return "-" if x is None or not np.isfinite(x) else format(x, spec)


def render(diff: pd.DataFrame, alpha: float = 0.05, threshold: float = 0.0, show_all: bool = False) -> str:
    """The changed rows (every row with ``show_all``) as a table, then one summary line."""
    shown = diff if show_all else diff[diff["status"] != "same"]
    lines = []
    if not shown.empty:
        with_protocol = diff["protocol"].nunique() > 1
        with_note = bool(shown["note"].astype(bool).any())
        body = []
        for r in shown.itertuples():
            spec = ".2f" if get_metric(r.metric).percent else ".3g"
            body.append([r.task, *([r.protocol] if with_protocol else []), r.method, r.metric,
                         f"{_num(r.old_mean, spec)} ± {_num(r.old_std, spec)} ({r.old_n})" if r.old_n else "-",
                         f"{_num(r.new_mean, spec)} ± {_num(r.new_std, spec)} ({r.new_n})" if r.new_n else "-",
                         _num(r.delta, "+" + spec), _num(r.pvalue, ".3g"), r.test, r.status,
                         *([r.note] if with_note else [])])
        headers = ["task", *(["protocol"] if with_protocol else []), "method", "metric", "old (seeds)",
                   "new (seeds)", "delta (+ = better)", "p", "test", "status", *(["note"] if with_note else [])]
        lines += [tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True), ""]
    counts = diff["status"].value_counts()
    lines.append(", ".join(f"{int(counts.get(s, 0))} {s}" for s in STATUSES)
                 + f" (task, method) pairs; significant = two-sided p < {alpha:g} (paired t over matched seeds, "
                 f"else Welch t) and |delta| >= {threshold:g} (points for percent metrics)")
    return "\n".join(lines)


def cmd_compare(args) -> int:
    diff = compare(args.old, args.new, alpha=args.alpha, threshold=args.threshold, results_path=args.results_path)
    print(render(diff, args.alpha, args.threshold, show_all=args.all))
    regressed = int((diff["status"] == "regressed").sum())
    if regressed:
        print(f"{regressed} regression(s) from {args.old} to {args.new}: exit 1", file=sys.stderr)
    return 1 if regressed else 0


def add_subcommand(sub) -> None:
    """``netarena compare OLD NEW``."""
    cp = sub.add_parser("compare", help="compare two results snapshots (folders or git revisions); exit 1 on a "
                                        "significant regression")
    cp.add_argument("old", metavar="OLD", help="results folder, or a git revision (HEAD~1, a tag, a commit)")
    cp.add_argument("new", metavar="NEW", help="results folder, or a git revision")
    cp.add_argument("--threshold", type=float, default=0.0, metavar="POINTS",
                    help="smallest |delta| that counts as a regression or improvement, in display units: points "
                         "for percent metrics, raw for RMSE/MAE (default 0: any significant change)")
    cp.add_argument("--alpha", type=float, default=0.05, help="significance level of the t-tests (default 0.05)")
    cp.add_argument("--results-path", default="results",
                    help="where the results folder is inside the repository, for git revisions (default results)")
    cp.add_argument("--all", action="store_true", help="also list the (task, method) pairs that are the same")
    cp.set_defaults(func=cmd_compare)


def main(argv: list[str] | None = None) -> int:
    """``python -m suite.compare OLD NEW ...``: the subcommand on its own, with the CLI's error handling."""
    import argparse

    parser = argparse.ArgumentParser(prog="netarena")
    add_subcommand(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["compare", *(sys.argv[1:] if argv is None else argv)])
    try:
        return args.func(args)
    except NetArenaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
