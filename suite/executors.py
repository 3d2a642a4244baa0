"""Executors: who runs a sweep's runs, and where.

Both executors run the same :meth:`Runner.run_one` per run, which forks the
run's own worker process, scores the test output with the evaluator and
writes the run's Parquet part before it returns. So every run's row is on
disk as soon as that run ends, whichever process ran it; the driver gets a
copy of each row back only for the progress bar and the summary table.

* ``local``: ``workers`` runs at a time on this machine. Each run already
  lives in its own process (forked from a fork server holding torch and PyG),
  so the driver's threads only wait on those processes; the CPU work is in
  the workers, one run per worker process, as in a process pool.
* ``ray``: each run is a Ray task (``num_cpus`` = the run's torch threads)
  on a local Ray runtime started on demand or on a cluster
  (``ray_address="auto"`` or ``HOST:PORT``). The task rebuilds the runner
  from :meth:`Runner.settings` and writes its part to ``results_dir``, which
  must be a path every node sees (shared storage) on a multi-node cluster.
"""

from __future__ import annotations

import sys
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from suite.errors import ConfigError

class Progress:
    """One bar for the sweep: done / failed / running, with tqdm's rate and ETA."""

    def __init__(self, total: int, enabled: bool, label: str):
        from tqdm.auto import tqdm

        self.counts = {"ok": 0, "failed": 0, "running": 0}
        self.bar = tqdm(total=total, disable=not enabled, unit="run", dynamic_ncols=True, file=sys.stderr,
                        desc=label)

    def running(self, n: int) -> None:
        if n != self.counts["running"]:
            self.counts["running"] = n
            self.bar.set_postfix(self.counts, refresh=True)

    def finished(self, row: dict, running: int) -> None:
        self.counts["ok" if row["status"] == "ok" else "failed"] += 1
        self.counts["running"] = running
        self.bar.set_postfix(self.counts, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _run_guarded(runner, run) -> dict:
    """``runner.run_one``; an error of the runner itself (not of the method) becomes a failed row, so the
    sweep goes on. An interruption propagates and records nothing."""
    from suite.runner import Interrupted

    try:
        return runner.run_one(run)
    except Interrupted:
        raise
    except Exception as exc:  # noqa: BLE001
        return runner.failed_row(run, f"runner error: {type(exc).__name__}: {exc}".splitlines()[0])


def run_local(runner, runs: list) -> list[dict]:
    """Run ``runs`` on this machine, ``runner.workers`` at a time; rows in the order of ``runs``.

    On Ctrl-C the runs in flight are killed and record nothing (a resume redoes them)."""
    progress = Progress(len(runs), runner.progress, f"local x{runner.workers}")
    rows: list[dict | None] = [None] * len(runs)
    pool = ThreadPoolExecutor(max_workers=runner.workers, thread_name_prefix="netarena-run")
    try:
        futures = {pool.submit(_run_guarded, runner, run): i for i, run in enumerate(runs)}
        remaining = set(futures)
        progress.running(min(runner.workers, len(remaining)))
        while remaining:
            done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for fut in done:
                rows[futures[fut]] = fut.result()
                progress.finished(rows[futures[fut]], min(runner.workers, len(remaining)))
        return rows
    except BaseException:
        runner.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        progress.close()


def _ray_run_one(settings: dict, run) -> dict:
    from suite.measure import cpu_model
    from suite.runner import Runner

    settings = {**settings, "provenance": {**settings["provenance"], "cpu_model": cpu_model()}}
    return Runner(**settings).run_one(run)


def run_ray(runner, runs: list) -> list[dict]:
    """Run ``runs`` as Ray tasks; at most ``runner.workers`` in flight when a local runtime is started here."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'netarena[ray]'") from None
    started_here = not ray.is_initialized()
    if started_here:
        kwargs = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if runner.ray_address:
            kwargs["address"] = runner.ray_address
        else:  # a local runtime sized to the requested concurrency
            kwargs["num_cpus"] = runner.workers * runner.num_threads
        ray.init(**kwargs)
    remote = ray.remote(_ray_run_one).options(num_cpus=runner.num_threads, max_retries=0)
    settings = runner.settings()
    progress = Progress(len(runs), runner.progress, "ray")
    refs = {}
    try:
        for run in runs:
            _ = run.key  # computed on the driver: each run carries its key to the node
        refs = {remote.remote(settings, run): i for i, run in enumerate(runs)}
        rows: list[dict | None] = [None] * len(runs)
        remaining = list(refs)
        while remaining:
            done, remaining = ray.wait(remaining, num_returns=1, timeout=1.0)
            running = _ray_running(ray, len(remaining))
            progress.running(running)
            for ref in done:
                i = refs[ref]
                try:
                    rows[i] = ray.get(ref)
                except Exception as exc:  # the Ray task itself died (node lost, OOM-killed): record it
                    rows[i] = runner.failed_row(runs[i], f"ray task failed: {type(exc).__name__}: {exc}".splitlines()[0])
                progress.finished(rows[i], running)
        return rows
    except BaseException:
        for ref in refs:
            ray.cancel(ref, force=True)
        raise
    finally:
        progress.close()
        if started_here:
            ray.shutdown()


def _ray_running(ray, remaining: int) -> int:
    """Runs in flight: bounded by the CPUs Ray can give at once (cheap; no state API calls)."""
    try:
        cpus = ray.cluster_resources().get("CPU", 1)
        used = cpus - ray.available_resources().get("CPU", 0)
        return int(min(remaining, max(used, 0)))
    except Exception:  # noqa: BLE001  (progress display only)
        return 0
