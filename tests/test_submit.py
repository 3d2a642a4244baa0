"""Submitting a method: the worked example end to end, malformed submissions, limits, cheating, entry points.

Each malformed submission must give one clear error before any run, or a
failed row with a clear reason, and leave every earlier part under
``results/`` as it was.
"""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import torch

from suite.results import read_results

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "sign.py"
TASK = "csbm-h0.9"  # synthetic: no mirror needed

HEADER = '''
import time
import torch
from suite.method import register_method
'''


def cli(*args, cwd=None, env=None, timeout=600):
    env = {**os.environ, "NETARENA_OFFLINE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "suite", *args], capture_output=True, text=True, cwd=cwd or REPO,
                          env=env, timeout=timeout)


def method_file(tmp_path: Path, body: str, name: str = "submission.py", grid: str = "grid=dict(lr=[0.01]),",
                extra: str = "") -> Path:
    """A submission whose model is a linear layer on the features, with ``body`` as the start of its forward."""
    path = tmp_path / name
    path.write_text(HEADER + extra + "\n" + textwrap.dedent(f'''
        @register_method("tiny", kind="mlp", paper="test", authors="A. Tester", {grid}
                         defaults=dict(hidden=8, lr=0.01, epochs=3))
        class Tiny(torch.nn.Module):
            def __init__(self, in_channels, out_channels, hidden=8):
                super().__init__()
                self.lin = torch.nn.Linear(in_channels, out_channels)
                self.big = torch.nn.Linear(in_channels, hidden)  # counts toward the parameter budget

            def forward(self, data):
        ''') + textwrap.indent(textwrap.dedent(body), " " * 8) + "\n        return self.lin(data.x)\n")
    return path


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """A results folder that already holds rows: a malformed submission must leave them as they are."""
    results = tmp_path_factory.mktemp("recorded") / "results"
    out = cli("run", "--task", TASK, "--method", "mlp", "--seeds", "1", "--config", "epochs=3", "--results", str(results),
              "--no-progress")
    assert out.returncode == 0, out.stderr
    return results


def test_the_worked_example_is_submitted_and_ranked_beside_the_baselines(tmp_path):
    results, board = tmp_path / "results", tmp_path / "leaderboard"
    base = cli("run", "--task", TASK, "--method", "gcn", "--seeds", "2", "--results", str(results), "--no-progress")
    assert base.returncode == 0, base.stderr
    out = cli("submit", str(EXAMPLE), "--tasks", TASK, "--seeds", "2", "--results", str(results),
              "--leaderboard-dir", str(board), "--no-progress")
    assert out.returncode == 0, out.stderr
    assert "dry run: sign on probe-node" in out.stderr
    df = read_results(results)
    sign = df[df.method == "sign"]
    assert len(sign) == 2 and (sign.status == "ok").all()
    info = json.loads(sign.submission.iloc[0])
    assert info["authors"].startswith("Fabrizio Frasca") and info["paper_url"] == "https://arxiv.org/abs/2004.11198"
    assert info["code_url"].startswith("https://github.com/") and info["source"].endswith("examples/sign.py")
    assert df[df.method == "gcn"].submission.isna().all()  # built-in methods are not submissions
    assert (sign.test_metric > 0.9).all()  # CSBM at homophily 0.9 is easy for a propagating model
    text = (board / "README.md").read_text()
    assert "sign (submission)" in text and "## Submissions" in text and "Fabrizio Frasca" in text
    assert "hops: [1, 2*, 3]" in text  # OGB-style disclosure: declared grid, * = the configuration that ran
    # Resubmitting reruns nothing: rows are keyed by the run, which includes a hash of the submitted code.
    again = cli("submit", str(EXAMPLE), "--tasks", TASK, "--seeds", "2", "--results", str(results),
                "--no-leaderboard", "--no-progress")
    assert again.returncode == 0 and "(2 already done)" in again.stderr


