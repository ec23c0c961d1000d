"""Output sizes of torch's spatial primitives, on ints or SizeExprs alike.

Each function mirrors the formula torch uses (ATen's conv shape rule and
``pooling_output_shape_pad_lr`` in ATen/native/Pool.h); for an int it returns an int and
for a SizeExpr an exact SizeExpr. A result below 1 means torch rejects the input: callers
add ``Constraint.at_least(out, 1, origin)`` for each one.
"""

from __future__ import annotations

from archspec.symbolic.expr import IntOrExpr


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    return dilation * (kernel - 1) + 1


def window_out(
    size: IntOrExpr,
    kernel: int,
    stride: int = 1,
    pad_lo: int = 0,
    pad_hi: int | None = None,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> IntOrExpr:
    """Output length of a sliding window (conv, max/avg pool) along one axis.

    Floor mode: ⌊(n + pad_lo + pad_hi - eff)/stride⌋ + 1. Ceil mode adds stride - 1 to the
    numerator, then torch drops the last window when it would start at or past
    n + pad_lo; that correction is the same floor with a smaller offset (docs/symbolic.md).
    """
    pad_hi = pad_lo if pad_hi is None else pad_hi
    offset = pad_lo + pad_hi - effective_kernel(kernel, dilation)
    if ceil_mode:
        offset = _ceil_mode_offset(offset + stride - 1, pad_lo - 1, stride)
    return (size + offset) // stride + 1


def _ceil_mode_offset(ceil_offset: int, start_limit: int, stride: int) -> int:
    """Offset c' with ⌊(n + c')/s⌋ equal to torch's corrected ``outputSize - 1``.

    torch computes q = ⌊(n + a)/s⌋ and decrements it when q·s ≥ n + pad_lo, that is when
    q > ⌊(n + b)/s⌋ with b = pad_lo - 1. For a ≤ b that never happens; for b < a ≤ b + s
    the two floors differ by at most one, so the result is ⌊(n + b)/s⌋; beyond, always
    q - 1 = ⌊(n + a - s)/s⌋.
    """
    a, b = ceil_offset, start_limit
    return min(a, max(b, a - stride))


def conv_out(
    size: IntOrExpr,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> IntOrExpr:
    """torch.nn.Conv*d's output length (symmetric padding)."""
    return window_out(size, kernel, stride, padding, padding, dilation)


def pool_out(
    size: IntOrExpr,
    kernel: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> IntOrExpr:
    """torch.nn.MaxPool*d / AvgPool*d output length; stride defaults to the kernel."""
    stride = kernel if stride is None else stride
    return window_out(size, kernel, stride, padding, padding, dilation, ceil_mode)


def conv_transpose_out(
    size: IntOrExpr,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> IntOrExpr:
    """torch.nn.ConvTranspose*d's output length: (n-1)·s - 2p + d(k-1) + output_padding + 1."""
    return (size - 1) * stride - 2 * padding + effective_kernel(kernel, dilation) + output_padding


def upsample_out(size: IntOrExpr, scale: int) -> IntOrExpr:
    """torch.nn.Upsample with an integer scale_factor (any mode): n·scale."""
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ValueError(f"upsampling takes a positive integer scale here, not {scale!r}")
    return size * scale


def adaptive_out(size: IntOrExpr, output_size: int) -> int:
    """Adaptive pools (and resizes to a fixed size) produce `output_size` from any n ≥ 1."""
    return output_size


def global_pool_out(size: IntOrExpr) -> int:
    """Global pooling keeps one position."""
    return 1
