"""The named sweeps."""

from suite.suite_spec import SuiteSpec, register_suite

register_suite(SuiteSpec(
    name="quick",
    description="node track, every task whose data is here (CSBM always) x every baseline x 3 seeds, under a "
                "short budget (max 200 epochs, patience 50; ranked apart from full-protocol rows) and GCNII at "
                "8 layers (its paper's 64 take ~3 min per Cora run on 2 CPU cores): about 20 min on 2 cores",
    track="node",
    tasks=("*",),
    methods=("*",),
    seeds=3,
    method_overrides={"gcnii": {"layers": 8}},
    protocol={"max_epochs": 200, "patience": 50},
))

register_suite(SuiteSpec(
    name="smoke",
    description="two CSBM tasks, GCN and MLP, 1 seed, 20 epochs: an end-to-end check in seconds",
    track="node",
    tasks=("csbm-h0.1", "csbm-h0.9"),
    methods=("gcn", "mlp"),
    seeds=1,
    protocol={"max_epochs": 20, "patience": 20},
))
