"""``netarena reproduce``: rerun the cells of a published table and render them beside the paper's numbers.

A table is a declarative spec, ``suite/reproductions/<name>.toml`` (TOML, read
with :mod:`tomllib`): its source (authors, year, title, venue, URL, table
number), the default metric, the tolerance rule, protocol overrides shared by
every cell, a note on how our protocol differs from the paper's, and the cells
(task, method, config, published value and std). Published numbers live in
these specs only, never in ``results/``.

Each available cell is planned with :func:`suite.runner.plan` as any sweep
(suite ``reproduce:<name>``), so its runs share run keys with every other
sweep of the same (task, method, config, protocol, seed): rows already in
``results/`` are reused and only missing runs execute. Measured values come
from the rows of the cell's planned runs alone: mean +- sample std (ddof=1)
over seeds, or under nested cross-validation (Errica et al.'s ``retrain``
protocol) over outer folds, each fold's winner chosen on its holdout exactly
as the leaderboard does (:func:`suite.nested.nested_table`).

The render is Markdown, ``<out>/<name>.md``, plus ``<out>/README.md``, an
index of every table with its summary line. A reproduction that falls outside
its tolerance is information, not an error: the command exits 0 unless the
runner itself fails.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import sys
import time
import tomllib
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from suite.errors import ConfigError, UnknownNameError

SPEC_DIR = Path(__file__).with_name("reproductions")
DEFAULT_OUT = "leaderboard/reproductions"

TABLE_FIELDS = {"name": str, "authors": str, "year": int, "title": str, "venue": str, "url": str, "table": str,
                "metric": str, "tolerance": dict, "protocol": dict, "note": str, "cells": list}
OPTIONAL_TABLE_FIELDS = {"protocol", "note"}
CELL_FIELDS = {"task": str, "method": str, "config": dict, "protocol": dict, "published": (int, float),
               "std": (int, float), "metric": str, "note": str, "unavailable": str, "label": str}
TOLERANCE_FIELDS = {"std": bool, "points": (int, float)}

# Verdicts of a cell; "within"/"outside" only for measured cells.
WITHIN, OUTSIDE, NOT_RUN, FAILED = "within", "outside", "not run", "failed"
DATA_UNAVAILABLE, UNAVAILABLE = "data unavailable", "unavailable"
# Measured on fewer seeds or folds than planned (a sweep stopped part-way): shown, not judged.
PARTIAL = "partial"


@dataclass(frozen=True)
class Tolerance:
    """A cell is reproduced when |measured - published| <= max(published std if ``std``, ``points``)."""

    std: bool = True
    points: float = 1.0

    def allowed(self, published_std: float | None) -> float:
        """The largest |delta| counted as within tolerance, in the metric's shown units (percent points)."""
        return max(published_std if self.std and published_std is not None else 0.0, self.points)

    def describe(self) -> str:
        points = f"{self.points:g} point" + ("" if self.points == 1 else "s")
        return f"|measured - published| <= max(published std, {points})" if self.std else \
            f"|measured - published| <= {points}"


def verdict(measured: float, published: float, published_std: float | None, tolerance: Tolerance) -> str:
    """``within`` or ``outside``: the tolerance rule on one measured mean."""
    return WITHIN if abs(measured - published) <= tolerance.allowed(published_std) + 1e-9 else OUTSIDE


@dataclass
class Cell:
    """One published number: a task and method of the suite (or a marked ``unavailable`` one) and its value."""

    method: str
    published: float
    metric: str
    task: str | None = None
    std: float | None = None
    config: dict = field(default_factory=dict)
    protocol: dict = field(default_factory=dict)
    note: str = ""
    unavailable: str = ""  # why the suite cannot measure this cell (a dataset or metric it lacks)
    label: str = ""  # what to call the cell's dataset when it has no task

    @property
    def name(self) -> str:
        return self.label or f"`{self.task}`"


