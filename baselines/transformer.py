"""Decoder-only transformer on token rows, as trained in the grokking paper.

Power et al. 2022, "Grokking: generalization beyond overfitting on small
algorithmic datasets", https://arxiv.org/abs/2201.02177: a causal transformer
(width 128, 4 heads, no dropout) reads the equation ``a op b =`` and predicts
the answer at ``=``; AdamW, lr 1e-3, betas (0.9, 0.98), weight decay 1,
batch 512. Weight decay is what makes the validation accuracy jump long
after the training set is fitted; the ``-nowd`` variants (weight decay 0)
are the paper's control. The paper's 10-step learning-rate warm-up is left
out: the suite's optimiser has a constant rate.
"""

import torch

from suite.method import register_method

PAPER = ("Power et al. 2022, Grokking: generalization beyond overfitting on small algorithmic datasets, "
         "https://arxiv.org/abs/2201.02177")
GROKKING = dict(width=128, heads=4, mlp=512, lr=1e-3, weight_decay=1.0, epochs=1_000_000, batch_size=512,
                optimizer="adamw", betas=[0.9, 0.98])


class Transformer(torch.nn.Module):
    """Token rows [B, L] -> logits [B, out_channels] read at the final ``=`` position.

    The model embeds the row's tokens (``vocab_size`` of them) plus two of its
    own: ``op``, placed between the operands of a binary operation (L = 2), as
    in ``a op b =``, and ``=``, appended to every row. Learned positions,
    ``layers`` pre-norm blocks of causal self-attention and a ReLU MLP, a
    final LayerNorm, and a linear head from the last position: class logits
    or ``k`` bit logits alike.
    """

    def __init__(self, in_channels: int, out_channels: int, vocab_size: int | None = None, layers: int = 1,
                 width: int = 128, heads: int = 4, mlp: int = 512):
        super().__init__()
        if vocab_size is None:
            raise ValueError("the transformer reads int64 tokens: the dataset must set vocab_size")
        self.op, self.eq = vocab_size, vocab_size + 1
        self.binary = in_channels == 2
        length = in_channels + (2 if self.binary else 1)
        self.embed = torch.nn.Embedding(vocab_size + 2, width)
        self.pos = torch.nn.Parameter(torch.randn(length, width) * 0.02)
        block = torch.nn.TransformerEncoderLayer(width, heads, mlp, dropout=0.0, activation="relu",
                                                 batch_first=True, norm_first=True)
        self.blocks = torch.nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(width)
        self.head = torch.nn.Linear(width, out_channels)
        self.register_buffer("mask", torch.nn.Transformer.generate_square_subsequent_mask(length), persistent=False)

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Tokens [B, L] -> the model's sequence [B, L + 1] (``x =``) or [B, 4] (``a op b =``)."""
        eq = x.new_full((x.size(0), 1), self.eq)
        if self.binary:
            return torch.cat([x[:, :1], x.new_full((x.size(0), 1), self.op), x[:, 1:], eq], dim=1)
        return torch.cat([x, eq], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq = self.sequence(x.long())
        h = self.embed(seq) + self.pos[:seq.size(1)]
        h = self.blocks(h, mask=self.mask, is_causal=True)
        return self.head(self.norm(h[:, -1]))


@register_method("transformer-1l", kind="transformer", paper=PAPER, defaults=dict(GROKKING, layers=1),
                 tracks=("algorithmic",))
class Transformer1L(Transformer):
    """One-layer causal transformer, AdamW weight decay 1."""


@register_method("transformer-2l", kind="transformer", paper=PAPER, defaults=dict(GROKKING, layers=2),
                 tracks=("algorithmic",))
class Transformer2L(Transformer):
    """Two-layer causal transformer (the paper's model), AdamW weight decay 1."""


@register_method("transformer-1l-nowd", kind="transformer", paper=PAPER,
                 defaults=dict(GROKKING, layers=1, weight_decay=0.0), tracks=("algorithmic",))
class Transformer1LNoWD(Transformer):
    """One-layer causal transformer without weight decay (the paper's control: no grokking)."""


@register_method("transformer-2l-nowd", kind="transformer", paper=PAPER,
                 defaults=dict(GROKKING, layers=2, weight_decay=0.0), tracks=("algorithmic",))
class Transformer2LNoWD(Transformer):
    """Two-layer causal transformer without weight decay (the paper's control: no grokking)."""
