"""The runner: turns (task, method, config, seed) runs into result rows.

For each run it builds the method's label-free view (:mod:`suite.tracks`), starts one worker
process (see :mod:`suite.worker`), waits for it under a wall-time limit,
scores the returned test output with the task's :class:`Evaluator`, and
writes one Parquet part. A run that raises, diverges, times out or kills its
worker becomes a ``failed``/``timeout`` row and the sweep goes on.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import multiprocessing as mp
import os
import sys
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property, lru_cache
from pathlib import Path

import torch

from suite.errors import ConfigError, DatasetMissingError
from suite.evaluator import Evaluator
from suite.measure import default_threads, provenance
from suite import tuning
from suite.budget import size_to_budget
from suite.method import MethodSpec, config_hash
from suite.nested import plan_assessment
from suite.registry import METHODS, TASKS
from suite.results import SCHEMA_VERSION, new_run_id, read_run_status, write_part
from suite.submission import load_source, method_source, submission_info
from suite.task import TaskSpec
from suite.tracks import get_track
from suite.view import input_features
from suite.worker import dumps, loads

DEFAULT_TIMEOUT_S = float(os.environ.get("NETARENA_RUN_TIMEOUT", 3600))


def default_memory_limit() -> int | None:
    """Bytes a run may allocate beyond its loaded data: ``NETARENA_RUN_MEMORY_GB`` (0: no limit), else 3/4 of
    this machine's memory, so one runaway run fails on its own instead of taking the machine down."""
    env = os.environ.get("NETARENA_RUN_MEMORY_GB")
    if env is not None:
        return int(float(env) * 2**30) or None
    try:
        return int(0.75 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


@dataclass(frozen=True)
class Run:
    """One unit of work. ``config`` is the full, resolved hyperparameter JSON."""

    task: str
    method: str
    config: str
    seed: int
    suite: str | None = None
    protocol: str = "{}"  # JSON of overrides of the task's protocol (a suite's shorter budget)
    search_space: str | None = None  # JSON disclosure of the tuning this config came from (suite.tuning)
    source: str | None = None  # where a process that lacks the method imports it (suite.submission.method_source)

    @property
    def config_dict(self) -> dict:
        return json.loads(self.config)

    @property
    def protocol_dict(self) -> dict:
        """The task's protocol with this run's overrides applied."""
        return replace(TASKS.get(self.task).protocol, **json.loads(self.protocol)).to_dict()

    @cached_property
    def key(self) -> str:
        """Deterministic run key: task and version, method and the hash of its code, config, protocol, seed.

        Two runs with the same key are the same experiment, whichever suite,
        executor or machine ran them: a sweep skips keys that already have rows.
        Computed once per run object and pickled with it, so a run shipped to
        another node (Ray) keeps the key the driver planned with.
        """
        task = TASKS.get(self.task)
        ident = {"task": task.name, "task_version": task.version, "method": self.method,
                 "method_code": method_code_version(self.method), "config": self.config_dict,
                 "protocol": self.protocol_dict, "seed": self.seed}
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


@lru_cache(maxsize=None)
def method_code_version(method: str) -> str:
    """SHA-256 (12 hex) of the method's source files (:func:`method_source_files`): editing one changes its run keys."""
    digest = hashlib.sha256()
    for path in method_source_files(method):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def method_source_files(method: str) -> list[str]:
    """The file that defines ``method``, the files of its base classes outside torch (a variant built on
    another method, e.g. ``gin-rni`` on ``gin``), and the shared baseline helpers (``suite.baselines._*``)
    those files use."""
    cls = METHODS.get(method).cls
    files = set()
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        if module is None or klass.__module__.split(".")[0] in ("builtins", "torch", "torch_geometric"):
            continue
        try:
            files.add(inspect.getsourcefile(klass))
        except TypeError:  # a class without a source file
            continue
        for value in vars(module).values():
            used = value if inspect.ismodule(value) else sys.modules.get(getattr(value, "__module__", None) or "")
            if used is not None and used.__name__.startswith("suite.baselines._") and getattr(used, "__file__", None):
                files.add(used.__file__)
    return sorted(f for f in files if f)


class Interrupted(Exception):
    """The sweep was interrupted (Ctrl-C) while this run was in flight: nothing is recorded for it."""


def plan(tasks: list[str], methods: list[str], seeds: int | list[int] | None, overrides: dict | None = None,
         suite: str | None = None, method_overrides: dict | None = None,
         protocol: dict | None = None, results_dir: Path | None = None) -> list[Run]:
    """Every (task, method, configuration, seed) of a sweep.

    ``seeds``: a count (seeds 0..n-1), a list, or None for each task's ``protocol.seeds``.
    ``overrides`` applies to every method, ``method_overrides[name]`` to one;
    ``protocol`` overrides fields of each task's :class:`~suite.task.Protocol`,
    including the tuning budget ``trials``: 1 runs each method's paper
    defaults (plus overrides), more runs configurations from its grid
    (:mod:`suite.tuning`). Methods that do not support a task's track are
    left out of that task.

    Under a nested cross-validation protocol (``retrain``, :mod:`suite.nested`)
    ``seeds`` counts outer folds (None: all of them); every configuration gets
    a selection run per fold, and a fold whose selection runs all have rows
    under ``results_dir`` gets its winner's assessment runs too.
    """
    if isinstance(seeds, int) and seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {seeds}")
    task_specs = [TASKS.get(t) for t in tasks]
    method_specs = [METHODS.get(m) for m in methods]
    runs = []
    for t in task_specs:
        for proto in _protocols(t, protocol or {}):
            proto_json = json.dumps({k: v for k, v in asdict(proto).items() if getattr(t.protocol, k) != v},
                                    sort_keys=True)
            start = len(runs)
            for m in method_specs:
                if not m.supports(t.track):
                    continue
                merged = {**(method_overrides or {}).get(m.name, {}), **(overrides or {})}
                source = method_source(m)
                configs, searched = tuning.configs(m, merged, proto.trials, proto.sampler, proto.search_seed)
                if proto.param_budget:
                    configs = [_sized(t, m, c, proto.param_budget) for c in configs]
                seed_list = range(proto.seeds) if seeds is None else range(seeds) if isinstance(seeds, int) else seeds
                if proto.retrain:  # nested CV: selection seeds are the outer folds
                    seed_list = [s for s in (range(t.num_splits) if seeds is None else seed_list) if s < t.num_splits]
                for config in configs:
                    config_json = json.dumps(config, sort_keys=True)
                    runs.extend(Run(t.name, m.name, config_json, s, suite, proto_json, searched, source)
                                for s in seed_list)
            if proto.retrain:
                runs += plan_assessment(runs[start:], t.num_splits, proto.retrain, t.higher_is_better, results_dir)
    return runs


def _protocols(task: TaskSpec, overrides: dict) -> list:
    """The task's protocol under each of its variants, with the sweep's ``overrides`` on top (they win),
    without repeats."""
    out = []
    for variant in task.variants or ({},):
        try:
            proto = replace(task.protocol, **{**variant, **overrides})
        except TypeError as exc:
            raise ConfigError(f"unknown protocol field: {exc}; fields: {', '.join(asdict(task.protocol))}") from None
        if proto not in out:
            out.append(proto)
    return out


def _sized(task: TaskSpec, method: MethodSpec, config: dict, budget: int) -> dict:
    """``config`` with the method's width set to fit ``budget`` parameters on ``task`` (:mod:`suite.budget`)."""
    in_channels, out_channels, context = _model_shape(task, method.input_layout)
    return size_to_budget(method, config, budget, in_channels, out_channels, **context)


@lru_cache(maxsize=32)
def _model_shape(task: TaskSpec, input_layout: str) -> tuple[int, int, dict]:
    """(in_channels, out_channels, constructor context) of a model on ``task``: one view per task, not per config."""
    data = task.load()
    track = get_track(task.track)
    view = track.prepare(data, 0, input_layout, _features(task, input_layout)).view
    return track.objective.in_channels(view), track.objective.out_channels(view), track.context(data)


@lru_cache(maxsize=8)
def _features(task: TaskSpec, input_layout: str) -> torch.Tensor | None:
    """A task's features in a method's layout, converted once per sweep rather than once per run (None for a set
    of graphs, whose features travel with each graph)."""
    data = task.load()
    return input_features(data.x, input_layout) if hasattr(data, "x") else None


def _context():
    if sys.platform.startswith("linux") or sys.platform == "darwin":
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["suite.worker"])
        return ctx
    return mp.get_context("spawn")


