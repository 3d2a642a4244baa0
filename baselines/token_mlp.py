"""Token MLP: embed each token, concatenate, two ReLU hidden layers; the grokking track's attention-free baseline.

MLPs on embedded operands grok modular arithmetic too (Liu et al. 2022,
"Towards understanding grokking: an effective theory of representation
learning", https://arxiv.org/abs/2205.10343; Gromov 2023, "Grokking modular
arithmetic", https://arxiv.org/abs/2301.02679), and an MLP is the model of
Barak et al. 2022's sparse-parity experiments (https://arxiv.org/abs/2207.08799).
Trained like the transformer of Power et al. 2022
(https://arxiv.org/abs/2201.02177): AdamW, lr 1e-3, betas (0.9, 0.98),
batch 512, weight decay 1 (``token-mlp``) or 0 (``token-mlp-nowd``).
"""

import torch

from suite.method import register_method

PAPER = ("Liu et al. 2022, Towards understanding grokking, https://arxiv.org/abs/2205.10343; training as Power et "
         "al. 2022, https://arxiv.org/abs/2201.02177")
DEFAULTS = dict(embed=32, hidden=256, lr=1e-3, weight_decay=1.0, epochs=1_000_000, batch_size=512,
                optimizer="adamw", betas=[0.9, 0.98])


class TokenMLP(torch.nn.Module):
    """Token rows [B, L] -> [B, out_channels]: one shared embedding table (``vocab_size`` x ``embed``), the L
    embeddings concatenated [B, L * embed], then Linear-ReLU-Linear-ReLU-Linear (``hidden`` wide)."""

    def __init__(self, in_channels: int, out_channels: int, vocab_size: int | None = None, embed: int = 32,
                 hidden: int = 256):
        super().__init__()
        if vocab_size is None:
            raise ValueError("the token MLP reads int64 tokens: the dataset must set vocab_size")
        self.embed = torch.nn.Embedding(vocab_size, embed)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(in_channels * embed, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.ReLU(),
            torch.nn.Linear(hidden, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.embed(x.long()).flatten(1))


@register_method("token-mlp", kind="mlp", paper=PAPER, defaults=DEFAULTS, tracks=("algorithmic",), size_key="hidden")
class TokenMLPWD(TokenMLP):
    """Token MLP, AdamW weight decay 1."""


@register_method("token-mlp-nowd", kind="mlp", paper=PAPER, defaults=dict(DEFAULTS, weight_decay=0.0),
                 tracks=("algorithmic",), size_key="hidden")
class TokenMLPNoWD(TokenMLP):
    """Token MLP without weight decay."""
