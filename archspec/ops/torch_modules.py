"""torch code behind the few primitives torch has no direct call for.

Only lowerings import this module (it imports torch at the top), so ``check``, ``audit`` and
``render`` never load torch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def affine_grid(theta: Tensor, like: Tensor, align_corners: bool) -> Tensor:
    """F.affine_grid for theta of shape (N, 2, 3) or (N, 6) at the size of ``like``."""
    return F.affine_grid(theta.reshape(-1, 2, 3), list(like.shape), align_corners=align_corners)


def _lecun_uniform_(tensor: Tensor, fan_in: int) -> None:
    """LeCun 1998 (appendix C): weights uniform in ±2.4 / fan-in."""
    nn.init.uniform_(tensor, -2.4 / fan_in, 2.4 / fan_in)


class TableConv2d(nn.Module):
    """A valid, stride-1 convolution where output map o sees only the input maps ``table[o]``.

    ``weight`` holds one kh×kw kernel per connection (sum of the row lengths), so only real
    connections are trainable; forward scatters them into a dense kernel and calls F.conv2d.
    """

    def __init__(self, in_channels: int, table: tuple[tuple[int, ...], ...],
                 kernel_size: tuple[int, int], bias: bool = True):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, len(table)
        self.kernel_size = kernel_size
        self.table = table
        rows = [o * in_channels + i for o, row in enumerate(table) for i in row]
        self.register_buffer("index", torch.tensor(rows), persistent=False)
        self.weight = nn.Parameter(torch.empty(len(rows), *kernel_size))
        self.bias = nn.Parameter(torch.empty(len(table))) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        kh, kw = self.kernel_size
        start = 0
        for o, row in enumerate(self.table):
            fan_in = len(row) * kh * kw
            with torch.no_grad():
                _lecun_uniform_(self.weight[start:start + len(row)], fan_in)
                if self.bias is not None:
                    _lecun_uniform_(self.bias[o:o + 1], fan_in)
            start += len(row)

    def dense_weight(self) -> Tensor:
        """The full out×in×kh×kw kernel, zero where the table has no connection."""
        zeros = self.weight.new_zeros(self.out_channels * self.in_channels, *self.kernel_size)
        dense = zeros.index_copy(0, self.index, self.weight)
        return dense.view(self.out_channels, self.in_channels, *self.kernel_size)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.dense_weight(), self.bias)


class LeNetPool2d(nn.Module):
    """LeNet's trainable subsampling: window sum × weight[c] + bias[c], stride = kernel."""

    def __init__(self, channels: int, kernel_size: tuple[int, int]):
        super().__init__()
        self.channels = channels  # kept so export_python can rebuild the layer
        self.kernel_size = kernel_size
        self.weight = nn.Parameter(torch.empty(channels))
        self.bias = nn.Parameter(torch.empty(channels))
        fan_in = kernel_size[0] * kernel_size[1]
        _lecun_uniform_(self.weight.data, fan_in)
        _lecun_uniform_(self.bias.data, fan_in)

    def forward(self, x: Tensor) -> Tensor:
        summed = F.avg_pool2d(x, self.kernel_size, divisor_override=1)
        return torch.addcmul(self.bias[:, None, None], summed, self.weight[:, None, None])


class RBF(nn.Module):
    """Euclidean RBF units: ``y_i = sum_j (x_j - prototypes[i, j])^2`` with fixed prototypes."""

    def __init__(self, prototypes: list[list[float]]):
        super().__init__()
        self.register_buffer("prototypes", torch.tensor(prototypes))

    def forward(self, x: Tensor) -> Tensor:
        return (x.unsqueeze(-2) - self.prototypes).square().sum(-1)
