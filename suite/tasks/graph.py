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
    "tu-mutag": ("MUTAG", "attributes", False, "55ebf4ed3735f2ea44463f625b77cd90f9980261bd0b0155528cee004227e16d", "188 nitroaromatic compounds, mutagenic or not"),
    "tu-ptc-mr": ("PTC_MR", "attributes", False, "57a0a068212f7c9c591e0562becd4061aa74430ef387b7bd2902aa18c547c2c4", "344 compounds, carcinogenic in male rats or not"),
    "tu-enzymes": ("ENZYMES", "attributes", False, "a4fd81599dac7b5d81aa2ba62c3043999e701bf1c19a1841ca9e6019c4687474", "600 protein tertiary structures, 6 EC top-level classes"),
    "tu-proteins": ("PROTEINS", "attributes", False, "029ac541067489ee2dbb6922c929428324b66bd61f79d10ca491d94830218517", "1113 proteins, enzyme or not"),
    "tu-nci1": ("NCI1", "attributes", False, "9c0de95a4424ffd97cd0b0be5b87e972b67c3e2347ac0afc642d61795d84c3f7", "4110 compounds screened against non-small-cell lung cancer"),
    "tu-nci109": ("NCI109", "attributes", False, "23305de5e6be925b3a2d58bcf49d7ff219ac9c707841920e980de4941d77ac5c", "4127 compounds screened against ovarian cancer"),
    "tu-dd": ("DD", "attributes", True, "52f96c8ae7e2834410743730a91d9137f8bd72f33e73f92fbefed65721e6166b", "1178 protein structures (284 nodes on average), enzyme or not"),
    "tu-imdb-b": ("IMDB-BINARY", "degree", False, "2cedaa09887b58972a23b8584622e9099e3049f97a56ab6a229ddd44f709e64c", "1000 actor ego-networks, action or romance"),
    "tu-imdb-m": ("IMDB-MULTI", "degree", False, "65e15ca6ac56342d18eeae9fb7a13de4fa9c2f4e7114022347a4f2dd4d6db3fd", "1500 actor ego-networks, 3 genres"),
    "tu-reddit-b": ("REDDIT-BINARY", "degree", True, "32e26c3c65842e87f47a239866ddb32d245224a0e577890f95da6bb2c7190b2e", "2000 Reddit threads (430 nodes on average), Q&A or "
                                                           "discussion"),
    "tu-collab": ("COLLAB", "degree", True, "5d68407fc00a8eb0ee10b9899b62c8b6ac9441863820d718dcc7aa942f1c3d33", "5000 physicist ego-networks, 3 fields"),
}
FEATURES = {"attributes": "the dataset's node labels (one-hot) and continuous attributes where it has them",
            "degree": "one-hot node degree capped at 64 (social graphs have no node features)"}

for _task, (_name, _features, _large, _hash, _about) in TU.items():
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"TUDataset/{_name}", metric="accuracy",
        split=TU_SPLIT.format(file=f"tu-{_name.lower()}"), num_splits=10, split_sha256=_hash,
        loader=partial(load_tu, _name, _features), protocol=ERRICA, version=1, large=_large,
        description=f"{_about}; node features: {FEATURES[_features]}", source=TU_SOURCE,
    ))

MOL_SOURCE = ("MoleculeNet (Wu et al. 2018, https://arxiv.org/abs/1703.00564) via PyG's MoleculeNet (RDKit); "
              "scaffold split as Hu et al. 2020, https://arxiv.org/abs/1905.12265")
MOL_SPLIT = ("deterministic Bemis-Murcko scaffold split 80/10/10 (largest scaffold groups to train first); "
             "stored in datasets/splits/{file}.json")
