import json
import warnings
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest

from suite import results
from suite.results import COLUMNS, SCHEMA, ReadReport, list_parts, read_results, write_part


def make_row(**kw):
    row = {c: None for c in COLUMNS}
    row.update(run_id=results.new_run_id(), suite=None, track="node", task="t", task_version=1, split_id=0,
               split_sha256="0" * 64, method="m", method_kind="gnn", method_config=json.dumps({"lr": 0.01}),
               config_hash="abc", protocol="{}", seed=0, status="ok", error=None, metric_name="accuracy",
               higher_is_better=True, val_metric=0.5, test_metric=0.5, started_at=datetime.now(timezone.utc),
               schema_version=results.SCHEMA_VERSION, git_dirty=False, num_threads=1)
    row.update(kw)
    return row


def test_roundtrip_keeps_schema_and_values(tmp_path):
    path = write_part([make_row(seed=3, test_metric=0.75)], tmp_path)
    assert pq.read_schema(path).equals(SCHEMA, check_metadata=False)
    df = read_results(tmp_path)
    assert list(df.columns) == COLUMNS and df.loc[0, "seed"] == 3 and df.loc[0, "test_metric"] == 0.75


def test_rows_missing_columns_or_with_bad_status_are_refused(tmp_path):
    row = make_row()
    del row["seed"]
    with pytest.raises(ValueError, match="missing columns"):
        write_part([row], tmp_path)
    with pytest.raises(ValueError, match="status"):
        write_part([make_row(status="meh")], tmp_path)
    assert list_parts(tmp_path) == []


def test_a_crash_while_writing_leaves_earlier_parts_and_no_partial_part(tmp_path, monkeypatch):
    write_part([make_row(seed=0)], tmp_path)

    def crash(table, where, **kw):
        with open(where, "wb") as f:
            f.write(b"PAR1 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(results.pq, "write_table", crash)
    with pytest.raises(KeyboardInterrupt):
        write_part([make_row(seed=1)], tmp_path)
    monkeypatch.undo()
    assert len(list_parts(tmp_path)) == 1
    assert read_results(tmp_path)["seed"].tolist() == [0]


def test_corrupt_and_foreign_parts_are_reported_by_name_and_skipped(tmp_path):
    good = write_part([make_row(seed=0)], tmp_path)
    bad = good.with_name("truncated.parquet")
    bad.write_bytes(good.read_bytes()[:100])
    foreign = good.with_name("foreign.parquet")
    pq.write_table(pq.read_table(good).drop(["seed"]), foreign)
    report = ReadReport()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_results(tmp_path, report)
    assert len(df) == 1 and report.parts == 1
    assert {p.rsplit("/", 1)[-1] for p, _ in report.bad} == {"truncated.parquet", "foreign.parquet"}
    assert any("truncated.parquet" in str(w.message) for w in caught)


def test_reading_an_empty_folder_gives_an_empty_frame_with_the_schema(tmp_path):
    df = read_results(tmp_path / "nothing")
    assert df.empty and list(df.columns) == COLUMNS


def test_a_part_written_under_schema_v1_is_read_with_the_new_columns_null(tmp_path):
    import pyarrow as pa

    v1 = pa.schema([f for f in SCHEMA if f.name not in results.ADDED_IN[2]])
    row = make_row(test_metric=0.8)
    folder = tmp_path / "t" / "m"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{c: row[c] for c in v1.names}], schema=v1), folder / "old.parquet")
    write_part([make_row(test_metrics=json.dumps({"accuracy": 0.9}))], tmp_path)
    report = ReadReport()
    df = read_results(tmp_path, report).sort_values("test_metric")
    assert report.bad == [] and report.parts == 2 and list(df.columns) == COLUMNS
    assert df["test_metrics"].isna().tolist() == [False, True] and df["test_metric"].tolist() == [0.5, 0.8]
