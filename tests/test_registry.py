import pytest

from suite.errors import ConfigError, UnknownNameError
from suite.registry import METHODS, SUITES, TASKS

NODE_TASKS = {"cora", "citeseer", "pubmed", "cornell", "texas", "wisconsin", "actor", "chameleon",
              "csbm-h0.1", "csbm-h0.3", "csbm-h0.5", "csbm-h0.7", "csbm-h0.9"}
BASELINES = {"mlp", "gcn", "graphsage", "gat", "sgc", "appnp", "gcnii", "label-propagation"}


def test_node_track_tasks_and_baselines_are_registered():
    assert NODE_TASKS <= set(TASKS.names())
    assert BASELINES <= set(METHODS.names())
    assert "quick" in SUITES


def test_probe_methods_are_not_baselines():
    assert all(METHODS.get(m).kind != "probe" for m in BASELINES)
    assert METHODS.get("probe-alloc").cls.__module__ == "suite.testing"


@pytest.mark.parametrize("registry,typo,expected", [(TASKS, "corra", "cora"), (METHODS, "gcnn", "gcn"),
                                                    (METHODS, "GraphSage", None), (SUITES, "quik", "quick")])
def test_unknown_names_suggest_the_closest(registry, typo, expected):
    if expected is None:  # lookups are case-insensitive
        assert registry.get(typo).name == "graphsage"
        return
    with pytest.raises(UnknownNameError) as err:
        registry.get(typo)
    msg = str(err.value)
    assert "\n" not in msg and expected in msg and "did you mean" in msg and "netarena list" in msg


def test_every_task_declares_a_frozen_split_and_protocol():
    for t in TASKS:
        assert len(t.split_sha256) == 64 and t.num_splits >= 1 and t.version >= 1
        assert t.higher_is_better == (t.metric not in ("rmse", "mae"))  # errors: lower is better
        # Latency is measured with warm-up and many reps; the submit dry run's probe tasks only check a method runs.
        assert t.probe or (t.protocol.latency_reps >= 20 and t.protocol.latency_warmup >= 3)


def test_gcn_has_the_hyperparameters_of_its_paper():
    assert METHODS.get("gcn").defaults == dict(hidden=16, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200)


def test_config_overrides_are_validated_and_coerced():
    gcn = METHODS.get("gcn")
    assert gcn.resolve({"hidden": "64", "lr": "0.1"}) == {**gcn.defaults, "hidden": 64, "lr": 0.1}
    with pytest.raises(ConfigError, match="has no hyperparameter 'hiden'"):
        gcn.resolve({"hiden": 3})
    with pytest.raises(ConfigError, match="is not a int"):
        gcn.resolve({"hidden": "wide"})
