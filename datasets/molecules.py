"""MoleculeNet property prediction through PyG's ``MoleculeNet``, with a deterministic scaffold split.

Wu et al. 2018, "MoleculeNet: a benchmark for molecular machine learning".
Regression: ESOL (log solubility), FreeSolv (hydration free energy),
Lipophilicity (logD). Binary classification, scored by ROC-AUC per task:
BBBP, BACE, HIV (one task each) and Tox21 (12 tasks, labels partly missing).

Split: Bemis-Murcko scaffolds (with chirality), deterministic, as in Hu et al.
2020 and OGB: molecules sharing a scaffold stay in one part, so the test set
holds chemotypes never seen in training.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.data import Data

from suite.datasets.base import Split
from suite.datasets.graph import GraphDataset, frozen_splits
from suite.datasets.mirror import cache_dir, load_pyg
from suite.errors import ConfigError, DatasetMissingError

# key (PyG name) -> (display name, raw csv, target)
_SETS = {
    "esol": ("ESOL", "delaney-processed.csv", "regression"),
    "freesolv": ("FreeSolv", "SAMPL.csv", "regression"),
    "lipo": ("Lipophilicity", "Lipophilicity.csv", "regression"),
    "bbbp": ("BBBP", "BBBP.csv", "multilabel"),
    "bace": ("BACE", "bace.csv", "multilabel"),
    "tox21": ("Tox21", "tox21.csv", "multilabel"),
    "hiv": ("HIV", "HIV.csv", "multilabel"),
}
_ALIASES = {"lipophilicity": "lipo"}
FP_BITS = 2048


def _one_hot_columns(codes: torch.Tensor, sizes: list[int]) -> torch.Tensor:
    """[n, C] integer codes -> [n, sum(sizes)] float32, one one-hot block per column."""
    offsets = torch.tensor([0] + sizes[:-1]).cumsum(0)
    out = torch.zeros(codes.size(0), sum(sizes))
    return out.scatter_(1, codes + offsets, 1.0)


def scaffold_split(scaffolds: list[str], train: float = 0.8, val: float = 0.1) -> Split:
    """Deterministic scaffold split, as Hu et al. 2020's ``scaffold_split`` (the procedure behind OGB's splits).

    Groups molecules by scaffold and orders the groups by (size, first
    molecule id), both descending: Hu et al.'s ``sorted(..., key=lambda x:
    (len(x[1]), x[1][0]), reverse=True)``. Train takes each group that still
    fits in ``train`` of all molecules, validation each that fits in
    ``train + val``, test the rest (the rarest scaffolds). The tie order
    matters: validation and test are mostly single-molecule scaffolds, so it
    decides which molecules they get; with ties by ascending id BBBP's
    validation and test sets are all positive and BACE's test set all
    negative (ROC-AUC undefined), as both files are ordered by label in places.
    """
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(scaffolds):
        groups.setdefault(s, []).append(i)
    order = sorted(groups.values(), key=lambda g: (len(g), g[0]), reverse=True)
    n = len(scaffolds)
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for g in order:
        if len(parts[0]) + len(g) <= train * n:
            parts[0].extend(g)
        elif len(parts[0]) + len(parts[1]) + len(g) <= (train + val) * n:
            parts[1].extend(g)
        else:
            parts[2].extend(g)
    return Split(*(torch.tensor(sorted(p), dtype=torch.long) for p in parts))


def _csv_rows(path) -> int:
    """Data rows of a MoleculeNet csv, counted as PyG's ``MoleculeNet.process`` reads them."""
    lines = path.read_text().split("\n")[1:-1]
    return sum(1 for line in lines if line)


