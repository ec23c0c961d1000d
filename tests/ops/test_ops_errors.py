"""Shape rules reject bad operands and arguments with ShapeError / ArgumentError, a clear
message and a hint."""

from __future__ import annotations

import pytest
from op_harness import build

from archspec.errors import ArgumentError, ShapeError, SpecTypeError

C = (6, 7, 9)

CASES = [
    # (op, input shapes, args, kwargs, error class, message, hint fragment or None)
    ("conv", [C], (8, 3), {"g": 4}, ShapeError,
     "conv: input channels 6 are not divisible by groups=4", "divides 6"),
    ("conv", [(6, 2, 2)], (8, 3), {}, ShapeError,
     "conv kernel 3×3 (effective 3) is larger than the padded input 2 along H", "add padding"),
    ("conv_transpose", [C], (4, 3), {"s": 2, "output_padding": 2}, ArgumentError,
     "conv_transpose: output_padding 2 must be smaller than the stride (2) or the dilation (1)",
     "stride"),
    ("deform_conv", [C, (16, 7, 9)], (4, 3), {"p": 1}, ShapeError,
     "deform_conv: offset must be 18×7×9, got 16×7×9", "conv(18, ...)"),
    ("deform_conv", [C, (18, 4, 5)], (4, 3), {"p": 1}, ShapeError,
     "deform_conv: offset must be 18×7×9, got 18×4×5", "output resolution"),
    ("deform_conv", [C, (36, 7, 9), (9, 7, 9)], (4, 3), {"p": 1, "offset_groups": 2},
     ShapeError, "deform_conv: mask must be 18×7×9, got 9×7×9", "sigmoid"),
    ("deform_conv", [C, C, C, C], (4, 3), {}, ShapeError,
     "deform_conv takes 2 or 3 inputs (x, offset[, mask]), got 4", None),
    ("deform_conv", [C, (72, 7, 9)], (4, 3), {"p": 1, "offset_groups": 4}, ShapeError,
     "deform_conv: input channels 6 are not divisible by offset_groups=4", None),
    ("table_conv", [(6, 14, 14)], (15, 5), {}, ArgumentError,
     "table_conv: the table has 16 rows but out=15", "one list"),
    ("table_conv", [(3, 9, 9)], (2, 3), {"table": [[0, 3], [1]]}, ShapeError,
     "table_conv: row 0 [0, 3] must list distinct input channels in 0..2", None),
    ("bn", [(1, 2, 3, 4)], (), {}, ShapeError,
     "bn expects a C, C×L or C×H×W input, got 1×2×3×4", None),
    ("group_norm", [C], (4,), {}, ShapeError,
     "group_norm: 6 channels are not divisible by groups=4", "divides 6"),
    ("layer_norm", [C], (), {"dims": 0}, ArgumentError,
     ("layer_norm: dims 0 must be the trailing dims of 6×7×9 (torch.nn.LayerNorm normalises the "
     "last dims)"), "permute"),
    ("prelu", [C], (3,), {}, ArgumentError, "prelu: channels must be 1 or 'all', got 3", "'all'"),
    ("softmax", [C], (3,), {}, ArgumentError,
     "softmax: dim=3 is out of range for a rank-3 input", "0 is the channel dim"),
    ("maxpool", [C], (3,), {"p": 2}, ArgumentError,
     "maxpool: padding 2 must be between 0 and half the kernel (1 for kernel 3)", "kernel // 2"),
    ("maxpool", [(6, 2, 2)], (3,), {}, ShapeError,
     "maxpool kernel 3×3 (effective 3) is larger than the padded input 2 along H", None),
    ("maxpool", [(5,)], (2,), {}, ShapeError, "maxpool expects a C×H×W input, got 5", None),
    ("max_unpool", [C, (6, 7, 8)], (2,), {}, ShapeError,
     "max_unpool: indices 6×7×8 must have the input's shape 6×7×9", "return_indices"),
    ("max_unpool", [C, C], (2,), {"output_size": (16, 18)}, ShapeError,
     "max_unpool: output_size 16×18 is impossible; H must be between 13 and 15", "max-pooled"),
    ("mean", [C], ((),), {}, ArgumentError, "mean: dims is empty", None),
    ("linear", [()], (4,), {}, ShapeError,
     "linear needs at least one non-batch dim, got a scalar", None),
    ("matmul", [(4, 5), (6, 3)], (), {}, ShapeError,
     "matmul: inner dims differ: 4×5 @ 6×3 (5 != 6)", "transpose"),
    ("matmul", [(5,), (5, 3)], (), {}, ShapeError,
     "matmul needs operands of rank >= 2 (without batch), got 5 @ 5×3", None),
    ("matmul", [(2, 4, 5), (3, 5, 3)], (), {}, ShapeError,
     "matmul: leading dims do not broadcast: 2×4×5 @ 3×5×3", None),
    ("rbf", [(80,)], (10,), {}, ShapeError,
     "rbf prototypes='lenet' are 10 digits of 7×12 = 84 pixels; got out=10 on 80 features",
     "binary"),
    ("rbf", [C], (10,), {}, ShapeError, "rbf expects a vector input, got 6×7×9", "flatten"),
    ("concat", [C, (2, 7, 8), (3, 7, 9)], (), {}, ShapeError,
     "concat along dim 0: the other dims (1, 2) must match, got [6×7×9, 2×7×8, 3×7×9]",
     "spatial size"),
    ("concat", [C, (7, 9)], (), {}, ShapeError,
     "concat: operands have different ranks: [6×7×9, 7×9]", None),
    ("add", [C, (6, 7, 8)], (), {}, ShapeError,
     "add: shapes do not match: [6×7×9, 6×7×8]", "1 in all"),
    ("mul", [C, (6,)], (), {}, ShapeError, "mul: operands have different ranks: [6×7×9, 6]",
     "C×1×1"),
    ("flatten", [C], (2, 1), {}, ArgumentError, "flatten: end (1) comes before start (2)", None),
    ("reshape", [C], ((5, -1),), {}, ShapeError,
     "reshape: 6×7×9 (378 elements) cannot be viewed as [5, -1]", "multiple of 5"),
    ("reshape", [C], ((-1, -1),), {}, ArgumentError,
     "reshape: shape [-1, -1] may hold positive sizes and at most one -1", None),
    ("reshape", [C], ((6, 7, 8),), {}, ShapeError,
     "reshape: 6×7×9 has 378 elements but [6, 7, 8] has 336", None),
    ("permute", [C], ((0, 1),), {}, ArgumentError,
     "permute: dims [0, 1] is not a permutation of the 3 non-batch dims of 6×7×9", "0..2"),
    ("channel_shuffle", [C], (4,), {}, ShapeError,
     "channel_shuffle: 6 channels are not divisible by groups=4", "divides 6"),
    ("slice", [C], (7, 9), {"dim": 1}, ShapeError,
     "slice 7:9:1 of dim 1 (size 7) is empty", "0 to 6"),
    ("slice", [C], (0, 3, -1), {}, ArgumentError, "slice: step must be positive, got -1", None),
    ("select", [C], (7,), {"dim": 1}, ShapeError,
     "select: index 7 is out of range for dim 1 of size 7", "0 to 6"),
    ("split", [C], (4,), {}, ShapeError,
     "split: dim 0 of size 6 does not split into 4 equal chunks", "list"),
    ("split", [C], ((2, 3),), {}, ShapeError,
     "split: sizes [2, 3] must be positive and add up to 6, the size of dim 0", None),
    ("pad", [C], ((1, 2),), {}, ArgumentError,
     ("pad: spatial takes 1 or 4 numbers (left, right, top, bottom), channels 1 or 2 "
     "(before, after)"), None),
    ("pad", [C], (-1,), {}, ArgumentError,
     "pad: amounts must be non-negative, got spatial=-1, channels=0", "slice"),
    ("pad", [C], (0,), {"channels": 2, "mode": "reflect"}, ArgumentError,
     "pad: channel padding needs mode 'constant', not 'reflect'", None),
    ("affine_grid", [(3, 3), C], (), {}, ShapeError,
     "affine_grid: theta must be 2×3 or 6, got 3×3", "linear(6)"),
    ("grid_sample", [C, (5, 5, 3)], (), {}, ShapeError,
     "grid_sample: grid must be H×W×2, got 5×5×3", "affine_grid"),
    ("upsample", [C], (), {}, ArgumentError, "upsample takes exactly one of scale and size",
     "scale=2"),
    ("upsample", [C], (2,), {"align_corners": True}, ArgumentError,
     "upsample: align_corners only applies to bilinear and bicubic modes, not 'nearest'", None),
    ("upsample", [C], (0.1,), {}, ShapeError,
     "upsample output would be empty (0×0) for input 6×7×9", None),
    ("input", [], ((3, 0, 4),), {}, ShapeError,
     "input shape must have positive sizes, got 3×0×4", "batch dim"),
    ("dropout", [C], (1.5,), {}, ArgumentError, "dropout: p must be between 0 and 1, got 1.5",
     None),
    ("subsample", [(5,)], (2,), {}, ShapeError, "subsample expects a C×H×W input, got 5", None),
]


@pytest.mark.parametrize("op,ins,args,kwargs,exc,message,hint", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_error(op, ins, args, kwargs, exc, message, hint):
    with pytest.raises(exc) as err:
        build(op, ins, *args, **kwargs)
    assert type(err.value) is exc
    assert err.value.message == message
    if hint is not None:
        assert hint in (err.value.hint or ""), err.value.hint


def test_bad_argument_types_are_rejected_by_the_schema():
    with pytest.raises(SpecTypeError, match="upsample: mode must be one of"):
        build("upsample", [C], 2, mode="trilinear")
    with pytest.raises(ArgumentError, match="maxpool has no parameter 'strides'"):
        build("maxpool", [C], 2, strides=2)
