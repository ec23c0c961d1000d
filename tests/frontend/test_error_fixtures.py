"""Every bad spec in tests/fixtures/errors gives these errors: line, column, kind, message."""

from pathlib import Path

import pytest

import archspec
from archspec.errors import SpecError, flatten

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "errors"

EXPECTED = {
    "alias_of_itself": [(5, 1, "SpecNameError", "network 'a' is defined in terms of itself")],
    "defined_twice": [(5, 9, "SpecNameError", "'a' is defined twice")],
    "apply_number": [(3, 12, "SpecTypeError", "'->' applies a layer, but this is the number 3")],
    "assert_failed": [(3, 3, "EvalError", 'width must be a multiple of 8')],
    "bad_character": [(3, 17, "SpecSyntaxError", "unexpected character '$'")],
    "bad_init_value": [(3, 12, "ArgumentError", "unknown init rule 'random'")],
    "bad_input_shape": [(2, 12, "SpecTypeError", 'input dimensions must be positive, got [3, 0, 32]')],
    "bad_label_value": [(3, 12, "SpecTypeError", 'a label part must be a name or an integer, not the number 1.5')],
    "block_missing_arg": [(6, 12, "ArgumentError", "block 'b' is missing argument 'planes'")],
    "block_no_out": [(1, 7, "SpecTypeError", "block 'b' has no `out` statement")],
    "block_param_type": [(6, 14, "SpecTypeError", "block 'b': parameter 'planes' expects int, got the string 'wide'")],
    "block_unknown_kwarg": [(6, 14, "ArgumentError", "block 'b' has no parameter 'plane'")],
    "bool_for_int": [(3, 12, "SpecTypeError", 'conv: out expects an integer, got the boolean true')],
    "chain_from_number": [(3, 7, "SpecTypeError", "'->' starts from a tensor, not the number 3")],
    "concat_mismatch": [(5, 7, "ShapeError", 'concat along dim 0: the other dims (1, 2) must match, got [16×32×32, 3×16×16]')],
    "condition_not_bool": [(3, 10, "SpecTypeError", 'a condition must be true or false, not the number 3')],
    "dim_too_large": [(2, 12, "SpecLimitError", 'input dimension exceeds 1,099,511,627,776')],
    "division_by_zero": [(3, 17, "EvalError", 'division by zero')],
    "duplicate_label": [(4, 19, "SpecNameError", "duplicate module name 'conv1'")],
    "duplicate_name": [(4, 3, "SpecNameError", "'y' is already defined")],
    "duplicate_output": [(4, 3, "SpecNameError", "duplicate output 'a'")],
    "empty_output": [(3, 54, "ShapeError", 'maxpool kernel 2×2 (effective 2) is larger than the padded input 1 along H')],
    "float_not_finite": [(3, 18, "EvalError", 'number 1e400 is not finite')],
    "groups_indivisible": [(3, 12, "ShapeError", 'conv: input channels 3 are not divisible by groups=2')],
    "import_missing": [(1, 1, "SpecImportError", "cannot find 'nowhere.arch'")],
    "import_outside": [(1, 1, "SpecImportError", "import of '../../../../etc/passwd.arch' is outside the spec's directory")],
    "import_std_unknown": [(1, 1, "SpecImportError", "no standard library module 'std.resnett'")],
    "in_outside_block": [(3, 7, "SpecNameError", "'in' is only defined inside a block")],
    "indices_missing": [(4, 34, "SpecNameError", "'maxpool' has no indices output")],
    "input_in_block": [(2, 3, "SpecTypeError", '`input` is only allowed in a network')],
    "integer_overflow": [(3, 13, "EvalError", 'integer overflow: the result has more than 63 bits')],
    "kernel_too_large": [(3, 12, "ShapeError", 'conv kernel 7×7 (effective 7) is larger than the padded input 4 along H')],
    "layer_never_applied": [(3, 3, "SpecTypeError", "the layer 'conv' is never applied")],
    "linear_on_image": [(3, 23, "ShapeError", 'conv expects a C×H×W input, got 192')],
    "list_index_out_of_range": [(3, 17, "EvalError", 'index 2 is out of range for a list of 2')],
    "merge_mismatch": [(5, 7, "ShapeError", 'add: shapes do not match: [16×32×32, 16×16×16]')],
    "missing_arg": [(3, 12, "ArgumentError", "conv is missing required argument 'kernel'")],
    "mul_mismatch": [(4, 7, "ShapeError", 'mul: shapes do not match: [8×4×4, 4×1×1]')],
    "mutual_recursion": [(5, 13, "GraphError", "block 'a' calls itself (a -> b -> a)")],
    "nesting_limit": [(3, 210, "SpecLimitError", 'brackets nested deeper than 200')],
    "network_alias_unknown": [(5, 1, "SpecNameError", "unknown network 'bsae'")],
    "no_network": [(1, 1, "SpecNameError", 'the spec defines no network')],
    "no_output": [(1, 9, "SpecNameError", "network 'n' has no output")],
    "output_is_layer": [(3, 7, "SpecTypeError", "expected a tensor, got the layer 'relu'")],
    "range_limit": [(3, 22, "SpecLimitError", 'range() of 100,000 items exceeds the limit of 10,000')],
    "repeat_limit": [(3, 12, "SpecLimitError", 'repeat count 1,000,000,000 exceeds the limit of 10,000')],
    "reshape_numel": [(3, 12, "ShapeError", 'reshape: 6×4×4 has 96 elements but [5, 16] has 80')],
    "select_out_of_range": [(3, 7, "ShapeError", 'select: index 5 is out of range for dim 0 of size 3')],
    "self_recursion": [(2, 13, "GraphError", "block 'b' calls itself (b -> b)")],
    "shadow_primitive": [(3, 3, "SpecNameError", "'conv' shadows the primitive 'conv'")],
    "shuffle_groups": [(3, 12, "ShapeError", 'channel_shuffle: 6 channels are not divisible by groups=4')],
    "slice_empty": [(3, 7, "ShapeError", 'slice 2:1:1 of dim 0 (size 3) is empty')],
    "smart_quote": [(3, 12, "SpecSyntaxError", "unexpected character '“'")],
    "syntax_eof": [(3, 16, "SpecSyntaxError", 'unexpected end of file')],
    "syntax_unclosed": [(4, 1, "SpecSyntaxError", "unexpected '}'")],
    "syntax_unexpected_token": [(3, 12, "SpecSyntaxError", "unexpected '->'")],
    "tensor_minus": [(3, 7, "SpecTypeError", "cannot apply '-' to a tensor 3×32×32 and a tensor 3×32×32")],
    "too_many_args": [(3, 12, "ArgumentError", 'relu takes no positional arguments, got 3')],
    "two_independent": [(3, 12, "ShapeError", 'conv: input channels 3 are not divisible by groups=2'), (4, 12, "SpecNameError", "unknown name 'cnov'")],
    "unknown_annotation": [(3, 12, "SpecNameError", "unknown annotation '@inti'")],
    "unknown_attribute": [(3, 17, "SpecNameError", "a tensor has no attribute 'channels'")],
    "unknown_kwarg": [(3, 24, "ArgumentError", "conv has no parameter 'strid'")],
    "unknown_name": [(3, 7, "SpecNameError", "unknown name 'y'")],
    "unknown_param_override": [(5, 15, "ArgumentError", "network 'n' has no parameter 'widht'")],
    "unknown_primitive": [(3, 12, "SpecNameError", "unknown name 'cnov'")],
    "unpack_count": [(3, 3, "SpecTypeError", 'cannot unpack 2 values into 3 names')],
    "wrong_arg_type": [(3, 12, "SpecTypeError", 'conv: out expects an integer, got the number 16.5')],
    # issue 11: port types, geometry constraints, names, annotations
    "circular_pad_too_wide": [(3, 12, 'ShapeError', 'pad: circular padding 4 along H must be at most the input size 3 (4×3×8)')],
    "data_as_indices": [(4, 12, 'SpecTypeError', "max_unpool: input 'indices' must be an index tensor, got data from 'maxpool'")],
    "index_as_data": [(4, 20, 'SpecTypeError', "conv: input 'x' is the index tensor of 'maxpool' (port 1), not data")],
    "indices_of_split": [(4, 7, 'SpecNameError', "'split' has no indices output")],
    "index_to_softmax": [(4, 20, 'SpecTypeError', "softmax: input 'x' is the index tensor of 'maxpool' (port 1), not data")],
    "init_affine_wrong_size": [(3, 12, 'SpecTypeError', "@init('identity_affine') cannot apply to linear 'linear': identity_affine needs 6 outputs (a 2×3 matrix) and a bias")],
    "init_on_group": [(3, 12, 'SpecTypeError', '@init applies to a primitive layer, not a block')],
    "init_on_relu": [(3, 26, 'SpecTypeError', "@init('zeros') cannot apply to relu 'relu': it has no parameters")],
    "input_named_builtin": [(2, 3, 'SpecNameError', "input name 'input' is a name the generated code uses")],
    "input_named_self": [(2, 3, 'SpecNameError', "input name 'self' is a name the generated code uses")],
    "input_named_torch": [(2, 3, 'SpecNameError', "input name 'torch' is a name the generated code uses")],
    "label_keyword": [(3, 12, 'SpecNameError', "label 'class' is a Python keyword")],
    "label_module_attribute": [(3, 12, 'SpecNameError', "label 'training' is an attribute of torch.nn.Module")],
    "label_nfkc_twin": [(4, 12, 'SpecNameError', "label 'ｆｃ' is read by Python as 'fc' (Unicode NFKC normalisation)")],
    "label_underscore": [(3, 12, 'SpecNameError', "label '_modules' starts with '_' (reserved for torch's own attributes)")],
    "output_keyword": [(3, 3, 'SpecNameError', "output name 'class' is a Python keyword")],
    "unpool_other_pool": [(4, 12, 'ShapeError', "max_unpool: kernel/stride/padding 2×2, 2×2, 0×0 do not invert the pool 'maxpool' that made the indices (3×3, 2×2, 1×1)")],
    "unpool_wrong_size": [(4, 12, 'ShapeError', "max_unpool: output 30×30 is not the size 31×31 of the map 'maxpool' pooled")],
}


