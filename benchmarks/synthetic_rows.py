"""Synthetic result rows at scale, for the leaderboard's aggregation benchmark.

1,000,000 rows = 50 tasks x 40 methods x 10 configurations x 50 seeds, every
column of the results schema filled as a real sweep fills it (JSON configs,
protocols, metrics, measures), so aggregation does the work it does on real
rows. Deterministic from ``seed``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from suite.results import COLUMNS, SCHEMA_VERSION


def synthetic_rows(tasks: int = 50, methods: int = 40, configs: int = 10, seeds: int = 50, seed: int = 0) -> pd.DataFrame:
    """``tasks * methods * configs * seeds`` ok rows (2% failed) as :func:`suite.results.read_results` returns them."""
    rng = np.random.default_rng(seed)
    n = tasks * methods * configs * seeds
    t, m, c, s = np.meshgrid(np.arange(tasks), np.arange(methods), np.arange(configs), np.arange(seeds), indexing="ij")
    t, m, c, s = (a.ravel() for a in (t, m, c, s))
    task_names = np.array([f"task-{i:02d}" for i in range(tasks)], dtype=object)
    method_names = np.array([f"method-{i:02d}" for i in range(methods)], dtype=object)
    config_json = np.array([json.dumps({"hidden": 16 * (j + 1), "lr": 0.01, "epochs": 200}, sort_keys=True)
                            for j in range(configs)], dtype=object)
    config_hash = np.array([f"{j:012x}" for j in range(configs)], dtype=object)
    protocol = json.dumps({"seeds": seeds, "max_epochs": 200, "patience": 50, "trials": 1, "latency_reps": 20},
                          sort_keys=True)
    quality = 0.5 + 0.3 * rng.random(tasks)[t] + 0.1 * rng.random(methods)[m] + 0.02 * rng.standard_normal(n)
    status = np.where(rng.random(n) < 0.02, "failed", "ok").astype(object)
    df = pd.DataFrame({
        "run_id": pd.Series(np.arange(n)).map("{:012x}".format),
        "run_key": pd.Series(t * 10**6 + m * 10**4 + c * 100 + s).map("{:020x}".format),
        "suite": "synthetic", "track": np.where(t % 2 == 0, "node", "graph").astype(object),
        "task": task_names[t], "task_version": np.int32(1), "split_id": (s % 10).astype(np.int32),
        "split_sha256": "0" * 64, "method": method_names[m], "method_kind": "gnn", "method_code": "0" * 12,
        "method_config": config_json[c], "search_space": None, "config_hash": config_hash[c], "protocol": protocol,
        "seed": s.astype(np.int64), "status": status, "error": np.where(status == "ok", None, "RuntimeError: x"),
        "metric_name": "accuracy", "higher_is_better": True,
        "val_metric": quality + 0.01 * rng.standard_normal(n), "test_metric": quality,
        "val_metrics": None, "test_metrics": None, "best_epoch": np.int32(100), "epochs": np.int32(150),
        "train_seconds": rng.random(n) * 10, "epoch_seconds_median": rng.random(n) * 0.01,
        "latency_ms_median": rng.random(n), "latency_ms_p90": rng.random(n) * 1.2,
        "peak_memory_bytes": rng.integers(2**20, 2**30, n), "num_params": (1000 * (c + 1)).astype(np.int64),
        "measures": json.dumps({"steps": 150, "nonzero_params": 1000}), "curves": None, "submission": None,
        "git_commit": "0" * 40, "git_dirty": False, "netarena_version": "0.1", "torch_version": "2.13.0",
        "pyg_version": "2.8.1", "python_version": "3.11.7", "cpu_model": "synthetic", "num_threads": np.int32(1),
        "device": "cpu", "started_at": pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(np.arange(n), "s"),
        "schema_version": np.int32(SCHEMA_VERSION),
    })
    return df[COLUMNS]
