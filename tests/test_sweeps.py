"""Sweeps: run keys, resume, executors (local pool, Ray), kill -9 recovery, damaged parts."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from suite.cli import main
from suite.results import list_parts, read_results
from suite.runner import Run, pending, plan

TASKS_ = ["csbm-h0.5", "csbm-h0.9"]
OUTCOME = ["status", "val_metric", "test_metric", "best_epoch", "epochs", "val_metrics", "test_metrics"]


def small_plan(seeds=2, epochs=15, methods=("gcn", "mlp")):
    return plan(TASKS_, list(methods), seeds, {"epochs": epochs})


def outcomes(results: Path) -> dict:
    df = read_results(results)
    ok = df[df.status == "ok"]
    assert ok.run_key.is_unique, "a run key has two ok rows: a finished run was redone"
    return {r.run_key: tuple(getattr(r, c) for c in OUTCOME) for r in ok.itertuples()}


def test_run_keys_are_deterministic_and_name_what_changes_the_experiment():
    run = small_plan(seeds=1)[0]
    assert run.key == Run(run.task, run.method, run.config, run.seed).key and len(run.key) == 20
    assert run.key == Run(run.task, run.method, run.config, run.seed, suite="another-suite").key
    changed = [
        Run(run.task, run.method, run.config, run.seed + 1),
        Run("csbm-h0.1", run.method, run.config, run.seed),
        Run(run.task, "mlp", run.config, run.seed),
        Run(run.task, run.method, json.dumps({**run.config_dict, "lr": 0.05}, sort_keys=True), run.seed),
        Run(run.task, run.method, run.config, run.seed, protocol=json.dumps({"max_epochs": 7})),
    ]
    keys = {run.key} | {r.key for r in changed}
    assert len(keys) == len(changed) + 1


def test_resume_skips_done_runs_and_failed_ones_unless_asked(runner_factory, results_dir):
    runs = plan(["csbm-h0.5"], ["gcn", "mlp", "probe-raise"], 1, {"epochs": 15})
    runner_factory(results_dir).run(runs)
    todo, skipped = pending(runs, results_dir)
    assert todo == [] and skipped == {"done": 2, "failed": 1, "duplicate": 0}
    todo, skipped = pending(runs, results_dir, retry_failed=True)
    assert [r.method for r in todo] == ["probe-raise"] and skipped["done"] == 2
    todo, _ = pending(runs + runs[:1], results_dir, force=True)
    assert todo == runs  # forced: everything again, the duplicate once

    args = ["run", "--task", "csbm-h0.5", "--method", "gcn,mlp,probe-raise", "--seeds", "1", "--config", "epochs=15",
            "--results", str(results_dir), "--no-progress", "--threads", "1"]
    assert main(args) == 0
    assert len(read_results(results_dir)) == 3  # nothing was rerun
    assert main(args + ["--retry-failed"]) == 1  # the one rerun failed again
    assert read_results(results_dir).status.value_counts().to_dict() == {"ok": 2, "failed": 2}


def test_two_workers_and_one_worker_give_the_same_rows_per_run_key(runner_factory, tmp_path):
    runs = small_plan()
    runner_factory(tmp_path / "one").run(runs)
    rows = runner_factory(tmp_path / "two", workers=2).run(runs)
    assert [r["run_key"] for r in rows] == [r.key for r in runs]  # summary rows come back in plan order
    one, two = outcomes(tmp_path / "one"), outcomes(tmp_path / "two")
    assert len(one) == len(runs) and one == two


def test_ray_executor_gives_the_same_rows_as_the_local_one(runner_factory, tmp_path):
    pytest.importorskip("ray", reason="Ray is the optional extra netarena[ray]")
    runs = small_plan()
    runner_factory(tmp_path / "local").run(runs)
    rows = runner_factory(tmp_path / "ray", executor="ray", workers=2).run(runs)
    assert all(r["status"] == "ok" for r in rows)
    assert outcomes(tmp_path / "ray") == outcomes(tmp_path / "local")
    # each part was written by the Ray task that ran it, not gathered by the driver
    assert len(list_parts(tmp_path / "ray")) == len(runs)


def _sweep_cmd(results: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "suite", "run", "--task", ",".join(TASKS_), "--method", "gcn,mlp,sgc",
            "--seeds", "3", "--config", "epochs=40", "--threads", "1", "--workers", str(workers),
            "--results", str(results), "--no-progress"]


def test_a_sweep_killed_with_sigkill_resumes_to_the_same_rows(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    reference, resumed = tmp_path / "reference", tmp_path / "killed"
    subprocess.run(_sweep_cmd(reference, 1), check=True, env=env, capture_output=True, timeout=600)
    expected = outcomes(reference)
    assert len(expected) == 18

    proc = subprocess.Popen(_sweep_cmd(resumed, 2), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(list_parts(resumed)) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the sweep ended before it could be killed: make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(2)  # the killed driver's in-flight workers notice and exit; they write nothing
    partial = len(list_parts(resumed))
    assert 5 <= partial < 18

    out = subprocess.run(_sweep_cmd(resumed, 2), check=True, env=env, capture_output=True, text=True, timeout=600)
    assert f"{partial} already done" in out.stderr and f"{18 - partial} to run" in out.stderr
    assert outcomes(resumed) == expected
    assert len(read_results(resumed)) == 18  # no run recorded twice


def test_a_damaged_part_is_named_skipped_and_its_run_redone(runner_factory, results_dir, capsys):
    runs = small_plan(seeds=1, methods=("mlp",))
    runner_factory(results_dir).run(runs)
    victim = list_parts(results_dir)[0]
    victim.write_bytes(victim.read_bytes()[:100])  # truncated, as by a crash outside the atomic path
    assert main(["results", "--check", "--results", str(results_dir)]) == 1
    out = capsys.readouterr().out
    assert f"BAD  {victim}" in out and "1 readable parts, 1 bad" in out
    with pytest.warns(UserWarning, match="skipped results part"):
        assert len(read_results(results_dir)) == 1
    todo, skipped = pending(runs, results_dir)
    assert len(todo) == 1 and skipped["done"] == 1


def test_every_method_gets_the_same_tuning_budget_and_a_fixed_draw():
    runs = plan(["csbm-h0.5"], ["gcn", "mlp", "sgc", "label-propagation"], 1, protocol={"trials": 3})
    per_method = {}
    for r in runs:
        per_method.setdefault(r.method, []).append(r.config_dict)
    # grids: gcn 4 points, mlp 8, sgc 5 -> 3 sampled each; label propagation's 3 fit -> the whole grid
    assert {m: len(c) for m, c in per_method.items()} == {"gcn": 3, "mlp": 3, "sgc": 3, "label-propagation": 3}
    for m, cfgs in per_method.items():
        assert len({json.dumps(c, sort_keys=True) for c in cfgs}) == len(cfgs), f"{m}: a config drawn twice"
    info = {r.method: json.loads(r.search_space) for r in runs}
    assert info["label-propagation"]["sampler"] == "grid" and info["mlp"]["sampler"] == "random"
    assert info["mlp"]["space"]["hidden"] == [64, 256] and info["mlp"]["budget"] == 3
    # the draw is fixed by the search seed and the method, not by the other methods in the sweep
    alone = plan(["csbm-h0.5"], ["mlp"], 1, protocol={"trials": 3})
    assert [r.config for r in alone] == [r.config for r in runs if r.method == "mlp"]
    other = plan(["csbm-h0.5"], ["mlp"], 1, protocol={"trials": 3, "search_seed": 1})
    assert {r.config for r in other} != {r.config for r in alone}
    # a fixed override collapses that dimension; one trial is the paper's defaults
    fixed = plan(["csbm-h0.5"], ["mlp"], 1, {"hidden": 32}, protocol={"trials": 3})
    assert {r.config_dict["hidden"] for r in fixed} == {32}
    assert [r.search_space for r in plan(["csbm-h0.5"], ["mlp"], 1)] == [None]


def test_tuned_rows_are_selected_on_validation_and_disclosed(runner_factory, results_dir):
    from suite.leaderboard import aggregate, render_markdown

    runs = plan(["csbm-h0.5"], ["gcn"], 2, {"epochs": 10}, protocol={"trials": 4})
    runner_factory(results_dir).run(runs)
    df = read_results(results_dir)
    assert df.search_space.notna().all() and df.config_hash.nunique() == 4
    agg = aggregate(df)
    (board,) = agg.boards.values()
    assert "trials=4 (larger grids: random, seed 0)" in board.protocol
    best = df.groupby("method_config").val_metric.mean().idxmax()
    row = board.table.iloc[0]
    assert row["config_hash"] == df.loc[df.method_config == best, "config_hash"].iloc[0]
    chosen = json.loads(best)
    assert f"hidden: [{'16*, 64' if chosen['hidden'] == 16 else '16, 64*'}]" in row["tuning"]
    assert row["tuning"].startswith("grid 4/4") and "tuning (searched values" in render_markdown(agg)


def test_method_code_covers_the_shared_helpers_a_method_uses(tmp_path, monkeypatch):
    import suite.runner as runner

    assert {Path(f).name for f in runner.method_source_files("gcn")} == {"gcn.py", "_layers.py"}
    assert [Path(f).name for f in runner.method_source_files("sgc")] == ["sgc.py"]  # uses no shared helper
    # a variant defined in its own module on another method's class also depends on that method's file
    assert {Path(f).name for f in runner.method_source_files("gin-rni")} == {"gin_rni.py", "gin.py", "_graph.py"}
    # editing the helper, not the method's own file, changes the method's code version
    files = []
    for f in runner.method_source_files("gcn"):
        files.append(tmp_path / Path(f).name)
        files[-1].write_bytes(Path(f).read_bytes())
    monkeypatch.setattr(runner, "method_source_files", lambda method: [str(f) for f in files])
    runner.method_code_version.cache_clear()
    before = runner.method_code_version("gcn")
    helper = tmp_path / "_layers.py"
    helper.write_text(helper.read_text() + "\n# edited\n")
    runner.method_code_version.cache_clear()
    after = runner.method_code_version("gcn")
    monkeypatch.undo()
    runner.method_code_version.cache_clear()
    assert before != after and runner.method_code_version("gcn") != runner.method_code_version("graphsage")


def test_ctrl_c_kills_the_runs_in_flight_and_records_nothing_for_them(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    results = tmp_path / "interrupted"
    cmd = _sweep_cmd(results, 2)
    cmd[cmd.index("epochs=40")] = "epochs=400"  # long enough runs that two are in flight at the signal
    # A shell without job control starts background jobs with SIGINT ignored, and Python then installs no
    # KeyboardInterrupt handler: give the sweep the default disposition, as a terminal's foreground job has.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while len(list_parts(results)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # no waiting for the in-flight runs to finish
    assert proc.returncode == 130 and "interrupted" in err
    df = read_results(results)
    assert len(df) >= 2 and (df.status == "ok").all()  # the killed runs left no failed rows