def test_every_fixture_has_an_expectation() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.arch")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_error(name: str) -> None:
    with pytest.raises(SpecError) as info:
        archspec.load(FIXTURES / f"{name}.arch")
    got = [(e.span.line, e.span.col, e.kind, e.message) for e in flatten(info.value)]
    assert got == EXPECTED[name]
    for e in flatten(info.value):
        assert e.span.file.endswith(f"{name}.arch")
        text = e.format()
        assert text.startswith(f"{e.span}: error: {e.message}")
        assert "^" in text  # the caret line under the source line


HINTS = {
    "unknown_primitive": "did you mean 'conv'?",
    "unknown_kwarg": "did you mean 'stride'?",
    "block_unknown_kwarg": "did you mean 'planes'?",
    "unknown_annotation": "did you mean 'init'?",
    "network_alias_unknown": "did you mean 'base'?",
    "import_std_unknown": "did you mean 'resnet'",
    "unknown_param_override": "did you mean 'width'?",
    "smart_quote": "straight quotes",
    "missing_arg": "conv(out, kernel",
}


@pytest.mark.parametrize("name", sorted(HINTS))
def test_fixture_hint(name: str) -> None:
    with pytest.raises(SpecError) as info:
        archspec.load(FIXTURES / f"{name}.arch")
    assert HINTS[name] in (flatten(info.value)[0].hint or "")


def test_merge_mismatch_names_each_operand_and_its_cause() -> None:
    with pytest.raises(SpecError) as info:
        archspec.load(FIXTURES / "merge_mismatch.arch")
    notes = [(n.span.line, n.message) for n in flatten(info.value)[0].notes]
    assert notes[0][0] == 3 and "operand 1 is 16×32×32" in notes[0][1]
    assert notes[-1][0] == 4 and "operand 2 is 16×16×16" in notes[-1][1]
    assert "stride=2" in notes[-1][1]