@dataclass
class TableSpec:
    name: str
    authors: str
    year: int
    title: str
    venue: str
    url: str
    table: str
    metric: str
    tolerance: Tolerance
    cells: list[Cell]
    path: Path
    protocol: dict = field(default_factory=dict)
    note: str = ""

    def citation(self) -> str:
        return f"{self.authors} ({self.year}). *{self.title}*. {self.venue}. {self.url}"

    def short(self) -> str:
        """``Kipf & Welling 2017``, ``Xu et al. 2019``: authors are comma-separated in the spec."""
        surnames = [a.split()[-1] for a in self.authors.split(",") if a.strip()]
        who = " & ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
        return f"{who} {self.year}"

    def tasks(self) -> list[str]:
        return list(dict.fromkeys(c.task for c in self.cells if c.task))


# ---------------------------------------------------------------- loading and validation


def spec_paths() -> list[Path]:
    """The shipped table specs, by name."""
    return sorted(SPEC_DIR.glob("*.toml"))


def resolve_spec(ref: str) -> Path:
    """A table name (``kipf2017-gcn``) or a path to a ``.toml`` spec -> the spec's path."""
    path = Path(ref)
    if ref.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"no reproduction spec at {ref}: give an existing .toml file or a table name "
                              "(`netarena reproduce --list`)")
        return path
    names = {p.stem: p for p in spec_paths()}
    if ref in names:
        return names[ref]
    close = difflib.get_close_matches(ref, list(names), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else "no similar table is shipped;"
    raise UnknownNameError(f"unknown reproduction {ref!r}: {hint} (`netarena reproduce --list` shows all)")


def _typed(table: dict, key: str, kinds: dict, where: str, required: bool = True):
    """``table[key]`` checked against its type in ``kinds``; None when absent and not required."""
    if key not in table:
        if required:
            raise ConfigError(f"{where}: field {key!r} is missing; add it (see suite/reproductions/README.md)")
        return None
    value, kind = table[key], kinds[key]
    if not isinstance(value, kind) or (kind == (int, float) and isinstance(value, bool)):
        names = "a number" if kind == (int, float) else f"a {kind.__name__}" if isinstance(kind, type) else kind
        raise ConfigError(f"{where}: field {key!r} must be {names}, got {value!r}")
    return value


def _no_unknown(table: dict, kinds: dict, where: str) -> None:
    """Typos (``publised``) fail instead of being ignored."""
    for key in table:
        if key not in kinds:
            close = difflib.get_close_matches(key, list(kinds), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(kinds)}"
            raise ConfigError(f"{where}: unknown field {key!r}; {hint}")


def _tolerance(table: dict, where: str) -> Tolerance:
    _no_unknown(table, TOLERANCE_FIELDS, f"{where}, tolerance")
    std = _typed(table, "std", TOLERANCE_FIELDS, f"{where}, tolerance", required=False)
    points = _typed(table, "points", TOLERANCE_FIELDS, f"{where}, tolerance")
    return Tolerance(std=True if std is None else std, points=float(points))


def _cell(table: dict, default_metric: str, where: str) -> Cell:
    _no_unknown(table, CELL_FIELDS, where)
    get = {k: _typed(table, k, CELL_FIELDS, where, required=k in ("method", "published")) for k in CELL_FIELDS}
    if not get["unavailable"] and not get["task"]:
        raise ConfigError(f"{where}: field 'task' is missing; add the task (`netarena list tasks`) or mark the "
                          "cell unavailable = \"why\" with a label")
    if get["unavailable"] and not (get["task"] or get["label"]):
        raise ConfigError(f"{where}: an unavailable cell needs a 'label' naming its dataset")
    if get["std"] is not None and get["std"] < 0:
        raise ConfigError(f"{where}: field 'std' must be at least 0, got {get['std']}")
    return Cell(method=get["method"], published=float(get["published"]), metric=get["metric"] or default_metric,
                task=get["task"], std=None if get["std"] is None else float(get["std"]),
                config=get["config"] or {}, protocol=get["protocol"] or {}, note=get["note"] or "",
                unavailable=get["unavailable"] or "", label=get["label"] or "")


def _validate_cell(cell: Cell, spec_protocol: dict, where: str) -> None:
    """The cell's names exist (the registries' own "did you mean" errors), its metric is one its task reports,
    its config fits the method and its protocol overrides are protocol fields."""
    from suite.metrics import get_metric
    from suite.registry import METHODS, TASKS

    try:
        task = TASKS.get(cell.task)
        method = METHODS.get(cell.method)
    except UnknownNameError as exc:
        raise UnknownNameError(f"{where}: {exc}") from None
    try:
        get_metric(cell.metric)
    except KeyError as exc:
        raise ConfigError(f"{where}: {exc.args[0]}") from None
    if cell.metric not in task.metrics:
        raise ConfigError(f"{where}: task {task.name} does not report {cell.metric}; it reports "
                          f"{', '.join(task.metrics)} (or mark the cell unavailable = \"why\")")
    if not method.supports(task.track):
        raise ConfigError(f"{where}: method {method.name} does not run on the {task.track} track of {task.name}")
    try:
        method.resolve(cell.config)
        replace(task.protocol, **{**spec_protocol, **cell.protocol})
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except TypeError as exc:
        raise ConfigError(f"{where}: unknown protocol field ({exc}); fields: {', '.join(asdict(task.protocol))}"
                          ) from None


def load_spec(ref: str) -> TableSpec:
    """Read and validate a table spec (a shipped name or a ``.toml`` path); errors name the file and field."""
    path = resolve_spec(ref)
    where = f"reproduction spec {path}"
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc}); fix its syntax") from None
    _no_unknown(data, TABLE_FIELDS, where)
    get = {k: _typed(data, k, TABLE_FIELDS, where, required=k not in OPTIONAL_TABLE_FIELDS) for k in TABLE_FIELDS}
    if not get["cells"]:
        raise ConfigError(f"{where}: field 'cells' is empty; add [[cells]] tables")
    cells = []
    for i, table in enumerate(get["cells"], 1):
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: cells must be [[cells]] tables, got {table!r}")
        cell = _cell(table, get["metric"], f"{where}, cell {i}")
        if not cell.unavailable:
            _validate_cell(cell, get["protocol"] or {}, f"{where}, cell {i}")
        cells.append(cell)
    return TableSpec(name=get["name"], authors=get["authors"], year=get["year"], title=get["title"],
                     venue=get["venue"], url=get["url"], table=get["table"], metric=get["metric"],
                     tolerance=_tolerance(get["tolerance"], where), cells=cells, path=path,
                     protocol=get["protocol"] or {}, note=(get["note"] or "").strip())


