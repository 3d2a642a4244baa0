"""The results store: one Parquet schema, written atomically, one part per run.

Layout: ``results/<task>/<method>/<started_at>-<run_id>.parquet``. A part is
written to a temporary file in the same folder and renamed into place, so a
crash never leaves a half-written part under a ``.parquet`` name and never
touches earlier parts. Reading checks every part against :data:`SCHEMA`; a
part written under an older schema version is read with the columns added
since as nulls (:data:`ADDED_IN`); a part that is unreadable or has other
columns is reported by name and skipped.
"""

from __future__ import annotations

import os
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = 5
# Columns added by a schema version: older parts are read with them null (never rewritten).
ADDED_IN = {2: ("val_metrics", "test_metrics"), 3: ("run_key", "method_code", "search_space"),
            4: ("measures", "curves"), 5: ("submission",)}

SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("run_key", pa.string()),  # hash of task version, method, its code, config, protocol, seed (v3)
        ("suite", pa.string()),
        ("track", pa.string()),
        ("task", pa.string()),
        ("task_version", pa.int32()),
        ("split_id", pa.int32()),
        ("split_sha256", pa.string()),
        ("method", pa.string()),
        ("method_kind", pa.string()),
        ("method_code", pa.string()),  # SHA-256 (12 hex) of the method's source file (v3)
        ("method_config", pa.string()),  # JSON of every hyperparameter
        ("search_space", pa.string()),  # JSON: the space searched, sampler, budget (v3; null: paper defaults)
        ("config_hash", pa.string()),
        ("protocol", pa.string()),  # JSON of the task protocol in force
        ("seed", pa.int64()),
        ("status", pa.string()),  # ok | failed | timeout
        ("error", pa.string()),
        ("metric_name", pa.string()),
        ("higher_is_better", pa.bool_()),
        ("val_metric", pa.float64()),
        ("test_metric", pa.float64()),
        ("val_metrics", pa.string()),  # JSON {metric: value} of every task metric (v2)
        ("test_metrics", pa.string()),  # JSON {metric: value}, from the evaluator (v2)
        ("best_epoch", pa.int32()),
        ("epochs", pa.int32()),
        ("train_seconds", pa.float64()),
        ("epoch_seconds_median", pa.float64()),
        ("latency_ms_median", pa.float64()),
        ("latency_ms_p90", pa.float64()),
        ("peak_memory_bytes", pa.int64()),
        ("num_params", pa.int64()),
        ("measures", pa.string()),  # JSON {name: value}: run measures beyond metrics (steps, grokking step, ...) (v4)
        ("curves", pa.string()),  # JSON {round, epoch, step, val, val_loss, train: [per epoch]} (v4)
        ("submission", pa.string()),  # JSON: a submitted method's authors, URLs, source, code hash; null: built-in (v5)
        ("git_commit", pa.string()),
        ("git_dirty", pa.bool_()),
        ("netarena_version", pa.string()),
        ("torch_version", pa.string()),
        ("pyg_version", pa.string()),
        ("python_version", pa.string()),
        ("cpu_model", pa.string()),
        ("num_threads", pa.int32()),
        ("device", pa.string()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("schema_version", pa.int32()),
    ],
    metadata={b"netarena_schema_version": str(SCHEMA_VERSION).encode()},
)

COLUMNS = SCHEMA.names
STATUSES = ("ok", "failed", "timeout")


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def write_part(rows: list[dict], results_dir: str | Path) -> Path:
    """Write ``rows`` (dicts with every column of :data:`SCHEMA`) as one new part."""
    if not rows:
        raise ValueError("write_part needs at least one row")
    for row in rows:
        missing = set(COLUMNS) - set(row)
        if missing:
            raise ValueError(f"row is missing columns {sorted(missing)}")
        if row["status"] not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {row['status']!r}")
    table = pa.Table.from_pylist([{c: r[c] for c in COLUMNS} for r in rows], schema=SCHEMA)
    first = rows[0]
    folder = Path(results_dir) / first["task"] / first["method"]
    folder.mkdir(parents=True, exist_ok=True)
    stamp = pd.Timestamp(first["started_at"]).strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{first['run_id']}.parquet"
    tmp = folder / f".{path.name}.tmp{os.getpid()}"
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def _upgrade(table: pa.Table) -> pa.Table:
    """A part written under an older schema, with the columns added since as nulls, in :data:`SCHEMA` order."""
    missing = [c for c in COLUMNS if c not in table.schema.names]
    added = {c for cols in ADDED_IN.values() for c in cols}
    if not missing or not set(missing) <= added or set(table.schema.names) - set(COLUMNS):
        return table
    for name in missing:
        table = table.append_column(SCHEMA.field(name), pa.nulls(len(table), SCHEMA.field(name).type))
    return table.select(COLUMNS)


@dataclass
class ReadReport:
    parts: int = 0
    bad: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


def list_parts(results_dir: str | Path) -> list[Path]:
    root = Path(results_dir)
    return sorted(p for p in root.rglob("*.parquet") if not p.name.startswith(".")) if root.is_dir() else []


def read_results(results_dir: str | Path, report: ReadReport | None = None) -> pd.DataFrame:
    """All rows under ``results_dir`` as one DataFrame with :data:`SCHEMA`'s columns.

    Parts that cannot be read or whose schema differs are skipped, with a
    warning naming each (and listed in ``report.bad`` when given).
    """
    report = report if report is not None else ReadReport()
    tables = []
    for path in list_parts(results_dir):
        try:
            table = pq.read_table(path)
        except Exception as exc:  # truncated or corrupt file
            report.bad.append((str(path), f"unreadable: {type(exc).__name__}: {exc}"))
            continue
        table = _upgrade(table)
        if not table.schema.equals(SCHEMA, check_metadata=False):
            diff = sorted(set(table.schema.names) ^ set(COLUMNS)) or "column types differ"
            report.bad.append((str(path), f"schema mismatch: {diff}"))
            continue
        tables.append(table)
    report.parts = len(tables)
    for path, reason in report.bad:
        warnings.warn(f"skipped results part {path}: {reason}", stacklevel=2)
    if not tables:
        return SCHEMA.empty_table().to_pandas()
    return pa.concat_tables(tables).to_pandas()


def read_run_status(results_dir: str | Path) -> dict[str, set[str]]:
    """{run_key: statuses recorded for it} over every readable part that has run keys (schema v3+).

    Reads two columns per part, so a resume check over thousands of parts is
    cheap; unreadable parts are skipped here (``read_results`` and
    ``netarena results --check`` name them).
    """
    out: dict[str, set[str]] = {}
    for path in list_parts(results_dir):
        try:
            table = pq.read_table(path, columns=["run_key", "status"])
        except Exception:  # corrupt, or an older part without run keys
            continue
        for key, status in zip(table.column("run_key").to_pylist(), table.column("status").to_pylist()):
            if key is not None:
                out.setdefault(key, set()).add(status)
    return out


def check_parts(results_dir: str | Path) -> tuple[int, list[tuple[str, str]]]:
    """(number of good parts, [(path, reason)] of the parts ``read_results`` would skip)."""
    report = ReadReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read_results(results_dir, report)
    return report.parts, report.bad