BAD = {
    "syntax error": (dict(body="return self.lin(data.x"), (), "syntax error"),
    "missing grid": (dict(body="pass", grid=""), (), "declares no search grid"),
    "wrong output shape": (dict(body="return self.lin(data.x).sum(0, keepdim=True)"), (),
                           "the model returned shape (1, 3)"),
    "over the parameter budget": (dict(body="pass", extra="HIDDEN = 1"), ("--param-budget", "100"),
                                  "over its parameter budget 100"),
    "infinite loop in forward": (dict(body="while True:\n    time.sleep(0.01)"), ("--dry-run-timeout", "15"),
                                 "exceeded the wall-time limit of 15 s"),
    "infinite loop at import": (dict(body="pass", extra="while True:\n    time.sleep(0.01)"),
                                ("--dry-run-timeout", "15"), "took over 15 s"),
    "10 GB allocation in forward": (dict(body="torch.ones(10 * 2**30, dtype=torch.uint8)"), ("--memory-limit", "1"),
                                    "exceeded the memory limit of 1.0 GiB"),
    "10 GB allocation at import": (dict(body="pass", extra="BLOB = torch.ones(10 * 2**30, dtype=torch.uint8)"),
                                   ("--memory-limit", "1"), "memory limit 1.0 GiB"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_malformed_submission_gets_one_clear_error_and_changes_no_results(case, tmp_path, recorded):
    kwargs, options, expected = BAD[case]
    path = method_file(tmp_path, **kwargs)
    before = snapshot(recorded)
    out = cli("submit", str(path), "--track", "node", "--results", str(recorded), "--no-progress",
              "--leaderboard-dir", str(tmp_path / "lb"), *options)
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert out.returncode == 2, out.stderr
    assert len(errors) == 1 and expected in errors[0], out.stderr
    assert snapshot(recorded) == before
    assert not (tmp_path / "lb").exists()


def test_a_submission_without_metadata_or_with_a_script_url_is_refused(tmp_path):
    path = method_file(tmp_path, "pass")
    path.write_text(path.read_text().replace('authors="A. Tester",', 'authors="", code_url="javascript:alert(1)",'))
    out = cli("submit", str(path), "--track", "node", "--check-only")
    assert out.returncode == 2 and "has no authors" in out.stderr and "is not an http(s) URL" in out.stderr


def test_a_method_name_taken_by_a_baseline_is_refused(tmp_path):
    path = method_file(tmp_path, "pass")
    path.write_text(path.read_text().replace('register_method("tiny"', 'register_method("gcn"'))
    out = cli("submit", str(path), "--track", "node", "--check-only")
    assert out.returncode == 2 and "registered twice" in out.stderr and "rename yours" in out.stderr


def test_runs_over_the_limits_become_failed_rows_and_the_sweep_goes_on(tmp_path):
    """Methods that pass the dry run (120 nodes) but blow a limit on the real task (2000 nodes)."""
    path = tmp_path / "three.py"
    path.write_text(HEADER + textwrap.dedent('''
        class _Lin(torch.nn.Module):
            def __init__(self, in_channels, out_channels):
                super().__init__()
                self.lin = torch.nn.Linear(in_channels, out_channels)

            def forward(self, data):
                return self.lin(data.x)

        META = dict(kind="mlp", paper="test", authors="A. Tester", grid=dict(lr=[0.01]), defaults=dict(lr=0.01, epochs=3))

        @register_method("well-behaved", **META)
        class Good(_Lin):
            pass

        @register_method("memory-hog", **META)
        class Hog(_Lin):
            def forward(self, data):
                if data.num_nodes > 500:
                    self.blob = torch.ones(10 * 2**30, dtype=torch.uint8)
                return super().forward(data)

        @register_method("sleeper", **META)
        class Sleeper(_Lin):
            def forward(self, data):
                while data.num_nodes > 500:
                    time.sleep(0.01)
                return super().forward(data)
        '''))
    results = tmp_path / "results"
    out = cli("submit", str(path), "--tasks", TASK, "--seeds", "1", "--results", str(results), "--no-progress",
              "--no-leaderboard", "--timeout", "20", "--memory-limit", "1")
    assert out.returncode == 0, out.stderr  # at least one run succeeded: the sweep finished
    rows = read_results(results).set_index("method")
    assert rows.loc["well-behaved", "status"] == "ok"
    assert rows.loc["memory-hog", "status"] == "failed"
    assert rows.loc["memory-hog", "error"].startswith("run exceeded the memory limit of 1.0 GiB")
    assert rows.loc["sleeper", "status"] == "timeout" and "wall-time limit of 20 s" in rows.loc["sleeper", "error"]


def test_a_submission_that_tries_to_cheat_finds_no_test_labels(tmp_path):
    """The cheater searches what it receives and every tensor alive in its process for the test labels, and
    predicts with the best candidate: were the labels anywhere, its test accuracy would be 100%."""
    from suite.registry import TASKS

    report = tmp_path / "found.pt"
    path = tmp_path / "cheat.py"
    path.write_text(HEADER + textwrap.dedent(f'''
        from suite.testing import label_like_tensors

        @register_method("cheater", kind="mlp", paper="test", authors="A. Cheater", grid=dict(lr=[0.01]),
                         defaults=dict(lr=0.01, epochs=2))
        class Cheater(torch.nn.Module):
            def __init__(self, in_channels, out_channels):
                super().__init__()
                self.lin = torch.nn.Linear(in_channels, out_channels)
                self.guess = None

            def forward(self, data):
                if self.guess is None:
                    found = label_like_tensors(data.num_nodes, data.test_idx.numel(), data.num_classes)
                    torch.save({{"keys": sorted(data.keys()), "tensors": found}}, {str(report)!r})
                    full = [t for t in found if t.numel() == data.num_nodes]
                    self.guess = full[0] if full else torch.zeros(data.num_nodes, dtype=torch.long)
                scores = torch.nn.functional.one_hot(self.guess, data.num_classes).float() * 100
                return scores + 0 * self.lin(data.x)
        '''))
    results = tmp_path / "results"
    out = cli("submit", str(path), "--tasks", TASK, "--seeds", "1", "--results", str(results), "--no-progress",
              "--no-leaderboard")
    assert out.returncode == 0, out.stderr
    row = read_results(results).iloc[0]
    data = TASKS.get(TASK).load()
    y_test = data.y[data.splits[0].test]
    found = torch.load(report)
    assert not {"y", "y_val", "y_test", "test_mask"} & set(found["keys"])
    for t in found["tensors"]:
        assert not torch.equal(t, data.y)
        if t.numel() == y_test.numel():
            assert (t == y_test).float().mean() < 0.5
    chance = (y_test == 0).float().mean().item()  # what predicting class 0 everywhere scores
    assert row.status == "ok" and row.test_metric < 0.5 and abs(row.test_metric - chance) < 0.05


def _plugin(tmp_path: Path) -> Path:
    """An installed distribution in ``tmp_path``: package ``nap_plugin`` with a ``netarena.methods`` entry point,
    and module ``nap_other`` that is not an entry point."""
    src = HEADER + textwrap.dedent('''
        @register_method("{name}", kind="mlp", paper="test", authors="A. Plugin", grid=dict(lr=[0.01]),
                         defaults=dict(lr=0.01, epochs=3))
        class {cls}(torch.nn.Module):
            def __init__(self, in_channels, out_channels):
                super().__init__()
                self.lin = torch.nn.Linear(in_channels, out_channels)

            def forward(self, data):
                return self.lin(data.x)
        ''')
    (tmp_path / "nap_plugin").mkdir(parents=True)
    (tmp_path / "nap_plugin" / "__init__.py").write_text(src.format(name="plugin-linear", cls="PluginLinear"))
    (tmp_path / "nap_other.py").write_text(src.format(name="other-linear", cls="OtherLinear"))
    info = tmp_path / "nap_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: nap-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[netarena.methods]\nplugin-linear = nap_plugin\n")
    (info / "top_level.txt").write_text("nap_plugin\n")
    return tmp_path


def test_entry_point_and_module_methods_are_listed_run_and_flagged(tmp_path):
    env = {"PYTHONPATH": str(_plugin(tmp_path / "site"))}
    listed = cli("list", "methods", env=env)
    assert listed.returncode == 0 and "plugin-linear" in listed.stdout and "other-linear" not in listed.stdout
    results = tmp_path / "results"
    out = cli("run", "--task", TASK, "--method", "plugin-linear,nap_other:OtherLinear", "--seeds", "1", "--results",
              str(results), "--no-progress", env=env)
    assert out.returncode == 0, out.stderr
    df = read_results(results).set_index("method")
    assert (df.status == "ok").all() and set(df.index) == {"plugin-linear", "other-linear"}
    plugin = json.loads(df.loc["plugin-linear", "submission"])
    assert plugin["source"] == "module:nap_plugin" and plugin["distribution"] == "nap-plugin==0.1"
    assert json.loads(df.loc["other-linear", "submission"])["source"] == "module:nap_other"


def test_a_broken_entry_point_is_reported_and_skipped(tmp_path):
    site = _plugin(tmp_path / "site")
    (site / "nap_plugin" / "__init__.py").write_text("raise RuntimeError('broken plug-in')\n")
    out = cli("list", "methods", env={"PYTHONPATH": str(site)})
    assert out.returncode == 0 and "gcn" in out.stdout
    assert "skipped entry point plugin-linear = nap_plugin of nap-plugin: RuntimeError: broken plug-in" in out.stderr


def test_old_parts_read_with_a_null_submission_column(tmp_path):
    from suite.results import SCHEMA

    assert "submission" in SCHEMA.names
    results = tmp_path / "results"
    out = cli("run", "--task", TASK, "--method", "mlp", "--seeds", "1", "--config", "epochs=2", "--results",
              str(results), "--no-progress")
    assert out.returncode == 0
    part = next(results.rglob("*.parquet"))
    pq.write_table(pq.read_table(part).drop(["submission"]), part)  # as schema v4 wrote it
    df = read_results(results)
    assert len(df) == 1 and df.submission.isna().all() and df.status.iloc[0] == "ok"