# ---------------------------------------------------------------- measuring a cell


@dataclass
class CellResult:
    """What the render shows for one cell."""

    cell: Cell
    verdict: str
    mean: float = math.nan
    std: float = math.nan
    n: int = 0  # seeds or folds measured
    expected: int = 0  # seeds or folds planned
    unit: str = "seeds"
    failed_runs: int = 0
    reason: str = ""  # why unavailable, the first error, or the command that runs the cell
    seconds: dict[str, float] = field(default_factory=dict)  # train_seconds of each ok run behind the value
    earlier_code: str = ""  # the method_code of the rows behind the value when they predate the current code


def cell_protocol(spec: TableSpec, cell: Cell) -> dict:
    return {**spec.protocol, **cell.protocol}


def plan_cell(spec: TableSpec, cell: Cell, seeds: int | None, results_dir: Path) -> list:
    """The cell's runs (under nested CV also the assessment runs of every fold whose selection is recorded)."""
    from suite.runner import plan

    return plan([cell.task], [cell.method], seeds, cell.config, suite=f"reproduce:{spec.name}",
                protocol=cell_protocol(spec, cell), results_dir=results_dir)


def _is_nested(spec: TableSpec, cell: Cell) -> bool:
    from suite.registry import TASKS

    return bool(replace(TASKS.get(cell.task).protocol, **cell_protocol(spec, cell)).retrain)


