"""The named sweeps."""

from suite.suite_spec import SuiteSpec, register_suite

register_suite(SuiteSpec(
    name="quick",
    description="node and link tracks, every task whose data is here (synthetic CSBM/SBM always) x every "
                "baseline x 3 seeds, under a short budget (max 200 epochs, patience 50; ranked apart from "
                "full-protocol rows); GCNII at 8 layers (its paper's 64 take ~3 min per Cora run on 2 CPU "
                "cores), node2vec at 40 epochs and NCN at 100",
    tracks=("node", "link"),
    tasks=("*",),
    methods=("*",),
    seeds=3,
    method_overrides={"gcnii": {"layers": 8}, "node2vec": {"epochs": 40}, "ncn": {"epochs": 100}},
    protocol={"max_epochs": 200, "patience": 50},
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