@dataclass
class Runner:
    """Executes runs and writes one Parquet part per run under ``results_dir``.

    ``executor``: ``local`` (``workers`` runs at a time, each in its own
    worker process; 1 = one after another) or ``ray`` (each run is a Ray task
    that forks the run's worker on whichever node Ray picks; ``ray_address``
    None starts a local Ray runtime, ``auto`` or ``HOST:PORT`` joins a
    cluster). Whoever executes a run writes its part, so the driver never
    gathers rows to write them; see :mod:`suite.executors`.
    """

    results_dir: Path
    timeout_s: float = DEFAULT_TIMEOUT_S
    num_threads: int = field(default_factory=default_threads)
    device: str = "cuda" if torch.cuda.is_available() else "cpu"
    progress: bool = True
    executor: str = "local"
    workers: int = 1
    ray_address: str | None = None
    provenance: dict | None = None
    memory_limit_bytes: int | None = field(default_factory=default_memory_limit)  # per run, beyond its data

    def __post_init__(self):
        self.results_dir = Path(self.results_dir).absolute()
        self._ctx = None
        self._live: set = set()  # worker processes in flight (several under the local pool)
        self._lock = threading.Lock()
        self._stopping = False
        if self.executor not in ("local", "ray"):
            raise ConfigError(f"unknown executor {self.executor!r}: use --executor local or --executor ray")
        if self.workers < 1:
            raise ConfigError(f"--workers must be at least 1, got {self.workers}")

    def settings(self) -> dict:
        """What a remote executor needs to rebuild this runner on another node: the code's provenance
        (git state, versions) is the driver's; the device and CPU model are the node's own."""
        return {"results_dir": str(self.results_dir), "timeout_s": self.timeout_s, "num_threads": self.num_threads,
                "progress": False, "provenance": self.provenance, "memory_limit_bytes": self.memory_limit_bytes}

    def stop(self) -> None:
        """Kill the runs in flight (Ctrl-C); their runs record nothing and stay to do on resume."""
        self._stopping = True
        with self._lock:
            for proc in list(self._live):
                proc.kill()

    def available(self, tasks: list[str]) -> tuple[list[str], dict[str, str]]:
        """Split ``tasks`` into those whose data loads and {task: reason} for the others."""
        ok, missing = [], {}
        for name in tasks:
            try:
                TASKS.get(name).load()
                ok.append(name)
            except DatasetMissingError as exc:
                missing[name] = str(exc)
        return ok, missing

    def run(self, runs: list[Run]) -> list[dict]:
        """Execute ``runs``; returns their rows (each also written as a part under ``results_dir``)."""
        from suite.executors import run_local, run_ray

        if self.provenance is None:
            self.provenance = provenance()
        if self.executor == "ray":
            return run_ray(self, runs)
        return run_local(self, runs)

    def run_one(self, run: Run) -> dict:
        """Run ``run`` in its own worker process, score it, write its part; returns the row."""
        if run.method not in METHODS:
            load_source(run.source)  # a submission, in a process that has not imported it (a Ray node)
        task: TaskSpec = TASKS.get(run.task)
        method: MethodSpec = METHODS.get(run.method)
        data = task.load()  # raises DatasetMissingError before any worker starts
        prepared = get_track(task.track).prepare(data, task.split_id(run.seed), method.input_layout,
                                                  _features(task, method.input_layout))
        started = datetime.now(timezone.utc)
        payload = {
            "method": method.name,
            "method_source": method_source(method),
            "memory_limit_bytes": self.memory_limit_bytes,
            "config": run.config_dict,
            "seed": run.seed,
            "track": task.track,
            "view": prepared.view,
            "held": prepared.held,
            "metrics": list(task.metrics),
            "higher_is_better": task.higher_is_better,
            "protocol": run.protocol_dict,
            "context": get_track(task.track).context(data),
            "num_threads": self.num_threads,
            "device": self.device,
        }
        out = self._execute(payload)
        if self._stopping:
            raise Interrupted(run.key)
        row = self._row(run, started)
        row.update({k: v for k, v in out.items() if k not in ("test_output", "val_metrics", "measures", "curves")})
        for key in ("measures", "curves"):
            if out.get(key):
                row[key] = json.dumps(out[key], sort_keys=True)
        if out.get("val_metrics"):
            row["val_metrics"] = json.dumps(out["val_metrics"], sort_keys=True)
        if out["status"] == "ok":
            try:  # the evaluator, in this process, is the only holder of test labels
                score = Evaluator(task.name).eval({"y_true": prepared.y_true, "y_pred": out["test_output"]})
                row["test_metric"] = score[task.metric]
                row["test_metrics"] = json.dumps(score, sort_keys=True)
            except (ValueError, TypeError) as exc:
                row.update(status="failed", error=f"evaluator rejected the test output: {exc}".splitlines()[0])
        write_part([row], self.results_dir)
        return row

    def failed_row(self, run: Run, error: str) -> dict:
        """Record ``run`` as failed without a result (its executor died or raised); returns the row."""
        row = self._row(run, datetime.now(timezone.utc))
        row.update(status="failed", error=error[:2000])
        write_part([row], self.results_dir)
        return row

    def _row(self, run: Run, started: datetime) -> dict:
        """Every column of a row except the run's outcome and measurements (those start as null)."""
        task: TaskSpec = TASKS.get(run.task)
        method: MethodSpec = METHODS.get(run.method)
        if self.provenance is None:
            self.provenance = provenance()
        row = {
            "run_id": new_run_id(),
            "run_key": run.key,
            "suite": run.suite,
            "track": task.track,
            "task": task.name,
            "task_version": task.version,
            "split_id": task.split_id(run.seed),
            "split_sha256": task.split_sha256,
            "method": method.name,
            "method_kind": method.kind,
            "method_code": method_code_version(method.name),
            "method_config": run.config,
            "search_space": run.search_space,
            "config_hash": config_hash(run.config_dict),
            "protocol": json.dumps(run.protocol_dict, sort_keys=True),
            "seed": run.seed,
            "metric_name": task.metric,
            "higher_is_better": task.higher_is_better,
            "started_at": started,
            "schema_version": SCHEMA_VERSION,
            "submission": json.dumps(info, sort_keys=True) if (info := submission_info(method)) else None,
            "num_threads": self.num_threads,
            "device": self.device,
            **self.provenance,
        }
        for key in ("status", "error", "val_metric", "test_metric", "best_epoch", "epochs", "train_seconds",
                    "epoch_seconds_median", "latency_ms_median", "latency_ms_p90", "peak_memory_bytes", "num_params",
                    "val_metrics", "test_metrics", "measures", "curves"):
            row[key] = None
        return row

    def _execute(self, payload: dict) -> dict:
        if self._ctx is None:
            self._ctx = _context()
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child,), daemon=True)
        with self._lock:
            if self._stopping:
                parent.close()
                child.close()
                return {"status": "failed", "error": "interrupted"}
            proc.start()
            self._live.add(proc)
        child.close()
        try:
            parent.send_bytes(dumps(payload))
            if parent.poll(self.timeout_s):
                try:
                    return loads(parent.recv_bytes())
                except EOFError:
                    pass  # the worker died before answering: reported below
            else:
                proc.kill()
                proc.join()
                return {"status": "timeout", "error": f"run exceeded the wall-time limit of {self.timeout_s:g} s "
                                                      "(--timeout or NETARENA_RUN_TIMEOUT)"}
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            parent.close()
            with self._lock:
                self._live.discard(proc)
        proc.join(10)
        code = proc.exitcode
        hint = " (killed: out of memory?)" if code == -9 else ""
        return {"status": "failed", "error": f"worker process exited with code {code}{hint} before reporting"}