def _cell_rows(results_dir: Path, cell: Cell, keys: set[str], label: str | None = None):
    """The rows of the cell's planned runs (a rerun of a run counts once: its latest row).

    When none is recorded but the method has rows under the same protocol (``label``,
    :func:`suite.leaderboard.protocol_label`) and with the cell's fixed hyperparameters from an earlier
    version of its code (whose run keys differ), those rows: the value the leaderboard shows for that
    protocol, marked as earlier code.
    """
    from suite.leaderboard import protocol_label
    from suite.results import read_results

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged parts are named by `netarena results --check`
        every = read_results(Path(results_dir) / cell.task / cell.method)
    rows = every[every["run_key"].isin(keys)]
    if rows.empty and label is not None and len(every):
        from suite.runner import method_code_version

        labels = every["protocol"].fillna("{}").map(protocol_label)
        fixed = every["method_config"].map(  # the cell's fixed hyperparameters, if it has any, must match
            lambda c: all(json.loads(c or "{}").get(k) == v for k, v in cell.config.items()))
        rows = every[(labels == label) & (every["method"] == cell.method) & fixed
                     & (every["method_code"] != method_code_version(cell.method))]
    ok = rows[rows["status"] == "ok"].sort_values("started_at").drop_duplicates("run_key", keep="last")
    failed = rows[(rows["status"] != "ok") & ~rows["run_key"].isin(set(ok["run_key"]))]
    return ok, failed


def _metric_values(ok, cell: Cell):
    """The cell's metric per row: the primary ``test_metric``, or the named entry of ``test_metrics``."""
    from suite.registry import TASKS

    if cell.metric == TASKS.get(cell.task).metric:
        return ok["test_metric"]
    return ok["test_metrics"].map(lambda s: json.loads(s).get(cell.metric) if isinstance(s, str) else None)


def measure(spec: TableSpec, cell: Cell, seeds: int | None, results_dir: Path, command: str) -> CellResult:
    """The cell's value from the rows of its planned runs; ``not run`` (with ``command``) when none is recorded."""
    import pandas as pd

    from suite.leaderboard import aggregate, protocol_label
    from suite.metrics import get_metric
    from suite.registry import TASKS
    from suite.runner import method_code_version

    runs = plan_cell(spec, cell, seeds, results_dir)
    nested = _is_nested(spec, cell)
    task = TASKS.get(cell.task)
    expected = len({r.seed for r in runs if not nested or r.seed < task.num_splits})
    label = protocol_label(json.dumps(runs[0].protocol_dict, sort_keys=True)) if runs else None
    ok, failed = _cell_rows(results_dir, cell, {r.key for r in runs}, label)
    result = CellResult(cell, NOT_RUN, expected=expected, unit="folds" if nested else "seeds",
                        failed_runs=int(failed["run_key"].nunique()), reason=command,
                        seconds=dict(zip(ok["run_key"], ok["train_seconds"].fillna(0.0).astype(float))))
    codes = set(ok["method_code"].dropna()) if "method_code" in ok else set()
    if codes and method_code_version(cell.method) not in codes:
        result.earlier_code = ", ".join(sorted(codes))
    if ok.empty:
        if len(failed):
            result.verdict, result.reason = FAILED, str(failed["error"].dropna().iloc[0]).splitlines()[0][:200]
        return result
    # The leaderboard's own aggregation: validation selects the configuration (per outer fold under nested CV),
    # one row per seed counts, mean +- std over seeds or folds.
    values = ok.assign(test_metric=pd.to_numeric(_metric_values(ok, cell), errors="coerce"))
    boards = [b for b in aggregate(values).boards.values() if not b.table.empty]
    if not boards:  # nested CV whose folds have no assessment run yet
        result.reason = f"{command} (selection runs recorded on some folds, no fold assessed yet)"
        return result
    row = boards[0].table.iloc[0]
    scale = 100.0 if get_metric(cell.metric).percent else 1.0
    result.mean, result.std, result.n = row["test_mean"] * scale, row["test_std"] * scale, int(row["seeds"])
    if result.n < expected:  # a mean over some folds is no reproduction yet: the rest are still to run
        result.verdict, result.reason = PARTIAL, command
        return result
    # Judged at the precision shown (2 decimals), so the verdict agrees with the printed delta.
    result.verdict = verdict(round(result.mean, 2), cell.published, cell.std, spec.tolerance)
    return result


