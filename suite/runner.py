"""The runner: turns (task, method, config, seed) runs into result rows.

For each run it builds the method's label-free view (:mod:`suite.tracks`), starts one worker
process (see :mod:`suite.worker`), waits for it under a wall-time limit,
scores the returned test output with the task's :class:`Evaluator`, and
writes one Parquet part. A run that raises, diverges, times out or kills its
worker becomes a ``failed``/``timeout`` row and the sweep goes on.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import torch

from suite.errors import ConfigError, DatasetMissingError
from suite.evaluator import Evaluator
from suite.measure import default_threads, provenance
from suite.method import MethodSpec, config_hash
from suite.registry import METHODS, TASKS
from suite.results import SCHEMA_VERSION, new_run_id, write_part
from suite.task import TaskSpec
from suite.tracks import get_track
from suite.view import input_features
from suite.worker import dumps, loads

DEFAULT_TIMEOUT_S = float(os.environ.get("NETARENA_RUN_TIMEOUT", 3600))


@dataclass(frozen=True)
class Run:
    """One unit of work. ``config`` is the full, resolved hyperparameter JSON."""

    task: str
    method: str
    config: str
    seed: int
    suite: str | None = None
    protocol: str = "{}"  # JSON of overrides of the task's protocol (a suite's shorter budget)

    @property
    def config_dict(self) -> dict:
        return json.loads(self.config)


def plan(tasks: list[str], methods: list[str], seeds: int | list[int] | None, overrides: dict | None = None,
         suite: str | None = None, method_overrides: dict | None = None,
         protocol: dict | None = None) -> list[Run]:
    """Every (task, method, seed) with the method's paper defaults plus overrides.

    ``seeds``: a count (seeds 0..n-1), a list, or None for each task's ``protocol.seeds``.
    ``overrides`` applies to every method, ``method_overrides[name]`` to one;
    ``protocol`` overrides fields of each task's :class:`~suite.task.Protocol`.
    Methods that do not support a task's track are left out of that task.
    """
    protocol_json = json.dumps(protocol or {}, sort_keys=True)
    if isinstance(seeds, int) and seeds < 1:
        raise ConfigError(f"--seeds must be at least 1, got {seeds}")
    task_specs = [TASKS.get(t) for t in tasks]
    method_specs = [METHODS.get(m) for m in methods]
    runs = []
    for t in task_specs:
        for m in method_specs:
            if not m.supports(t.track):
                continue
            merged = {**(method_overrides or {}).get(m.name, {}), **(overrides or {})}
            config = json.dumps(m.resolve(merged), sort_keys=True)
            seed_list = range(t.protocol.seeds) if seeds is None else range(seeds) if isinstance(seeds, int) else seeds
            runs.extend(Run(t.name, m.name, config, s, suite, protocol_json) for s in seed_list)
    return runs


@lru_cache(maxsize=8)
def _features(task: TaskSpec, input_layout: str) -> torch.Tensor:
    """A task's features in a method's layout, converted once per sweep rather than once per run."""
    return input_features(task.load().x, input_layout)


def _context():
    if sys.platform.startswith("linux") or sys.platform == "darwin":
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["suite.worker"])
        return ctx
    return mp.get_context("spawn")


@dataclass
class Runner:
    results_dir: Path
    timeout_s: float = DEFAULT_TIMEOUT_S
    num_threads: int = field(default_factory=default_threads)
    device: str = "cuda" if torch.cuda.is_available() else "cpu"
    progress: bool = True

    def __post_init__(self):
        self.results_dir = Path(self.results_dir)
        self._provenance = None
        self._ctx = _context()

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
        """Execute ``runs`` in order; returns their rows (also written under ``results_dir``)."""
        from tqdm.auto import tqdm

        if self._provenance is None:
            self._provenance = provenance()
        rows, counts = [], {"ok": 0, "failed": 0, "timeout": 0}
        bar = tqdm(total=len(runs), disable=not self.progress, unit="run", dynamic_ncols=True,
                   file=sys.stderr)
        try:
            for run in runs:
                bar.set_description(f"{run.task}/{run.method}/s{run.seed}")
                row = self.run_one(run)
                rows.append(row)
                counts[row["status"]] += 1
                bar.set_postfix(counts, refresh=False)
                bar.update(1)
        finally:
            bar.close()
        return rows

    def run_one(self, run: Run) -> dict:
        task: TaskSpec = TASKS.get(run.task)
        method: MethodSpec = METHODS.get(run.method)
        data = task.load()  # raises DatasetMissingError before any worker starts
        split_id = task.split_id(run.seed)
        prepared = get_track(task.track).prepare(data, split_id, method.input_layout,
                                                  _features(task, method.input_layout))
        config = run.config_dict
        protocol = replace(task.protocol, **json.loads(run.protocol)).to_dict()
        started = datetime.now(timezone.utc)
        payload = {
            "method": method.name,
            "method_module": method.cls.__module__,
            "config": config,
            "seed": run.seed,
            "track": task.track,
            "view": prepared.view,
            "held": prepared.held,
            "metrics": list(task.metrics),
            "higher_is_better": task.higher_is_better,
            "protocol": protocol,
            "num_threads": self.num_threads,
            "device": self.device,
        }
        out = self._execute(payload)
        row = {
            "run_id": new_run_id(),
            "suite": run.suite,
            "track": task.track,
            "task": task.name,
            "task_version": task.version,
            "split_id": split_id,
            "split_sha256": task.split_sha256,
            "method": method.name,
            "method_kind": method.kind,
            "method_config": run.config,
            "config_hash": config_hash(config),
            "protocol": json.dumps(protocol, sort_keys=True),
            "seed": run.seed,
            "metric_name": task.metric,
            "higher_is_better": task.higher_is_better,
            "started_at": started,
            "schema_version": SCHEMA_VERSION,
            "num_threads": self.num_threads,
            "device": self.device,
            **self._provenance,
        }
        for key in ("val_metric", "test_metric", "best_epoch", "epochs", "train_seconds", "epoch_seconds_median",
                    "latency_ms_median", "latency_ms_p90", "peak_memory_bytes", "num_params", "val_metrics",
                    "test_metrics"):
            row[key] = None
        row.update({k: v for k, v in out.items() if k not in ("test_output", "val_metrics")})
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

    def _execute(self, payload: dict) -> dict:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child,), daemon=True)
        proc.start()
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
        proc.join(10)
        code = proc.exitcode
        hint = " (killed: out of memory?)" if code == -9 else ""
        return {"status": "failed", "error": f"worker process exited with code {code}{hint} before reporting"}


def _worker_main(conn):  # a module-level target the fork server can find
    from suite.worker import main

    main(conn)


def skip_message(missing: dict[str, str]) -> str:
    return "\n".join(f"skipped {task}: {reason}" for task, reason in missing.items())
