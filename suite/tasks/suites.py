"""The named sweeps."""

from suite.suite_spec import SuiteSpec, register_suite

QUICK = {"max_epochs": 200, "patience": 50}
QUICK_GRAPH = {"trials": 2, "max_epochs": 30, "patience": 10, "variant": "quick"}  # = suite.tasks.graph.QUICK_VARIANT

# One small cell per track beyond graphs, 3 seeds each: the quick suite shows every family without their full cost.
QUICK_CELLS = (
    SuiteSpec(name="quick-function", description="KAN vs MLP on exp(sin(pi x) + y^2) at 300 parameters",
              tracks=("function",), tasks=("fn-exp-sin",), methods=("mlp-relu", "kan"), seeds=3,
              protocol={**QUICK, "param_budget": 300}),
    SuiteSpec(name="quick-algorithmic", description="a token MLP grokking (a + b) mod 97 from half the table, and "
                                                    "learning sparse parity",
              tracks=("algorithmic",), tasks=("mod-add-97-f0.5", "sparse-parity-30-3"), methods=("token-mlp",),
              seeds=3),
    SuiteSpec(name="quick-sparsity", description="dense vs random pruning vs IMP with rewinding at 90% on digits",
              tracks=("sparsity",), tasks=("sparsity-digits",), methods=("dense", "random-pruning", "imp-rewind"),
              seeds=3, protocol={"sparsity": 0.9}),
    SuiteSpec(name="quick-graph", description="the graph track's quick variants: GIN, the structure-"
                                              "agnostic baseline and the WL kernel under Errica et al.'s nested CV "
                                              "on MUTAG (2 configurations, 30 epochs)",
              tracks=("graph",), tasks=("tu-mutag",), methods=("gin", "deepsets", "wl-kernel"), seeds=10,
              protocol=QUICK_GRAPH),
    SuiteSpec(name="quick-expressivity", description="GIN vs GIN with Laplacian positional encodings on 2 folds of "
                                                     "CSL (1-WL-indistinguishable graphs: chance is 10%)",
              tracks=("graph",), tasks=("csl",), methods=("gin", "gin-lappe"), seeds=2, protocol={"max_epochs": 100, "patience": 30}),
    SuiteSpec(name="quick-tabular", description="every tabular method on wine and breast cancer",
              tracks=("tabular",), tasks=("tab-wine", "tab-breast-cancer"), methods=("*",), seeds=3, protocol=QUICK),
)

register_suite(SuiteSpec(
    name="quick",
    description="node and link tracks, every task whose data is here (synthetic CSBM/SBM always) x every "
                "baseline x 3 seeds, under a short budget (max 200 epochs, patience 50; ranked apart from "
                "full-protocol rows); GCNII at 8 layers (its paper's 64 take ~3 min per Cora run on 2 CPU "
                "cores), node2vec at 40 epochs and NCN at 100; plus one small cell per other track: "
                + "; ".join(c.description for c in QUICK_CELLS),
    tracks=("node", "link"),
    tasks=("*",),
    methods=("*",),
    seeds=3,
    method_overrides={"gcnii": {"layers": 8}, "node2vec": {"epochs": 40}, "ncn": {"epochs": 100}},
    protocol=QUICK,
    parts=QUICK_CELLS,
))

register_suite(SuiteSpec(
    name="smoke",
    description="two CSBM node tasks (GCN, MLP) and the SBM link task (GAE, common neighbours), 1 seed, "
                "20 epochs: an end-to-end check in seconds",
    tracks=("node", "link"),
    tasks=("csbm-h0.1", "csbm-h0.9", "link-sbm"),
    methods=("gcn", "mlp", "gae-gcn", "common-neighbors"),
    seeds=1,
    protocol={"max_epochs": 20, "patience": 20},
))

register_suite(SuiteSpec(
    name="large",
    description="the large synthetic CSBM graphs (10k, 100k nodes full-batch; 1M nodes with neighbour-sampled "
                "mini-batches) x the methods that can train on sampled subgraphs (MLP, GCN, GraphSAGE), 3 seeds",
    tracks=("node",),
    tasks=("csbm-10k", "csbm-100k", "csbm-1m"),
    methods=("mlp", "gcn", "graphsage"),
    seeds=3,
))

# The tracks beyond graphs, full protocol (each task's own seeds, budgets and variants).
register_suite(SuiteSpec(
    name="function", description="function fitting: 10 tasks x MLP (ReLU, SiLU), KAN, FAN, RFF-MLP x 4 parameter "
                                 "budgets x 3 seeds (test RMSE vs parameters: leaderboard/function-scaling.md)",
    tracks=("function",), tasks=("*",), methods=("*",), seeds=3))
register_suite(SuiteSpec(
    name="sparsity", description="lottery tickets: digits and teacher-student x dense, random, one-shot magnitude, "
                                 "IMP with rewinding x sparsity 50/80/90/95% x 3 seeds",
    tracks=("sparsity",), tasks=("*",), methods=("*",), seeds=3))
register_suite(SuiteSpec(
    name="tabular", description="scikit-learn's bundled tables x linear, k-NN, boosted trees, MLP, Hopfield x 5 seeds",
    tracks=("tabular",), tasks=("*",), methods=("*",), seeds=5))
register_suite(SuiteSpec(
    name="algorithmic", description="grokking and algorithmic tasks x one- and two-layer transformers and token "
                                    "MLPs, with and without weight decay, 3 seeds (the 30%% modular tasks' 30,000-step "
                                    "budgets make this the slowest suite: tens of CPU-hours)".replace("%%", "%"),
    tracks=("algorithmic",), tasks=("*",), methods=("*",), seeds=3))

# The graph-level track.
ERRICA_TASKS = ("tu-nci1", "tu-proteins", "tu-enzymes", "tu-dd", "tu-imdb-b", "tu-imdb-m", "tu-reddit-b")
register_suite(SuiteSpec(
    name="errica", description="Errica et al. 2020's comparison: 7 TU datasets x GIN, GraphSAGE and the structure-"
                               "agnostic baseline under nested 10-fold CV (4 configurations per fold, winner retrained "
                               "3x); hours of CPU: run with --workers",
    tracks=("graph",), tasks=ERRICA_TASKS, methods=("gin", "graph-sage", "deepsets"), seeds=10))
register_suite(SuiteSpec(
    name="graph", description="the graph track: every TU and MoleculeNet task not marked large and the "
                              "expressiveness tasks x every graph method, each task's own protocol",
    tracks=("graph",), tasks=("*",), methods=("*",), seeds=None))
register_suite(SuiteSpec(
    name="expressivity", description="CSL, the EXP-style 1-WL-indistinguishable pairs and substructure counting x "
                                     "GIN, GIN+RNI, GIN+LapPE, GatedGCN, GPS and the WL kernel",
    tracks=("graph",), tasks=("csl", "wl-pairs", "count-triangle", "count-4cycle", "count-5path"),
    methods=("gin", "gin-rni", "gin-lappe", "gated-gcn", "gps", "wl-kernel"), seeds=None))
