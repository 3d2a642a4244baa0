import hashlib

import pytest
import torch

from suite.datasets import mirror
from suite.datasets.base import Split, split_hash
from suite.datasets.csbm import make_csbm
from suite.errors import DatasetMissingError, SplitMismatchError
from suite.registry import TASKS
from suite.task import TaskSpec
from tests.conftest import CORA, needs_mirror


def test_csbm_is_deterministic_and_has_the_requested_homophily():
    a, b = make_csbm(0.1), make_csbm(0.1)
    assert torch.equal(a.x, b.x) and torch.equal(a.edge_index, b.edge_index) and a.split_hash() == b.split_hash()
    for h in (0.1, 0.5, 0.9):
        assert abs(make_csbm(h).notes["edge_homophily"] - h) < 0.03
    d = make_csbm(0.9)
    src, dst = d.edge_index
    assert torch.equal(torch.sort(src * d.num_nodes + dst).values, torch.sort(dst * d.num_nodes + src).values)  # undirected
    for s in d.splits:  # disjoint and covering
        allidx = torch.cat([s.train, s.val, s.test])
        assert allidx.unique().numel() == allidx.numel() == d.num_nodes


def test_registered_csbm_tasks_load_with_their_frozen_hash():
    for h in (0.1, 0.3, 0.5, 0.7, 0.9):
        assert TASKS.get(f"csbm-h{h}").load().num_nodes == 2000


def test_split_hash_detects_any_moved_node():
    s = Split(torch.arange(0, 10), torch.arange(10, 20), torch.arange(20, 30))
    moved = Split(torch.arange(0, 9), torch.tensor([9] + list(range(11, 20))), torch.cat([torch.tensor([10]), torch.arange(20, 30)]))
    assert split_hash([s]) != split_hash([moved])


def test_a_changed_split_fails_loudly():
    spec = TASKS.get("csbm-h0.5")
    tampered = TaskSpec(**{**spec.__dict__, "name": "tampered", "split_sha256": "f" * 64})
    with pytest.raises(SplitMismatchError, match="bump the task version"):
        tampered.load()


def test_missing_dataset_names_files_places_and_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("NETARENA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NETARENA_DATA_MIRROR", str(tmp_path / "empty-mirror"))
    monkeypatch.setenv("NETARENA_OFFLINE", "1")
    with pytest.raises(DatasetMissingError) as err:
        TASKS.get("pubmed").loader()
    msg = str(err.value)
    assert "\n" not in msg
    for part in ("ind.pubmed.x", str(tmp_path / "cache"), "empty-mirror", "NETARENA_DATA_MIRROR", "Fix:"):
        assert part in msg


def test_mirror_files_are_copied_verified_and_never_written(monkeypatch, tmp_path):
    src = tmp_path / "mirror" / "Planetoid/Cora/raw"
    src.mkdir(parents=True)
    payload = b"not the real file"
    (src / "ind.cora.x").write_bytes(payload)
    monkeypatch.setenv("NETARENA_DATA_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setenv("NETARENA_CACHE", str(tmp_path / "cache"))
    # Wrong checksum: refused, nothing lands in the cache under the real name.
    with pytest.raises(DatasetMissingError, match="SHA-256"):
        mirror.stage([CORA])
    assert not (tmp_path / "cache" / CORA).exists()
    # Right checksum (patched manifest): copied, mirror untouched.
    digest = hashlib.sha256(payload).hexdigest()
    monkeypatch.setattr(mirror, "manifest", lambda: {CORA: {"sha256": digest}})
    assert mirror.stage([CORA]) == []
    assert (tmp_path / "cache" / CORA).read_bytes() == payload
    assert sorted(p.name for p in (tmp_path / "mirror").rglob("*") if p.is_file()) == ["ind.cora.x"]


@needs_mirror
@pytest.mark.parametrize("task,nodes,classes,splits", [
    ("cora", 2708, 7, 1), ("citeseer", 3327, 6, 1), ("cornell", 183, 5, 10), ("texas", 183, 5, 10),
    ("wisconsin", 251, 5, 10), ("actor", 7600, 5, 10), ("chameleon", 2277, 5, 10)])
def test_real_datasets_load_from_the_mirror_with_published_statistics(task, nodes, classes, splits):
    d = TASKS.get(task).load()  # also checks the frozen split hash
    assert (d.num_nodes, d.num_classes, len(d.splits)) == (nodes, classes, splits)
    if task in ("cora", "citeseer"):
        s = d.splits[0]
        assert (s.train.numel(), s.val.numel(), s.test.numel()) == (20 * classes, 500, 1000)