MOLECULES = {
    # task: (PyG name, metric, large, split SHA-256, description)
    "mol-esol": ("ESOL", "rmse", False, "2dd4949394d00b9abca8a5b4170384b7764d551430499a85b9d918f21b4def4d", "1128 molecules, log aqueous solubility (mol/L)"),
    "mol-freesolv": ("FreeSolv", "rmse", False, "747af2dec8f1405f75a23a46367093ff12b79494ee96d31d104384abd579b049", "642 molecules, hydration free energy (kcal/mol)"),
    "mol-lipo": ("Lipo", "rmse", False, "b1ad7df2599d7a235ea630fd2073eb0229f8f80e38bdd01b43a92baafdd8e85f", "4200 molecules, octanol/water distribution coefficient (logD)"),
    "mol-bbbp": ("BBBP", "roc_auc", False, "9be53313e98eb17eaa17f57cb7b9a65daa573d52508900699ee4210d4f1ceb2c", "2039 molecules, blood-brain barrier penetration"),
    "mol-bace": ("BACE", "roc_auc", False, "b5aa83cf20a5fdbab58d0a274f9831f0429db717dfb04a80144e4bd5c8c2e574", "1513 molecules, BACE-1 inhibition"),
    "mol-tox21": ("Tox21", "roc_auc", False, "e02e04b780b336bae091be6fedd5ae3294268d801ff686bb88bd132bb3ac45b4", "7831 molecules, 12 toxicity assays with missing labels"),
    "mol-hiv": ("HIV", "roc_auc", True, "9d6e86b0efcd2793b1f8c6cc02628d2427a7e7ffc9a0fcebb6a033bbd1976614", "41127 molecules, HIV replication inhibition"),
}
MOLECULE_PROTOCOL = Protocol(seeds=3, max_epochs=100, patience=20)
for _task, (_name, _metric, _large, _hash, _about) in MOLECULES.items():
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"MoleculeNet/{_name}", metric=_metric,
        extra_metrics=("mae",) if _metric == "rmse" else (),
        split=MOL_SPLIT.format(file=f"mol-{_name.lower()}"), num_splits=1, split_sha256=_hash,
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
    num_splits=5, split_sha256="3483546d609a0b6c52494723cd1e9030c93d7318fa7080f3d19ae655ea31ad2c", loader=load_csl, protocol=Protocol(seeds=5, max_epochs=300, patience=50),
    version=1, description="150 circular skip-link graphs (41 nodes, 4-regular), 10 isomorphism classes by skip "
                           "length; constant node features, so 1-WL (and every plain MPNN) sees all graphs alike: "
                           "chance is 10%", source=EXPRESSIVITY_SOURCE["csl"],
))
register_task(TaskSpec(
    name="wl-pairs", track=TRACK, dataset="synthetic 3-regular pairs", metric="accuracy",
    split="5 stratified folds over pairs (a pair never straddles two parts; seed 0); seed s uses fold s mod 5",
    num_splits=5, split_sha256="6892d5f54fb72c02dbc25599de98b486686b6841b5ccddb1d126d513d513eab8",
    data_sha256="b02fe33a8ed4293cd1218929fd26153a8fcec6e8108d0347540d861d23563704", loader=make_wl_pairs, protocol=Protocol(seeds=5, max_epochs=300, patience=50),
    # Version 2: the graph with triangles is a truncated cubic graph (every node on a triangle); version 1's
    # random cubic graph had one or two triangles, too sparse a signal for random node features to learn.
    version=2, synthetic=True,
    description="300 pairs of cubic (3-regular) graphs on the same number of nodes (12-30): a truncated cubic "
                "graph, every node on a triangle (label 1), and a triangle-free one (label 0); constant node "
                "features: 1-WL colours both graphs of a pair alike, so a plain MPNN is at chance (50%)",
    source=EXPRESSIVITY_SOURCE["wl-pairs"],
))
COUNT_DATA_SHA256 = {"triangle": "6b309a227f668cae71e0c1e0eea5879111689a94572c8c505a700b2da4ef7b9b",
                     "4-cycle": "4376b5c5502a508eb026febe0d7ee80f9aa0ba130f2cb2150e834fc2ed4667f8",
                     "5-path": "c01560d1f81c99a6087a0fe522edee9eed40413cd5f738a5a88445a12c36876b"}
for _target, _about in (("triangle", "triangles"), ("4-cycle", "simple 4-cycles"),
                        ("5-path", "simple paths on 5 nodes (4 edges)")):
    register_task(TaskSpec(
        name=f"count-{_target.replace('-', '')}", track=TRACK, dataset=f"synthetic counting ({_target})",
        metric="mae", split="one split: graphs 0-999 train, 1000-1499 val, 1500-1999 test (i.i.d. graphs)",
        num_splits=1, split_sha256="9b08c52902209cd371f4888ac46a791f6e86238db6ae4c9b743fd1ffc7b6fe38",
        data_sha256=COUNT_DATA_SHA256[_target], loader=partial(make_counting, _target),
        protocol=Protocol(seeds=3, max_epochs=300, patience=30), version=1, synthetic=True,
        description=f"2000 random graphs (10-25 nodes); regression of the number of {_about} in each graph, MAE "
                    "in counts; constant node features", source=EXPRESSIVITY_SOURCE["count"],
    ))
