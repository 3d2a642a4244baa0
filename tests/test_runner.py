"""The runner and worker: rows, failures, determinism, measured memory and latency, label isolation."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from suite.registry import TASKS
from suite.results import read_results
from suite.runner import plan
from suite.testing import label_like_tensors
from suite.view import node_view

TASK = "csbm-h0.5"


def run(runner, method, seeds=1, **overrides):
    return runner.run(plan([TASK], [method], seeds, overrides))


def test_an_ok_run_fills_every_measured_column(runner_factory, results_dir):
    rows = run(runner_factory(results_dir), "gcn", epochs=30)
    row = rows[0]
    assert row["status"] == "ok" and row["error"] is None
    assert 0.2 < row["test_metric"] <= 1 and 0 < row["val_metric"] <= 1
    assert 1 <= row["best_epoch"] <= row["epochs"] <= 30
    assert row["num_params"] == 32 * 16 + 16 + 16 * 5 + 5
    assert row["epoch_seconds_median"] > 0 and row["train_seconds"] > 0
    assert 0 < row["latency_ms_median"] <= row["latency_ms_p90"]
    assert row["peak_memory_bytes"] > 0
    assert json.loads(row["method_config"])["epochs"] == 30 and len(row["config_hash"]) == 12
    for col in ("git_commit", "torch_version", "pyg_version", "python_version", "cpu_model", "netarena_version"):
        assert row[col]
    stored = read_results(results_dir)
    assert len(stored) == 1 and stored.loc[0, "run_id"] == row["run_id"]


def test_seeds_default_to_the_task_protocol():
    runs = plan([TASK, "csbm-h0.9"], ["gcn"], None)
    assert [r.seed for r in runs] == list(range(TASKS.get(TASK).protocol.seeds)) * 2


def test_the_same_seed_gives_the_same_test_metric_twice(runner_factory, results_dir):
    first, second = (run(runner_factory(results_dir), "gcn", epochs=40)[0] for _ in range(2))
    assert first["test_metric"] == second["test_metric"] and first["best_epoch"] == second["best_epoch"]
    other = runner_factory(results_dir).run(plan([TASK], ["gcn"], [1], {"epochs": 40}))[0]
    assert other["split_id"] == 1  # seed 1 -> split 1


@pytest.mark.parametrize("probe,expect", [("probe-raise", "RuntimeError: probe-raise: deliberate failure"),
                                          ("probe-nan", "TrainingDiverged: loss became nan at epoch 1")])
def test_failures_become_failed_rows_and_the_sweep_goes_on(runner_factory, results_dir, probe, expect):
    runs = plan([TASK], [probe, "mlp"], 1, None, method_overrides={"mlp": {"epochs": 5}})
    failed, ok = runner_factory(results_dir).run(runs)
    assert failed["status"] == "failed" and failed["error"].startswith(expect)
    assert failed["test_metric"] is None and ok["status"] == "ok"
    assert sorted(read_results(results_dir)["status"]) == ["failed", "ok"]


def test_a_run_over_its_wall_time_becomes_a_timeout_row(runner_factory, results_dir):
    row = runner_factory(results_dir, timeout_s=3).run(plan([TASK], ["probe-sleep"], 1, {"ms": 4000.0}))[0]
    assert row["status"] == "timeout" and "wall-time limit of 3 s" in row["error"]


def test_peak_memory_of_a_known_256_mib_allocation_is_reported_within_10_percent(runner_factory, results_dir):
    row = run(runner_factory(results_dir), "probe-alloc", mib=256)[0]
    assert row["status"] == "ok", row["error"]
    assert abs(row["peak_memory_bytes"] / 2**20 - 256) <= 25.6, row["peak_memory_bytes"] / 2**20


def test_latency_of_a_20_ms_inference_is_reported_at_20_ms(runner_factory, results_dir):
    row = run(runner_factory(results_dir), "probe-sleep", ms=20.0)[0]
    assert row["status"] == "ok", row["error"]
    assert 16.0 <= row["latency_ms_median"] <= 24.0, row["latency_ms_median"]
    assert row["latency_ms_p90"] >= row["latency_ms_median"]


def test_the_method_view_has_no_test_labels():
    data = TASKS.get(TASK).load()
    split = data.splits[0]
    view = node_view(data, split)
    assert "y" not in view.keys() and set(view.keys()) == {
        "x", "edge_index", "num_nodes", "num_classes", "train_idx", "val_idx", "test_idx", "y_train"}
    assert torch.equal(view.y_train, data.y[split.train])


def test_a_cheating_method_finds_no_test_labels_in_its_worker(runner_factory, results_dir, tmp_path):
    data = TASKS.get(TASK).load()
    split = data.splits[0]
    y_test = data.y[split.test]
    # Positive control: in this process, which holds the labels, the same search finds them.
    here = label_like_tensors(data.num_nodes, split.test.numel(), data.num_classes)
    assert any(t.numel() == data.num_nodes and torch.equal(t, data.y) for t in here)

    report = tmp_path / "cheat.pt"
    row = run(runner_factory(results_dir), "probe-cheat", report=str(report))[0]
    assert row["status"] == "ok", row["error"]
    found = torch.load(report)
    assert "y" not in found["keys"] and "test_mask" not in found["keys"]
    for t in found["tensors"]:
        assert not torch.equal(t, data.y), "full label vector reachable in the worker"
        if t.numel() == y_test.numel():
            assert (t == y_test).float().mean() < 0.5, "test labels reachable in the worker"


def _descendants(pid: int) -> dict[int, int]:
    """Live descendants of ``pid`` with their depth (1 = child), from /proc (no extra dependency)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, todo = {}, [(pid, 0)]
    while todo:
        parent, depth = todo.pop()
        for child in children.get(parent, []):
            found[child] = depth + 1
            todo.append((child, depth + 1))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_the_runner_leaves_no_worker_behind(tmp_path):
    script = ("import suite.testing; from suite.runner import Runner, plan; "
              f"Runner({str(tmp_path)!r}, progress=False, num_threads=1)"
              f".run(plan([{TASK!r}], ['probe-sleep'], 1, {{'ms': 60000.0}}))")
    driver = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.time() + 60
        # The worker is a grandchild: forked by the fork server, the runner's child.
        while time.time() < deadline and 2 not in _descendants(driver.pid).values():
            time.sleep(0.2)
        time.sleep(2.0)  # let it reach the long sleep of its validation pass
        spawned = _descendants(driver.pid)
        assert 2 in spawned.values(), "the worker never started"
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        deadline = time.time() + 15
        while time.time() < deadline and any(_alive(p) for p in spawned):
            time.sleep(0.2)
        assert not any(_alive(p) for p in spawned), "a worker outlived its runner"
    finally:
        if driver.poll() is None:
            driver.kill()
