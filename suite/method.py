"""Method specs: how a method is declared, configured and built.

A method is an ``nn.Module`` class registered with :func:`register_method`.
Its constructor takes ``(in_channels, out_channels, **model_hparams)`` (and
``num_nodes=`` if it asks for it: transductive embeddings such as node2vec).
What ``forward`` takes and returns is the track's contract:

* ``node``: ``forward(data)`` with the label-free view
  (:func:`suite.view.node_view`) -> class scores [num_nodes, num_classes];
* ``link``: ``forward(data, pairs)`` with the training-graph view
  (:func:`suite.view.link_view`) and candidate pairs [2, P] -> one logit
  per pair [P]; ``out_channels`` is 1.

* ``function``, ``algorithmic``, ``sparsity``, ``tabular``: ``forward(x)``
  with a batch of rows [B, d] -> [B, num_outputs] (:class:`suite.objective.Supervised`);
* ``graph``: ``forward(batch)`` with a PyG ``Batch`` of whole graphs ->
  [num_graphs, num_outputs] (:class:`suite.objective.GraphLevel`).

``defaults`` holds every hyperparameter of its paper, including the loop's
(``lr``, ``weight_decay``, ``epochs``, ``batch_size`` of training edges or
rows, and optionally ``optimizer`` (adam | adamw | sgd, default adam) and
``betas``); ``grid`` declares the search space. The one shared loop
(:mod:`suite.loop`) trains every method. ``size_key`` names the
hyperparameter that sets a method's width, which the runner chooses under a
protocol's ``param_budget`` (:mod:`suite.budget`). A constructor may also
take any of :data:`CONTEXT_KEYS` by name (e.g. ``vocab_size`` for token
inputs, ``sparsity`` from the protocol).

A module may define ``param_groups(weight_decay)`` to place weight decay as its
paper does (e.g. GCN: first layer only); a module without trainable
parameters (label propagation) is evaluated once, untrained.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass, field

import torch

from suite.errors import ConfigError
from suite.registry import METHODS

# Hyperparameters the loop and objective use; every other one goes to the constructor.
OPTIMISER_KEYS = ("lr", "weight_decay", "epochs", "batch_size", "optimizer", "betas")
OPTIMIZERS = ("adam", "adamw", "sgd")
# Run facts a constructor may ask for by naming them: passed only to constructors that take them.
CONTEXT_KEYS = ("num_nodes", "vocab_size", "target", "sparsity", "edge_dim")


def config_hash(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    cls: type = field(repr=False)
    kind: str
    paper: str
    defaults: dict
    grid: dict
    tracks: tuple[str, ...] = ("node",)
    input_layout: str = "dense"
    description: str = ""
    minibatch: bool = False  # can train on neighbour-sampled subgraphs (a protocol with batch_nodes)
    size_key: str | None = None  # the width hyperparameter a parameter budget sets
    grid_declared: bool = False  # the registration gave a grid (a submission must: its tuning space is disclosed)
    authors: str = ""  # a submission's metadata, shown on the leaderboard beside its rows
    paper_url: str = ""
    code_url: str = ""

    def resolve(self, overrides: dict | None = None) -> dict:
        """Defaults with ``overrides`` applied; values are coerced to the default's type."""
        config = dict(self.defaults)
        for key, value in (overrides or {}).items():
            if key not in config:
                raise ConfigError(
                    f"method {self.name} has no hyperparameter {key!r}; it has: {', '.join(sorted(config))}"
                )
            default = config[key]
            try:
                if isinstance(value, str) and not isinstance(default, str):
                    value = json.loads(value.lower() if isinstance(default, bool) else value)
                if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
            except (ValueError, TypeError):
                raise ConfigError(f"{self.name}.{key}={value!r} is not a {type(default).__name__}") from None
            if default is not None and value is not None and type(value) is not type(default):
                raise ConfigError(f"{self.name}.{key}={value!r} is not a {type(default).__name__}")
            config[key] = value
        if isinstance(config.get("epochs"), int) and config["epochs"] < 1:
            raise ConfigError(f"{self.name}.epochs must be at least 1, got {config['epochs']}")
        return config

    def build(self, config: dict, in_channels: int, out_channels: int, **context) -> torch.nn.Module:
        """``cls(in_channels, out_channels, **hparams)``, plus those ``context`` facts
        (:data:`CONTEXT_KEYS`, e.g. ``num_nodes=``) the constructor names."""
        hparams = {k: v for k, v in config.items() if k not in OPTIMISER_KEYS}
        params = inspect.signature(self.cls).parameters
        hparams.update({k: v for k, v in context.items() if k in CONTEXT_KEYS and k in params})
        return self.cls(in_channels, out_channels, **hparams)

    def optimizer(self, model: torch.nn.Module, config: dict) -> torch.optim.Optimizer | None:
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            return None
        wd = config.get("weight_decay", 0.0)
        groups = model.param_groups(wd) if hasattr(model, "param_groups") else [{"params": params, "weight_decay": wd}]
        kind = config.get("optimizer", "adam")
        betas = tuple(config.get("betas") or (0.9, 0.999))
        if kind == "adam":
            return torch.optim.Adam(groups, lr=config["lr"], betas=betas)
        if kind == "adamw":  # decoupled weight decay (Loshchilov & Hutter), as Power et al. 2022 train
            return torch.optim.AdamW(groups, lr=config["lr"], betas=betas)
        if kind == "sgd":
            return torch.optim.SGD(groups, lr=config["lr"], momentum=0.9)
        raise ConfigError(f"method {self.name}: unknown optimizer {kind!r}; use one of {', '.join(OPTIMIZERS)}")

    def supports(self, track: str) -> bool:
        return track in self.tracks


def register_method(name: str, *, kind: str, paper: str, defaults: dict, grid: dict | None = None,
                    tracks: tuple[str, ...] = ("node",), input_layout: str = "dense", minibatch: bool = False,
                    size_key: str | None = None, authors: str = "", paper_url: str = "", code_url: str = ""):
    """Class decorator: register an ``nn.Module`` as method ``name``.

    The same decorator registers the built-in baselines and submitted methods
    (:mod:`suite.submission`); ``authors``, ``paper_url`` and ``code_url`` are
    a submission's metadata (a method defined outside ``suite`` is a submission).
    """

    def deco(cls):
        spec = MethodSpec(name=name, cls=cls, kind=kind, paper=paper, defaults=dict(defaults),
                          grid=dict(grid or {k: [v] for k, v in defaults.items()}), tracks=tuple(tracks),
                          input_layout=input_layout, description=(cls.__doc__ or "").strip().split("\n")[0],
                          minibatch=minibatch, size_key=size_key, grid_declared=grid is not None,
                          authors=authors, paper_url=paper_url, code_url=code_url)
        if size_key is not None and size_key not in spec.defaults:
            raise ValueError(f"method {name}: size_key {size_key!r} is not one of its hyperparameters")
        METHODS.register(name, spec)
        cls.spec = spec
        return cls

    return deco
