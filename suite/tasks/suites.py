"""The named sweeps."""

from suite.suite_spec import SuiteSpec, register_suite

register_suite(SuiteSpec(
    name="quick",
    description="node track: every task whose data is on this machine (CSBM always), every baseline, 3 seeds; "
                "GCNII at 16 layers (its paper's 64 take ~3 min per Cora run on 2 CPU cores)",
    track="node",
    tasks=("*",),
    methods=("*",),
    seeds=3,
    method_overrides={"gcnii": {"layers": 16}},
))

register_suite(SuiteSpec(
    name="smoke",
    description="two CSBM tasks, GCN and MLP, 1 seed, 20 epochs: a end-to-end check in seconds",
    track="node",
    tasks=("csbm-h0.1", "csbm-h0.9"),
    methods=("gcn", "mlp"),
    seeds=1,
    method_overrides={"gcn": {"epochs": 20}, "mlp": {"epochs": 20}},
))
