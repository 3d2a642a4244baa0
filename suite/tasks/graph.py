"""Graph-level track: fair graph classification (TU), molecular property prediction (MoleculeNet) and
expressiveness probes (CSL, EXP-style 1-WL-indistinguishable pairs, substructure counting).

TU datasets run under Errica et al.'s protocol (ICLR 2020, "A Fair Comparison
of Graph Neural Networks for Graph Classification",
https://arxiv.org/abs/1912.09893): 10 stratified outer folds, each with a 10%
stratified inner holdout, from split files generated once from seed 0 and
committed under ``datasets/splits/`` (their hash is pinned here); every
configuration the tuning budget draws is trained once per fold and selected
on the holdout; each fold's winner is retrained 3 times and its test
accuracy averaged; mean +- std over the 10 folds (:mod:`suite.nested`).
Early stopping uses the holdout only. Differences from the paper, all on
the side of less compute: 4 configurations per method and fold (the
``trials`` budget, the same for every method, drawn from each method's
declared grid; Errica et al. searched up to 72), at most 200 epochs with
patience 20 (theirs: 1000 epochs, patience 20-500 by model), no learning-rate
schedule. The ``quick`` variant (2 configurations, 30 epochs, patience 10)
runs in the quick suite and CI and is ranked apart.

MoleculeNet tasks use one deterministic Bemis-Murcko scaffold split
(80/10/10, Hu et al. 2020), the molecules' one-hot atom and bond features,
and a Morgan fingerprint per molecule for the fingerprint baseline.
"""

from functools import partial

from suite.task import Protocol, TaskSpec, register_task


# Loaders import their modules when a task is loaded, not when the registry is read (RDKit is slow to import).
def load_tu(name: str, features: str):
    from suite.datasets.tu import load_tu

    return load_tu(name, features)


def load_molecules(name: str):
    from suite.datasets.molecules import load_molecules

    return load_molecules(name)


def load_csl():
    from suite.datasets.graph_synthetic import load_csl

    return load_csl()


def make_wl_pairs():
    from suite.datasets.graph_synthetic import make_wl_pairs

    return make_wl_pairs()


def make_counting(target: str):
    from suite.datasets.graph_synthetic import make_counting

    return make_counting(target)


TRACK = "graph"
ERRICA = Protocol(seeds=10, max_epochs=200, patience=20, trials=4, retrain=3)
QUICK_VARIANT = {"trials": 2, "max_epochs": 30, "patience": 10, "variant": "quick"}
TU_SPLIT = ("Errica et al. 2020: 10 stratified outer folds (StratifiedKFold, shuffled, seed 0), each outer training "
            "fold split 90/10 into train and a stratified holdout; stored in datasets/splits/{file}.json")
TU_SOURCE = ("TUDataset (Morris et al. 2020, https://chrsmrrs.github.io/datasets/) via PyG's TUDataset; protocol "
             "and reference numbers: Errica et al. 2020, https://arxiv.org/abs/1912.09893")

# task: (TU name, features, large, split SHA-256, description)
TU = {
    "tu-mutag": ("MUTAG", "attributes", False, None, "188 nitroaromatic compounds, mutagenic or not"),
    "tu-ptc-mr": ("PTC_MR", "attributes", False, None, "344 compounds, carcinogenic in male rats or not"),
    "tu-enzymes": ("ENZYMES", "attributes", False, None, "600 protein tertiary structures, 6 EC top-level classes"),
    "tu-proteins": ("PROTEINS", "attributes", False, None, "1113 proteins, enzyme or not"),
    "tu-nci1": ("NCI1", "attributes", False, None, "4110 compounds screened against non-small-cell lung cancer"),
    "tu-nci109": ("NCI109", "attributes", False, None, "4127 compounds screened against ovarian cancer"),
    "tu-dd": ("DD", "attributes", True, None, "1178 protein structures (284 nodes on average), enzyme or not"),
    "tu-imdb-b": ("IMDB-BINARY", "degree", False, None, "1000 actor ego-networks, action or romance"),
    "tu-imdb-m": ("IMDB-MULTI", "degree", False, None, "1500 actor ego-networks, 3 genres"),
    "tu-reddit-b": ("REDDIT-BINARY", "degree", True, None, "2000 Reddit threads (430 nodes on average), Q&A or "
                                                           "discussion"),
    "tu-collab": ("COLLAB", "degree", True, None, "5000 physicist ego-networks, 3 fields"),
}
FEATURES = {"attributes": "the dataset's node labels (one-hot) and continuous attributes where it has them",
            "degree": "one-hot node degree capped at 64 (social graphs have no node features)"}

for _task, (_name, _features, _large, _hash, _about) in TU.items():
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"TUDataset/{_name}", metric="accuracy",
        split=TU_SPLIT.format(file=f"tu-{_name.lower()}"), num_splits=10, split_sha256=_hash or "",
        loader=partial(load_tu, _name, _features), protocol=ERRICA, version=1, large=_large,
        description=f"{_about}; node features: {FEATURES[_features]}", source=TU_SOURCE,
    ))

