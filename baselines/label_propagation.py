"""Label propagation (non-parametric): Zhu & Ghahramani 2002; Zhou et al. 2004 normalisation."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import LabelPropagation as LabelProp

from suite.method import register_method


@register_method(
    "label-propagation", kind="non-parametric",
    paper="Zhu & Ghahramani 2002 (CMU-CALD-02-107); Zhou et al. 2004 (NeurIPS), PyG LabelPropagation",
    defaults=dict(num_layers=50, alpha=0.9),
    grid=dict(num_layers=[50], alpha=[0.5, 0.9, 0.99]),
)
class LabelPropagation(torch.nn.Module):
    """Spreads the training labels over the graph; no parameters, no features. -> scores [N, C]."""

    def __init__(self, in_channels: int, out_channels: int, num_layers: int = 50, alpha: float = 0.9):
        super().__init__()
        self.prop = LabelProp(num_layers=num_layers, alpha=alpha)
        self.num_classes = out_channels

    def forward(self, data) -> torch.Tensor:
        y = torch.zeros(data.num_nodes, dtype=torch.long, device=data.edge_index.device)
        y[data.train_idx] = data.y_train
        mask = torch.zeros(data.num_nodes, dtype=torch.bool, device=y.device)
        mask[data.train_idx] = True
        return self.prop(F.one_hot(y, self.num_classes).float(), data.edge_index, mask=mask)
