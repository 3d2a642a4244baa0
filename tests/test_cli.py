import os
import subprocess
import sys
from pathlib import Path

import pytest

from suite.results import read_results

REPO = Path(__file__).resolve().parent.parent


def cli(*args, cwd=None):
    env = {**os.environ, "NETARENA_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "suite", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=600)


def test_list_tasks_shows_track_dataset_metric_direction_split_and_version():
    out = cli("list", "tasks")
    assert out.returncode == 0, out.stderr
    for word in ("cora", "csbm-h0.9", "chameleon", "node", "accuracy", "higher", "public", "geom-gcn", "v1"):
        assert word in out.stdout


def test_list_methods_shows_kind_paper_and_hyperparameters():
    out = cli("list", "methods")
    assert out.returncode == 0, out.stderr
    for word in ("gcn", "gcnii", "label-propagation", "non-parametric", "arxiv.org/abs/1609.02907", "hidden=16"):
        assert word in out.stdout
    assert "probe" not in out.stdout


@pytest.mark.parametrize("args,hint", [(("run", "--task", "corra", "--method", "gcn"), "did you mean cora"),
                                       (("run", "--task", "cora", "--method", "gcnn"), "did you mean gcn, gcnii, sgc"),
                                       (("run", "--suite", "quik"), "did you mean quick"),
                                       (("run", "--task", "cora"), "run needs --task and --method"),
                                       (("run", "--task", "csbm-h0.1", "--method", "gcn", "--seeds", "0"),
                                        "--seeds must be at least 1"),
                                       (("run", "--task", "csbm-h0.1", "--method", "gcn", "--config", "epochs=0"),
                                        "gcn.epochs must be at least 1")])
def test_bad_names_fail_with_one_line_and_a_suggestion(args, hint):
    out = cli(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and hint in lines[0]


def test_suite_run_writes_rows_and_renders_the_leaderboard(tmp_path):
    out = cli("run", "--suite", "smoke", "--results", str(tmp_path / "results"),
              "--leaderboard-dir", str(tmp_path / "lb"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    board = tmp_path / "lb" / "README.md"
    assert f"Leaderboard: {board}" in out.stdout
    assert "test mean ± std" in out.stdout
    df = read_results(tmp_path / "results")
    assert sorted(set(zip(df.task, df.method))) == [("csbm-h0.1", "gcn"), ("csbm-h0.1", "mlp"),
                                                    ("csbm-h0.9", "gcn"), ("csbm-h0.9", "mlp"),
                                                    ("link-sbm", "common-neighbors"), ("link-sbm", "gae-gcn")]
    assert (df.status == "ok").all() and (df.suite == "smoke").all()
    assert "### `link-sbm` (v1): roc_auc" in board.read_text()
    before = board.read_bytes()
    again = cli("leaderboard", "--results", str(tmp_path / "results"), "--out", str(tmp_path / "lb"))
    assert again.returncode == 0 and board.read_bytes() == before


def test_a_tuned_runs_summary_prints_the_validation_selected_number_not_a_mean_over_configurations(tmp_path):
    from suite.leaderboard import aggregate

    results = tmp_path / "results"
    out = cli("run", "--task", "csbm-h0.9", "--method", "mlp", "--seeds", "2", "--trials", "3",
              "--config", "epochs=5", "--results", str(results), "--no-progress", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    df = read_results(results)
    assert len(df) == 6 and df["config_hash"].nunique() == 3
    row = next(iter(aggregate(df).boards.values())).table.set_index("method").loc["mlp"]
    line = next(x for x in out.stdout.splitlines() if x.startswith("csbm-h0.9"))
    selected = f"{100 * row['test_mean']:.2f} ± {100 * row['test_std']:.2f}"
    everything = f"{100 * df['test_metric'].mean():.2f} ± {100 * df['test_metric'].std(ddof=1):.2f}"
    assert selected in line and line.split()[-3:] == ["2", "6", "0"]  # 2 seeds; 6 ok and 0 failed now
    assert selected != everything  # the three configurations differ: a mean over all would be another number


def test_a_sweep_whose_runs_all_failed_prints_them_as_failed(tmp_path):
    out = cli("run", "--task", "csbm-h0.9", "--method", "gcn", "--seeds", "1", "--timeout", "0.01",
              "--results", str(tmp_path / "results"), "--no-progress", cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # nothing succeeded
    line = next(x for x in out.stdout.splitlines() if x.startswith("csbm-h0.9"))
    assert line.split()[:8] == ["csbm-h0.9", "gcn", "-", "accuracy", "-", "0", "0", "1"]  # 0 ok, 1 failed now
    assert "run exceeded the wall-time limit" in line
    assert (read_results(tmp_path / "results")["status"] != "ok").all()