def load_molecules(name: str) -> GraphDataset:
    """Load ``name`` in {ESOL, FreeSolv, Lipophilicity (or Lipo), BBBP, BACE, Tox21, HIV}.

    Each graph: ``x`` [n, 177] float32 (PyG's 9 integer atom features, each
    one-hot with the category counts of ``torch_geometric.utils.smiles.x_map``),
    ``edge_attr`` [E, 30] float32 (bond type, stereo, conjugation; ``e_map``),
    ``fp`` [1, 2048] float32 (Morgan fingerprint, radius 2) and ``smiles``.
    ``y``: [G] float32 (regression) or [G, T] float32 with NaN for a missing
    label (multilabel; T = 1 for BBBP/BACE/HIV, 12 for Tox21). Molecules RDKit
    cannot parse are dropped (PyG skips them; ``notes["dropped"]``).
    """
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _SETS:
        raise ConfigError(f"unknown MoleculeNet dataset {name!r}; choose one of "
                          f"{', '.join(v[0] for v in _SETS.values())}")
    try:
        from rdkit import Chem, RDLogger
        from rdkit.Chem import rdFingerprintGenerator
        from rdkit.Chem.Scaffolds import MurckoScaffold
    except ImportError:
        msg = f"dataset {name} needs RDKit, which is not installed; fix: pip install rdkit"
        raise DatasetMissingError(msg) from None
    from torch_geometric.datasets import MoleculeNet
    from torch_geometric.utils.smiles import e_map, x_map

    display, csv, target = _SETS[key]
    rel = f"MoleculeNet/{key}/raw/{csv}"
    ds = load_pyg(display, [rel], lambda root: MoleculeNet(str(root / "MoleculeNet"), key))
    dropped = _csv_rows(cache_dir() / rel) - len(ds)

    RDLogger.DisableLog("rdApp.*")
    morgan = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=FP_BITS)
    x_sizes = [len(v) for v in x_map.values()]
    e_sizes = [len(v) for v in e_map.values()]
    graphs, mols = [], []
    for i in range(len(ds)):
        g = ds[i]
        mol = Chem.MolFromSmiles(g.smiles)  # parsed by PyG before, so never None here
        mols.append(mol)
        fp = torch.from_numpy(morgan.GetFingerprintAsNumPy(mol).astype(np.float32)).view(1, -1)
        graphs.append(Data(x=_one_hot_columns(g.x, x_sizes), edge_index=g.edge_index,
                           edge_attr=_one_hot_columns(g.edge_attr, e_sizes), fp=fp, smiles=g.smiles))
    y = ds.y.float()
    if target == "regression":
        y = y[:, 0]

    def make():
        scaffolds = [MurckoScaffold.MurckoScaffoldSmiles(mol=m, includeChirality=True) for m in mols]
        return [scaffold_split(scaffolds)]

    splits = frozen_splits(
        f"mol-{key}", make,
        about=f"MoleculeNet {display}: deterministic scaffold split 80/10/10 as Hu et al. 2020 / OGB (Bemis-Murcko "
              "scaffold SMILES, includeChirality=True; groups ordered by (size, first index) descending; greedy "
              "fill of train, then validation, rest test)")

    nodes = np.array([g.num_nodes for g in graphs])
    edges = np.array([g.edge_index.size(1) // 2 for g in graphs])
    notes = {"graphs": len(graphs), "dropped": dropped, "tasks": 1 if y.dim() == 1 else y.size(1),
             "avg_nodes": round(float(nodes.mean()), 2), "avg_edges": round(float(edges.mean()), 2)}
    if target == "regression":
        notes.update(y_mean=round(float(y.mean()), 3), y_std=round(float(y.std()), 3),
                     y_min=round(float(y.min()), 3), y_max=round(float(y.max()), 3), metric="RMSE")
    else:
        known = ~torch.isnan(y)
        notes.update(positive_rate=[round(float(y[known[:, t], t].mean()), 4) for t in range(y.size(1))],
                     missing=int((~known).sum()), metric="ROC-AUC (mean over tasks, missing labels ignored)")
    features = (f"x [n, {sum(x_sizes)}]: one-hot of PyG's 9 atom features ("
                + ", ".join(f"{k} {len(v)}" for k, v in x_map.items())
                + f"); edge_attr [E, {sum(e_sizes)}]: one-hot of "
                + ", ".join(f"{k} {len(v)}" for k, v in e_map.items())
                + f"; fp [1, {FP_BITS}]: Morgan fingerprint radius 2 (RDKit)")
    return GraphDataset(name=display, graphs=graphs, y=y, target=target, splits=splits,
                        features=features, notes=notes)
