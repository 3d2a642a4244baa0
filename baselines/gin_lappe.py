"""GIN with Laplacian positional encodings: Dwivedi et al. 2020, "Benchmarking Graph Neural Networks"
(JMLR 2023), https://arxiv.org/abs/2003.00982, on GIN-0 (:mod:`suite.baselines.gin`)."""

import torch

from suite.baselines._graph import laplacian_pe
from suite.baselines.gin import DEFAULTS, GIN, GRID
from suite.errors import ConfigError
from suite.method import register_method


@register_method(
    "gin-lappe", kind="gnn",
    paper="Dwivedi, Joshi, Laurent, Bengio & Bresson 2020, Benchmarking Graph Neural Networks (JMLR 2023), "
          "https://arxiv.org/abs/2003.00982 (Laplacian PE); on GIN-0 (Xu et al. 2019)",
    defaults=dict(DEFAULTS, pe_dims=8), grid=dict(GRID, pe_dims=[8]), tracks=("graph",), size_key="hidden",
)
class GINLapPE(GIN):
    """GIN-0 with Laplacian positional encodings: [N, F] -> [B, C].

    ``pe_dims`` eigenvectors of each graph's normalised Laplacian
    (:func:`suite.baselines._graph.laplacian_pe`) are appended to ``x``, with
    a random sign per graph and eigenvector at each training forward (Dwivedi
    et al. flip per eigenvector across the batch). Computed afresh per batch
    by dense eigendecomposition, O(n^3) per graph: meant for small graphs.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 4,
                 dropout: float = 0.5, readout: str = "sum", pe_dims: int = 8):
        if pe_dims < 1:
            raise ConfigError(f"gin-lappe: pe_dims must be at least 1, got {pe_dims} (use gin for none)")
        super().__init__(in_channels + pe_dims, out_channels, hidden, layers, dropout, readout)
        self.pe_dims = pe_dims

    def node_features(self, batch, index: torch.Tensor, num_graphs: int) -> torch.Tensor:
        pe = laplacian_pe(batch.edge_index, index, num_graphs, self.pe_dims, flip=self.training)
        return torch.cat([batch.x, pe.to(batch.x.dtype)], dim=1)
