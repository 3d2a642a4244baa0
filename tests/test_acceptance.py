"""Acceptance bars under the full protocol.

Node track: accuracy bars (10 seeds on Planetoid's public split), about one
point under the papers' reported means. Link track: GAE's ROC-AUC on Cora
and NCN over GAE on Hits@50. The published values themselves belong in
reproduction specs, not here.
"""

import json

import pandas as pd
import pytest

from suite.runner import plan
from tests.conftest import needs_mirror

pytestmark = pytest.mark.slow


def mean_test(runner, task, method, seeds=10):
    rows = runner.run(plan([task], [method], seeds))
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows]
    return 100 * pd.Series([r["test_metric"] for r in rows]).mean()


@pytest.fixture(scope="module")
def runner(runner_factory, tmp_path_factory):
    return runner_factory(tmp_path_factory.mktemp("acceptance"), num_threads=2)


@needs_mirror
def test_planetoid_public_split_reaches_the_papers_band(runner):
    got = {(t, m): mean_test(runner, t, m) for t, m in
           [("cora", "gcn"), ("citeseer", "gcn"), ("cora", "gat"), ("cora", "sgc"), ("cora", "mlp")]}
    print(got)
    assert got["cora", "gcn"] >= 80.5
    assert got["citeseer", "gcn"] >= 69.5
    assert got["cora", "gat"] >= 82.0
    assert got["cora", "sgc"] >= 80.0
    assert got["cora", "mlp"] < min(v for (t, m), v in got.items() if t == "cora" and m != "mlp") - 10


def test_csbm_homophily_decides_between_gcn_and_mlp(runner):
    acc = {(h, m): mean_test(runner, f"csbm-h{h}", m, seeds=5) for h in (0.1, 0.9) for m in ("gcn", "mlp")}
    print(acc)
    assert acc[0.9, "gcn"] > acc[0.9, "mlp"] + 5
    assert acc[0.1, "mlp"] > acc[0.1, "gcn"] + 5


def link_metric(runner, task, method, metric, seeds):
    rows = runner.run(plan([task], [method], seeds))
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows]
    return pd.Series([json.loads(r["test_metrics"])[metric] for r in rows]).mean()


@needs_mirror
def test_gae_reaches_090_roc_auc_on_cora_over_10_seeds(runner):
    auc = link_metric(runner, "link-cora", "gae-gcn", "roc_auc", 10)
    print({"gae-gcn link-cora roc_auc": auc})
    assert auc >= 0.90


@needs_mirror
@pytest.mark.parametrize("task", ["link-cora", "link-citeseer"])
def test_ncn_beats_gae_on_hits_at_50(runner, task):
    # 3 seeds keep CI inside its budget; the committed results hold the 10-seed figures.
    ncn, gae = (link_metric(runner, task, m, "hits@50", 3) for m in ("ncn", "gae-gcn"))
    print({task: {"ncn": ncn, "gae-gcn": gae}})
    assert ncn > gae
