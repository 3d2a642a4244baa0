"""Measurements: peak memory of the current process, inference latency, provenance."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable

import torch

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(key: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakMemory:
    """Peak memory of this process above a baseline taken at ``start()``.

    CPU: Linux's RSS high-water mark (``VmHWM``), reset to the current RSS by
    writing 5 to ``/proc/self/clear_refs``; elsewhere ``ru_maxrss`` (which
    cannot be reset, so the figure is only an upper bound). CUDA:
    ``torch.cuda.max_memory_allocated`` after resetting the peak.
    """

    def __init__(self, device: torch.device):
        self.device = device
        self.baseline = 0
        self.resettable = False

    def start(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.baseline = torch.cuda.memory_allocated(self.device)
            return
        try:
            _CLEAR_REFS.write_text("5")
            self.resettable = True
        except OSError:
            self.resettable = False
        rss = _status_kb("VmRSS")
        self.baseline = rss * 1024 if rss is not None else _maxrss_bytes()

    def peak_bytes(self) -> int:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            return int(torch.cuda.max_memory_allocated(self.device) - self.baseline)
        hwm = _status_kb("VmHWM") if self.resettable else None
        peak = hwm * 1024 if hwm is not None else _maxrss_bytes()
        return max(0, int(peak - self.baseline))


def _maxrss_bytes() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def time_calls(fn: Callable[[], object], *, warmup: int, reps: int, device: torch.device) -> list[float]:
    """Wall time in ms of ``reps`` calls of ``fn`` after ``warmup`` untimed calls (CUDA-synchronised)."""
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def median_p90(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return statistics.median(ordered), p90


@lru_cache(maxsize=1)
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_state(repo: Path) -> tuple[str, bool]:
    """(commit, dirty) of the checkout holding the suite's code; ('unknown', False) outside git.

    Changes under results/ and leaderboard/ do not count as dirty: writing
    results must not mark the code that produced them as modified.
    """
    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return "unknown", False
        status = git("status", "--porcelain", "--", ".", ":!results", ":!leaderboard")
        return head.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


def provenance() -> dict:
    """Columns that describe where and with what a sweep ran (computed once per sweep)."""
    import torch_geometric

    import suite

    commit, dirty = git_state(Path(suite.__file__).resolve().parent.parent)
    return {
        "git_commit": commit,
        "git_dirty": dirty,
        "netarena_version": suite.__version__,
        "torch_version": torch.__version__,
        "pyg_version": torch_geometric.__version__,
        "python_version": platform.python_version(),
        "cpu_model": cpu_model(),
    }


def default_threads() -> int:
    env = os.environ.get("NETARENA_NUM_THREADS")
    return int(env) if env else torch.get_num_threads()
