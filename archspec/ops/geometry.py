"""The declarative parts of the primitive contract: port types and per-axis geometry.

A primitive's *geometry rule* says, for each spatial axis (H, W) of its primary input, how an
output position relates to input positions. It is pure data (immutable named tuples), so
every stage derives what it needs from the same description:

- :class:`Window`: a sliding window (conv, pools, explicit padding, slicing, subsampling);
- :class:`Transposed`: the inverse of a window (conv_transpose, max_unpool);
- :class:`Scale`: resampling by a factor, or to a fixed size (upsample);
- :class:`Adaptive`: adaptive pooling into a fixed number of bins;
- :class:`Keep`: position i of the output comes from position i of the input (pointwise);
- :class:`Mix`: every output position may depend on every input position (global pooling,
  flatten, dense layers, permutes across axes, attention, grid sampling).

:func:`out_size` maps an input size to an output size along one axis: the shape rules use it,
so it is the one source of truth for output sizes. The receptive-field pass, the lints and the
render labels read the same rules; nothing outside ``archspec/ops`` looks at an op's name or
parameter names to learn its geometry.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

# Named tuples, not frozen dataclasses: these seven classes as dataclasses cost 2.2 ms of every
# run's start-up (generated methods; python -X importtime on the 2-core CI box), as named
# tuples 0.4 ms. Nothing compares rules of different kinds, which tuples would equate.
PortType = Literal["float", "index"]
FLOAT: PortType = "float"
INDEX: PortType = "index"


class Ports(NamedTuple):
    """The type of each input and output port. For a variadic primitive the last input type
    repeats; ports past the end of ``outputs`` repeat its last type."""

    inputs: tuple[PortType, ...] = (FLOAT,)
    outputs: tuple[PortType, ...] = (FLOAT,)

    def input(self, index: int) -> PortType:
        return self.inputs[min(index, len(self.inputs) - 1)]

    def output(self, port: int) -> PortType:
        return self.outputs[min(port, len(self.outputs) - 1)]


FLOAT_PORTS = Ports()


class Window(NamedTuple):
    """Output unit i reads input units ``i·stride − pad_lo + j·dilation`` for ``j < kernel``.
    Negative padding crops (a slice)."""

    kernel: int
    stride: int = 1
    pad_lo: int = 0
    pad_hi: int = 0
    dilation: int = 1
    ceil_mode: bool = False

    @property
    def extent(self) -> int:
        """The effective kernel size ``d·(k−1)+1``."""
        return self.dilation * (self.kernel - 1) + 1


class Transposed(NamedTuple):
    """The inverse of ``window``: ``(H−1)·s − pad_lo − pad_hi + d·(k−1) + 1 + extra``
    (``extra`` is conv_transpose's output_padding, or max_unpool's chosen output size)."""

    window: Window
    extra: int = 0


class Scale(NamedTuple):
    """Resampling: ``floor(H·factor)``, or exactly ``size`` when it is given. ``taps`` input
    units contribute to one output unit (nearest 1, linear 2, cubic 4)."""

    factor: float = 1.0
    size: int | None = None
    taps: int = 1


class Adaptive(NamedTuple):
    """Adaptive pooling into ``bins`` bins (torch's bin edges floor(i·H/o), ceil((i+1)·H/o))."""

    bins: int


class Keep(NamedTuple):
    """Pointwise along this axis: same size, same positions."""


class Mix(NamedTuple):
    """Every output position depends on the whole axis. ``pooled``: the output is a pooled bag
    of local features (global pooling); otherwise positions are kept apart (flatten, dense)."""

    pooled: bool = False


AxisRule = Window | Transposed | Scale | Adaptive | Keep | Mix
Geometry = tuple[AxisRule, AxisRule]   # (H, W) of the primary input
KEEP: Geometry = (Keep(), Keep())
MIX: Geometry = (Mix(), Mix())
POOLED: Geometry = (Mix(pooled=True), Mix(pooled=True))


def window_out(w: Window, size: int) -> int:
    """torch's Conv/Pool output size along one axis (ceil_mode as in MaxPool2d)."""
    span = size + w.pad_lo + w.pad_hi - w.extent
    if w.ceil_mode:
        out = -(-span // w.stride) + 1
        if (out - 1) * w.stride >= size + w.pad_lo:  # last window must start inside the input
            out -= 1
        return out
    return span // w.stride + 1


def out_size(rule: AxisRule, size: int) -> int | None:
    """The output size along one axis for input ``size``; None for :class:`Mix` (the axis
    does not map to an output axis of its own)."""
    if isinstance(rule, Window):
        return window_out(rule, size)
    if isinstance(rule, Transposed):
        w = rule.window
        return (size - 1) * w.stride - w.pad_lo - w.pad_hi + w.extent + rule.extra
    if isinstance(rule, Scale):
        return rule.size if rule.size is not None else math.floor(size * rule.factor)
    if isinstance(rule, Adaptive):
        return rule.bins
    if isinstance(rule, Keep):
        return size
    return None


def spatial_size(geometry: Geometry, hw: tuple[int, ...]) -> tuple[int | None, int | None]:
    """Output (H, W) of ``geometry`` for an input of spatial size ``hw``."""
    return out_size(geometry[0], hw[0]), out_size(geometry[1], hw[1])