# ---------------------------------------------------------------- running a table


@dataclass
class Outcome:
    spec: TableSpec
    results: list[CellResult]
    executed: list[dict]  # rows of the runs this command executed
    seconds: float
    command: str

    def run_seconds(self) -> dict[str, float]:
        """train_seconds of every ok run behind the table's values (cells sharing runs count them once)."""
        return {k: v for r in self.results for k, v in r.seconds.items()}

    def reused(self) -> int:
        return len(set(self.run_seconds()) - {row["run_key"] for row in self.executed})

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in (WITHIN, OUTSIDE, PARTIAL, NOT_RUN, FAILED, DATA_UNAVAILABLE, UNAVAILABLE)}
        for r in self.results:
            out[r.verdict] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        measured = c[WITHIN] + c[OUTSIDE]
        parts = [f"{c[WITHIN]} of {measured} measured cells within tolerance"]
        parts += [f"{c[v]} {label}" for v, label in ((OUTSIDE, "outside"),
                                                     (PARTIAL, "partial (fewer folds or seeds than planned; not judged)"),
                                                     (NOT_RUN, "not run"), (FAILED, "failed"),
                                                     (DATA_UNAVAILABLE, "data unavailable"),
                                                     (UNAVAILABLE, "unavailable in the suite")) if c[v]]
        return "; ".join(parts)


class _DataCheck:
    """Whether each task's data loads, asked once per task (loading a large dataset takes a while)."""

    def __init__(self, runner):
        self.runner, self.missing = runner, {}

    def reason(self, task: str) -> str | None:
        if task not in self.missing:
            _, missing = self.runner.available([task])
            self.missing[task] = missing.get(task)
        return self.missing[task]


def _short_reason(text: str) -> str:
    """The first clause of a missing-data message, file paths cut to their names (the full message, with its
    fix, is what `netarena run` prints)."""
    clause = text.strip().splitlines()[0].split(";")[0] if text.strip() else ""
    clause = re.sub(r"[\w.-]+/", "", clause)
    return clause if len(clause) <= 160 else clause[:157] + "..."


def cell_command(spec_ref: str, task: str) -> str:
    return f"`netarena reproduce {spec_ref} --task {task}`"


def reproduce(spec: TableSpec, runner, *, spec_ref: str, seeds: int | None = None, tasks: list[str] | None = None,
              run: bool = True, retry_failed: bool = False, command: str = "") -> Outcome:
    """Run (unless ``run`` is False) the available cells of ``tasks`` (all when None), then measure every cell."""
    from suite.runner import pending, run_planned

    started = time.perf_counter()
    data = _DataCheck(runner)
    chosen = [c for c in spec.cells if not c.unavailable and (not tasks or c.task in tasks)]
    to_run = [c for c in chosen if run and data.reason(c.task) is None]

    def make_plan():
        return [r for c in to_run for r in plan_cell(spec, c, seeds, runner.results_dir)]

    rows = []
    if to_run:
        todo, skipped = pending(make_plan(), runner.results_dir, retry_failed=retry_failed)
        print(f"{spec.name}: {len(to_run)} cells; {skipped['done']} runs reused from {runner.results_dir}/, "
              f"{len(todo)} to run" + (f", {skipped['failed']} failed before (--retry-failed reruns them)"
                                        if skipped["failed"] else ""), file=sys.stderr)
        _, rows = run_planned(runner, make_plan, todo, retry_failed=retry_failed)
    results = [_result(spec, cell, seeds, runner.results_dir, data, spec_ref) for cell in spec.cells]
    return Outcome(spec, results, executed=rows, seconds=time.perf_counter() - started, command=command)