def _worker_main(conn):  # a module-level target the fork server can find
    from suite.worker import main

    main(conn)


def pending(runs: list[Run], results_dir: Path, retry_failed: bool = False,
            force: bool = False) -> tuple[list[Run], dict[str, int]]:
    """The runs still to do, and how many were skipped and why.

    A run whose key has an ok row is done. A run whose key has only
    failed/timeout rows is skipped too, unless ``retry_failed``; ``force``
    reruns everything. Duplicate runs in ``runs`` (same key) are run once.
    """
    recorded = {} if force else read_run_status(results_dir)
    todo, seen, skipped = [], set(), {"done": 0, "failed": 0, "duplicate": 0}
    for run in runs:
        key = run.key
        statuses = recorded.get(key, set())
        if key in seen:
            skipped["duplicate"] += 1
        elif "ok" in statuses:
            skipped["done"] += 1
        elif statuses and not retry_failed:
            skipped["failed"] += 1
        else:
            todo.append(run)
        seen.add(key)
    return todo, skipped


def run_planned(runner: "Runner", make_plan, todo: list[Run], retry_failed: bool = False,
                force: bool = False) -> tuple[list[Run], list[dict]]:
    """Run ``todo``, then re-plan with ``make_plan()`` until no new runs appear; returns (every run executed, rows).

    Re-planning matters under nested cross-validation: once a fold's selection runs are recorded, its
    winner's assessment runs exist (:func:`suite.nested.plan_assessment`).
    """
    rows = runner.run(todo) if todo else []
    done = {r.key for r in todo}
    while True:
        more = [r for r in pending(make_plan(), runner.results_dir, retry_failed=retry_failed, force=force)[0]
                if r.key not in done]
        if not more:
            return todo, rows
        print(f"nested CV: {len(more)} assessment runs of the configurations selected on each fold", file=sys.stderr)
        done |= {r.key for r in more}
        todo = todo + more
        rows += runner.run(more)


def skip_message(missing: dict[str, str]) -> str:
    return "\n".join(f"skipped {task}: {reason}" for task, reason in missing.items())