MOL_SOURCE = ("MoleculeNet (Wu et al. 2018, https://arxiv.org/abs/1703.00564) via PyG's MoleculeNet (RDKit); "
              "scaffold split as Hu et al. 2020, https://arxiv.org/abs/1905.12265")
MOL_SPLIT = ("deterministic Bemis-Murcko scaffold split 80/10/10 (largest scaffold groups to train first); "
             "stored in datasets/splits/{file}.json")
MOLECULES = {
    # task: (PyG name, metric, large, split SHA-256, description)
    "mol-esol": ("ESOL", "rmse", False, None, "1128 molecules, log aqueous solubility (mol/L)"),
    "mol-freesolv": ("FreeSolv", "rmse", False, None, "642 molecules, hydration free energy (kcal/mol)"),
    "mol-lipo": ("Lipo", "rmse", False, None, "4200 molecules, octanol/water distribution coefficient (logD)"),
    "mol-bbbp": ("BBBP", "roc_auc", False, None, "2039 molecules, blood-brain barrier penetration"),
    "mol-bace": ("BACE", "roc_auc", False, None, "1513 molecules, BACE-1 inhibition"),
    "mol-tox21": ("Tox21", "roc_auc", False, None, "7831 molecules, 12 toxicity assays with missing labels"),
    "mol-hiv": ("HIV", "roc_auc", True, None, "41127 molecules, HIV replication inhibition"),
}
MOLECULE_PROTOCOL = Protocol(seeds=3, max_epochs=100, patience=20)
for _task, (_name, _metric, _large, _hash, _about) in MOLECULES.items():
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"MoleculeNet/{_name}", metric=_metric,
        extra_metrics=("mae",) if _metric == "rmse" else (),
        split=MOL_SPLIT.format(file=f"mol-{_name.lower()}"), num_splits=1, split_sha256=_hash or "",
        loader=partial(load_molecules, _name), protocol=MOLECULE_PROTOCOL, version=1, large=_large,
        description=_about + ("; RMSE in the target's units" if _metric == "rmse" else
                              "; ROC-AUC (mean over tasks with both classes, missing labels ignored)"),
        source=MOL_SOURCE,
    ))

EXPRESSIVITY_SOURCE = {
    "csl": "Murphy et al. 2019 (Relational Pooling), https://arxiv.org/abs/1903.02541; 5-fold CV as Dwivedi et al. "
           "2020 (benchmarking-gnns), https://arxiv.org/abs/2003.00982",
    "wl-pairs": "in the style of EXP, Abboud et al. 2021 (random node initialization), https://arxiv.org/abs/2010.01179",
    "count": "substructure counting as Chen et al. 2020, https://arxiv.org/abs/2002.04025",
}
register_task(TaskSpec(
    name="csl", track=TRACK, dataset="GNNBenchmarkDataset/CSL", metric="accuracy",
    split="5 stratified folds (seed 0), each 60/20/20 train/holdout/test as benchmarking-gnns; seed s uses fold s mod 5",
    num_splits=5, split_sha256="", loader=load_csl, protocol=Protocol(seeds=5, max_epochs=300, patience=50),
    version=1, description="150 circular skip-link graphs (41 nodes, 4-regular), 10 isomorphism classes by skip "
                           "length; constant node features, so 1-WL (and every plain MPNN) sees all graphs alike: "
                           "chance is 10%", source=EXPRESSIVITY_SOURCE["csl"],
))
register_task(TaskSpec(
    name="wl-pairs", track=TRACK, dataset="synthetic 3-regular pairs", metric="accuracy",
    split="5 stratified folds over pairs (a pair never straddles two parts; seed 0); seed s uses fold s mod 5",
    num_splits=5, split_sha256="", loader=make_wl_pairs, protocol=Protocol(seeds=5, max_epochs=300, patience=50),
    version=1, synthetic=True,
    description="300 pairs of 3-regular graphs on the same number of nodes (10-30), one with a triangle (label 1), "
                "one without (label 0); constant node features: 1-WL colours both graphs of a pair alike, so a "
                "plain MPNN is at chance (50%)", source=EXPRESSIVITY_SOURCE["wl-pairs"],
))
for _target, _about in (("triangle", "triangles"), ("4-cycle", "simple 4-cycles"),
                        ("5-path", "simple paths on 5 nodes (4 edges)")):
    register_task(TaskSpec(
        name=f"count-{_target.replace('-', '')}", track=TRACK, dataset=f"synthetic counting ({_target})",
        metric="mae", split="one split: graphs 0-999 train, 1000-1499 val, 1500-1999 test (i.i.d. graphs)",
        num_splits=1, split_sha256="", loader=partial(make_counting, _target),
        protocol=Protocol(seeds=3, max_epochs=300, patience=30), version=1, synthetic=True,
        description=f"2000 random graphs (10-25 nodes); regression of the number of {_about} in each graph, MAE "
                    "in counts; constant node features", source=EXPRESSIVITY_SOURCE["count"],
    ))
