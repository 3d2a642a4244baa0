"""Dataset loaders (installed as ``suite.datasets``).

Each loader returns a :class:`~suite.datasets.base.NodeDataset`: the full,
labelled graph plus its frozen splits. Only the runner sees it; methods get a
label-free view (see :mod:`suite.view`).

Real datasets are read through PyG's own classes from the suite's cache
(``NETARENA_CACHE``). Raw files are copied into the cache from the offline
mirror named by ``NETARENA_DATA_MIRROR`` when it has them (verified against
``manifest.json``), else PyG downloads them as usual.
"""

from suite.datasets.base import NodeDataset, Split

__all__ = ["NodeDataset", "Split"]
