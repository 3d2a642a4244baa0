import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from suite.compare import compare, main
from suite.errors import ConfigError
from suite.results import list_parts, read_results
from suite.stats import paired_pvalue

TASK = "csbm-h0.9"
SHIFT = {0: 0.20, 1: 0.22, 2: 0.24}  # per seed: a regression of 22 points on average, with spread (a real t-test)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Path:
    """Results of mlp and gcn on one synthetic task, 3 seeds each (a few seconds)."""
    results = tmp_path_factory.mktemp("compare") / "full"
    env = {**os.environ, "NETARENA_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-m", "suite", "run", "--task", TASK, "--method", "mlp,gcn", "--seeds", "3",
                          "--config", "epochs=3", "--results", str(results), "--no-progress"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    assert len(list_parts(results)) == 6
    return results


def copy_of(src: Path, dst: Path, methods: tuple[str, ...] = ("mlp", "gcn")) -> Path:
    for m in methods:
        shutil.copytree(src / TASK / m, dst / TASK / m)
    return dst


def shifted(src: Path, dst: Path, method: str, shift: dict[int, float]) -> Path:
    """A copy of ``src`` with ``method``'s test metric lowered by ``shift[seed]`` in every part (rewritten in place)."""
    copy_of(src, dst)
    for path in list_parts(dst / TASK / method):
        table = pq.read_table(path)
        seeds = table.column("seed").to_pylist()
        values = [v - shift[s] for v, s in zip(table.column("test_metric").to_pylist(), seeds)]
        i = table.schema.get_field_index("test_metric")
        table = table.set_column(i, table.schema.field(i), pa.array(values, pa.float64()))
        pq.write_table(table, path)
    return dst


def row(diff, method):
    rows = diff[diff["method"] == method]
    assert len(rows) == 1
    return rows.iloc[0]


def test_identical_snapshots_are_all_same_and_exit_0(full, tmp_path, capsys):
    other = copy_of(full, tmp_path / "other")
    diff = compare(str(full), str(other))
    assert diff["method"].tolist() == ["gcn", "mlp"] and diff["status"].tolist() == ["same", "same"]
    assert (diff["delta"] == 0).all() and (diff["pvalue"] == 1.0).all() and (diff["test"] == "paired t").all()
    assert (diff["old_n"] == 3).all() and (diff["new_n"] == 3).all()
    assert main([str(full), str(other)]) == 0
    assert "0 regressed, 0 improved, 0 changed, 2 same, 0 added, 0 removed" in capsys.readouterr().out


def test_a_method_shifted_down_on_every_seed_is_a_regression_and_exits_1(full, tmp_path, capsys):
    worse = shifted(full, tmp_path / "worse", "gcn", SHIFT)
    diff = compare(str(full), str(worse))
    gcn, mlp = row(diff, "gcn"), row(diff, "mlp")
    assert mlp["status"] == "same"
    assert gcn["status"] == "regressed" and gcn["test"] == "paired t"
    assert gcn["delta"] == pytest.approx(-22.0, abs=1e-9)  # points: accuracy is a percent metric
    assert gcn["old_mean"] - gcn["new_mean"] == pytest.approx(22.0, abs=1e-9)
    old = read_results(full).query("method == 'gcn'").sort_values("seed")["test_metric"].to_numpy()
    new = old - np.array([SHIFT[s] for s in range(3)])
    assert gcn["pvalue"] == pytest.approx(paired_pvalue(old, new)) and gcn["pvalue"] < 0.05

    assert main([str(full), str(worse)]) == 1
    out = capsys.readouterr()
    assert "regressed" in out.out and "-22.00" in out.out and "1 regressed" in out.out
    assert "1 regression(s)" in out.err
    # The other way round it is an improvement; above a 30-point threshold it is only a change.
    assert row(compare(str(worse), str(full)), "gcn")["status"] == "improved"
    assert main([str(worse), str(full)]) == 0
    assert row(compare(str(full), str(worse), threshold=30.0), "gcn")["status"] == "changed"
    assert main([str(full), str(worse), "--threshold", "30"]) == 0


def test_added_and_removed_methods_and_unmatched_seeds(full, tmp_path):
    only_mlp = copy_of(full, tmp_path / "only_mlp", ("mlp",))
    diff = compare(str(only_mlp), str(full))
    assert row(diff, "gcn")["status"] == "added" and np.isnan(row(diff, "gcn")["pvalue"])
    assert row(diff, "mlp")["status"] == "same"
    assert row(compare(str(full), str(only_mlp)), "gcn")["status"] == "removed"
    assert main([str(full), str(only_mlp)]) == 0
    fewer = copy_of(full, tmp_path / "fewer")
    list_parts(fewer / TASK / "mlp")[0].unlink()  # a seed missing: Welch's test, not a paired one
    mlp = row(compare(str(full), str(fewer)), "mlp")
    assert mlp["test"] == "Welch t" and mlp["new_n"] == 2 and mlp["status"] == "changed"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


def test_git_revisions_are_compared_and_bad_ones_named(full, tmp_path, monkeypatch, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("no results yet\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "empty")
    copy_of(full, repo / "results")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "baseline")
    git(repo, "tag", "v1")
    shutil.rmtree(repo / "results")
    shifted(full, repo / "results", "mlp", SHIFT)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "mlp got worse")

    diff = compare("v1", "HEAD", repo=repo)
    assert row(diff, "mlp")["status"] == "regressed" and row(diff, "gcn")["status"] == "same"
    assert (compare("HEAD~1", "v1", repo=repo)["status"] == "same").all()
    monkeypatch.chdir(repo)  # the CLI reads revisions from the repository it runs in
    assert main(["v1", "HEAD"]) == 1
    assert main(["v1", "results"]) == 1  # a revision against the working tree's folder
    capsys.readouterr()
    assert main(["no-such-rev", "HEAD"]) == 2
    assert "neither a folder nor a git revision" in capsys.readouterr().err
    assert main(["HEAD~2", "HEAD"]) == 2
    assert "has no results/ folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no results parts"):
        compare(str(tmp_path / "empty"), "HEAD", repo=repo)
    with pytest.raises(ConfigError, match="--alpha"):
        compare("v1", "HEAD", alpha=1.5, repo=repo)