def _result(spec: TableSpec, cell: Cell, seeds: int | None, results_dir: Path, data: _DataCheck,
            spec_ref: str) -> CellResult:
    if cell.unavailable:
        return CellResult(cell, UNAVAILABLE, reason=cell.unavailable)
    result = measure(spec, cell, seeds, results_dir, cell_command(spec_ref, cell.task))
    if result.verdict == NOT_RUN and (missing := data.reason(cell.task)) is not None:
        result.verdict, result.reason = DATA_UNAVAILABLE, _short_reason(missing)
    return result


# ---------------------------------------------------------------- rendering


def _number(value: float, std: float | None = None, spec: str = ".2f") -> str:
    text = format(value, spec)
    return text if std is None or math.isnan(std) else f"{text} ± {format(std, spec)}"


def _as_published(value: float) -> str:
    """One decimal at least, as papers print them (79.0, not 79); more where the spec has more (0.02)."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def _published(cell: Cell) -> str:
    std = "" if cell.std is None else f" ± {_as_published(cell.std)}"
    return _as_published(cell.published) + std


def _method(cell: Cell) -> str:
    config = ", ".join(f"{k}={v}" for k, v in sorted(cell.config.items()))
    return f"`{cell.method}`" + (f" ({config})" if config else "")


def _measured(r: CellResult) -> str:
    if r.verdict in (WITHIN, OUTSIDE, PARTIAL):
        count = f"{r.n} {r.unit}" if r.n >= r.expected else f"{r.n} of {r.expected} {r.unit}"
        failed = f"; {r.failed_runs} runs failed" if r.failed_runs else ""
        earlier = f"; earlier code {r.earlier_code}" if r.earlier_code else ""
        spec = ".2f" if _percent(r.cell.metric) else ".4g"
        return f"{_number(r.mean, r.std, spec)} ({count}{failed}{earlier})"
    if r.verdict == NOT_RUN:
        return f"run {r.reason}"
    return r.reason.replace("|", "/")


def _percent(metric: str) -> bool:
    from suite.metrics import get_metric

    return get_metric(metric).percent


def _delta(r: CellResult) -> str:
    return f"{r.mean - r.cell.published:+.2f}" if r.verdict in (WITHIN, OUTSIDE, PARTIAL) else "-"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min {secs} s" if hours else f"{minutes} min {secs} s"


def _protocol_line(spec: TableSpec) -> str:
    shared = ", ".join(f"{k}={v}" for k, v in sorted(spec.protocol.items()))
    own = "each cell's task protocol (`netarena list tasks`; defaults in `suite/tasks/`)"
    return f"{own}, with {shared} for every cell" if shared else own


def render_markdown(outcome: Outcome) -> str:
    from tabulate import tabulate

    spec = outcome.spec
    metrics = {c.metric for c in spec.cells}
    headers = ["task", "method", *(["metric"] if len(metrics) > 1 else []), "published",
               "measured (mean ± std, n)", "delta", "verdict"]
    body = [[r.cell.name, _method(r.cell), *([r.cell.metric] if len(metrics) > 1 else []), _published(r.cell),
             _measured(r), _delta(r), r.verdict] for r in outcome.results]
    run_seconds = outcome.run_seconds()
    lines = [
        f"# Reproduction `{spec.name}`: {spec.short()}, {spec.table}",
        "",
        f"Source: {spec.citation()}, {spec.table}. Metric: {spec.metric}" + (" (in %)" if _percent(spec.metric)
                                                                              else "")
        + ("; the metric column names each cell's" if len(metrics) > 1 else "") + ".",
        "",
        f"Rendered by `netarena reproduce` from the rows under `results/` and the published values in "
        f"`suite/reproductions/{spec.path.name}` (the only place they are written). Do not edit by hand.",
        "",
        f"**Tolerance:** a measured cell is *within* when {spec.tolerance.describe()}, in the metric's percent "
        "points; otherwise *outside*.",
        "",
        f"**Protocol:** {_protocol_line(spec)}.",
        "",
    ]
    if spec.note:
        lines += [f"**Note:** {' '.join(spec.note.split())}", ""]
    lines += [tabulate(body, headers=headers, tablefmt="github", disable_numparse=True), ""]
    notes = [f"- {r.cell.name} / `{r.cell.method}`"
             + (f" ({r.cell.metric})" if len(metrics) > 1 else "") + f": {' '.join(r.cell.note.split())}"
             for r in outcome.results if r.cell.note]
    if notes:
        lines += ["Cell notes:", "", *notes, ""]
    if any(r.earlier_code for r in outcome.results):
        lines += ["*Earlier code*: the cell's value comes from runs of an earlier version of the method's code "
                  "(its `method_code` hash; the code, or its grid, changed since), the same rows the leaderboard "
                  "ranks under this protocol. Running the table measures the current code.", ""]
    lines += [
        f"**Summary:** {outcome.summary()}.",
        "",
        f"Wall time: {_duration(outcome.seconds)} of this command ({len(outcome.executed)} runs executed, "
        f"{outcome.reused()} reused); compute recorded in the rows: sum of train_seconds "
        f"{_duration(sum(run_seconds.values()))} over the {len(run_seconds)} runs behind the values.",
        "",
        f"Rerun: `{outcome.command}`",
        "",
    ]
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _rendered_line(path: Path, prefix: str) -> str:
    """The line of a rendered table that starts with ``prefix`` (without it), or "" when there is none."""
    if not path.is_file():
        return ""
    for line in path.read_text().splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].strip().rstrip(".")
    return ""


def _index_row(name: str, source: str, page: Path) -> list[str]:
    link = f"[`{name}`]({name}.md)" if page.is_file() else f"`{name}`"
    wall = _rendered_line(page, "Wall time:").split(" of this command")[0]
    return [link, source, _rendered_line(page, "**Summary:**") or "not rendered yet", wall or "-"]


def render_index(out: Path) -> str:
    """``README.md`` of the reproductions folder: every shipped table and every rendered one, with its summary."""
    from tabulate import tabulate

    shipped = [load_spec(str(path)) for path in spec_paths()]
    rows = [_index_row(spec.name, f"{spec.short()}, {spec.table}", out / f"{spec.name}.md") for spec in shipped]
    names = {spec.name for spec in shipped}
    rows += [_index_row(page.stem, "(a spec outside suite/reproductions/)", page)
             for page in sorted(out.glob("*.md")) if page.name != "README.md" and page.stem not in names]
    table = tabulate(rows, headers=["table", "source", "summary", "wall time"], tablefmt="github",
                     disable_numparse=True)
    return ("# Reproductions of published tables\n\n"
            "Rendered by `netarena reproduce`; one page per table spec under `suite/reproductions/`. Published "
            "values and their sources live in those specs only. `netarena reproduce --list` shows the same.\n\n"
            + table + "\n")


def write_outcome(outcome: Outcome, out: Path) -> Path:
    path = out / f"{outcome.spec.name}.md"
    _write(path, render_markdown(outcome))
    _write(out / "README.md", render_index(out))
    return path


# ---------------------------------------------------------------- command line


def _command_line(args) -> str:
    """The command that renders this table again with the same options."""
    parts = ["netarena reproduce", args.table]
    options = (("--task", args.task), ("--seeds", args.seeds), ("--results", args.results),
               ("--out", None if args.out == DEFAULT_OUT else args.out), ("--workers", args.workers),
               ("--threads", args.threads), ("--executor", None if args.executor == "local" else args.executor))
    for flag, value in options:
        if value is not None:
            parts.append(f"{flag} {value}")
    parts += [flag for flag, on in (("--no-run", args.no_run), ("--retry-failed", args.retry_failed)) if on]
    return " ".join(parts)


def _selected_tasks(spec: TableSpec, value: str | None) -> list[str] | None:
    from suite.registry import TASKS

    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    if not names:
        return None
    names = [TASKS.get(n).name for n in names]  # unknown names fail here, with suggestions
    unused = [n for n in names if n not in spec.tasks()]
    if unused:
        raise ConfigError(f"no cell of {spec.name} uses task {unused[0]}; its tasks: {', '.join(spec.tasks())}")
    return names


def cmd_list(args) -> int:
    from tabulate import tabulate

    out = Path(args.out)
    rows = []
    for path in spec_paths():
        spec = load_spec(str(path))
        rows.append([spec.name, f"{spec.short()} ({spec.venue})", spec.table, len(spec.cells),
                     _rendered_line(out / f"{spec.name}.md", "**Summary:**") or "not rendered yet"])
    print(tabulate(rows, headers=["table", "source", "table no.", "cells", f"last render ({out}/)"],
                   tablefmt="simple", maxcolwidths=[None, 40, None, None, 70]))
    return 0


def cmd_reproduce(args) -> int:
    from suite.cli import _runner

    if args.list:
        return cmd_list(args)
    if not args.table:
        raise ConfigError("reproduce needs a table name or spec path (`netarena reproduce --list` shows them)")
    if args.seeds is not None and args.seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {args.seeds}")
    spec = load_spec(args.table)
    tasks = _selected_tasks(spec, args.task)
    outcome = reproduce(spec, _runner(args), spec_ref=args.table, seeds=args.seeds, tasks=tasks,
                        run=not args.no_run, retry_failed=args.retry_failed, command=_command_line(args))
    path = write_outcome(outcome, Path(args.out))
    print(render_markdown(outcome))
    print(f"Written: {path}")
    return 0


def add_subcommand(sub) -> None:
    """``netarena reproduce``: the runner options are ``netarena run``'s (read by :func:`suite.cli._runner`)."""
    import os

    rp = sub.add_parser("reproduce", help="rerun a published table and render it beside the paper's values")
    rp.add_argument("table", nargs="?", help="a table name (--list shows them) or a path to a .toml spec")
    rp.add_argument("--list", action="store_true", help="list the shipped tables and their last summary")
    rp.add_argument("--no-run", action="store_true",
                    help="render from the rows already under results/ only; cells without rows say 'not run'")
    rp.add_argument("--task", help="comma-separated tasks: run only their cells (the others render from rows)")
    rp.add_argument("--seeds", type=int, help="seeds (or outer folds) 0..N-1 (default: each task protocol's)")
    rp.add_argument("--out", default=DEFAULT_OUT, help=f"where the Markdown goes (default: {DEFAULT_OUT})")
    rp.add_argument("--results", help="results folder (default: results/ or NETARENA_RESULTS)")
    rp.add_argument("--timeout", type=float, default=float(os.environ.get("NETARENA_RUN_TIMEOUT", 3600)),
                    help="wall-time limit per run in seconds (default 3600)")
    rp.add_argument("--threads", type=int, help="torch threads per run (default: torch's)")
    rp.add_argument("--workers", type=int, help="runs at a time (local default 1; ray default: CPUs / threads)")
    rp.add_argument("--executor", choices=["local", "ray"], default="local", help="as for `netarena run`")
    rp.add_argument("--ray-address", help="join a Ray cluster: 'auto' or HOST:PORT (default: start a local Ray)")
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    rp.add_argument("--retry-failed", action="store_true", help="rerun runs whose key has only failed rows")
    rp.set_defaults(func=cmd_reproduce)

