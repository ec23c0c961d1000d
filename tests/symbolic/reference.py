"""Plain-integer references for the geometry rules, transcribed from torch's shape code
(ATen/native/Pool.h ``pooling_output_shape_pad_lr`` and the convolution formulas), and
random layer chains that run on ints or SizeExprs alike."""

from hypothesis import strategies as st

from archspec.symbolic import (
    Constraint,
    adaptive_out,
    conv_transpose_out,
    upsample_out,
    window_out,
)


def torch_window(n, kernel, stride, pad_l, pad_r, dilation, ceil_mode):
    """torch's pooling_output_shape_pad_lr, literally (div_rtn is a floor)."""
    extra = stride - 1 if ceil_mode else 0
    out = (n + pad_l + pad_r - dilation * (kernel - 1) - 1 + extra) // stride + 1
    if ceil_mode and (out - 1) * stride >= n + pad_l:
        out -= 1
    return out


def torch_transpose(n, kernel, stride, padding, output_padding, dilation):
    return (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


windows = st.builds(
    lambda k, s, pl, pr, d, ceil: ("window", (k, s, pl, pr, d, ceil)),
    st.integers(1, 7), st.integers(1, 4), st.integers(0, 4), st.integers(0, 4),
    st.integers(1, 3), st.booleans(),
)
transposes = st.builds(
    lambda k, s, p, d, op: ("transpose", (k, s, p, min(op, max(s, d) - 1), d)),
    st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.integers(0, 2),
)
upsamples = st.builds(lambda f: ("upsample", (f,)), st.integers(1, 3))
adaptives = st.builds(lambda o: ("adaptive", (o,)), st.integers(1, 7))
layers = st.one_of(windows, windows, windows, transposes, upsamples, adaptives)


def apply_layer(size, layer, symbolic=True):
    """One layer's output size: the archspec helper, or torch's integer rule."""
    kind, args = layer
    if kind == "window":
        k, s, pl, pr, d, ceil = args
        return window_out(size, k, s, pl, pr, d, ceil) if symbolic else torch_window(size, *args)
    if kind == "transpose":
        return conv_transpose_out(size, *args) if symbolic else torch_transpose(size, *args)
    if kind == "upsample":
        return upsample_out(size, args[0]) if symbolic else size * args[0]
    return adaptive_out(size, args[0])


@st.composite
def networks(draw, max_layers=8):
    """A chain of layers plus merges: (layers, merges) where a merge (i, j, detour) joins
    the size after layer i with the size after a detour of extra layers from layer j."""
    chain = draw(st.lists(layers, min_size=1, max_size=max_layers))
    merges = draw(st.lists(
        st.tuples(st.integers(0, len(chain)), st.integers(0, len(chain)),
                  st.lists(layers, min_size=1, max_size=4)),
        max_size=3))
    return chain, merges


def network_constraints(network, size):
    """Constraints of a network on `size` (a SizeExpr), origins naming each layer."""
    chain, merges = network
    sizes, constraints = [size], []
    for index, layer in enumerate(chain):
        sizes.append(apply_layer(sizes[-1], layer))
        constraints.append(Constraint.at_least(sizes[-1], 1, origin=f"layer{index}"))
    for m, (i, j, detour) in enumerate(merges):
        branch = sizes[j]
        for step, layer in enumerate(detour):
            branch = apply_layer(branch, layer)
            constraints.append(Constraint.at_least(branch, 1, origin=f"merge{m}.{step}"))
        constraints.append(Constraint.equal(sizes[i], branch, origin=f"merge{m}"))
    return constraints


def first_failure(network, n):
    """The origin of the first failing check for concrete size n (None: valid)."""
    chain, merges = network
    sizes = [n]
    failure = None
    for index, layer in enumerate(chain):
        sizes.append(apply_layer(sizes[-1], layer, symbolic=False))
        if sizes[-1] < 1 and failure is None:
            failure = f"layer{index}"
    for m, (i, j, detour) in enumerate(merges):
        branch = sizes[j]
        for step, layer in enumerate(detour):
            branch = apply_layer(branch, layer, symbolic=False)
            if branch < 1 and failure is None:
                failure = f"merge{m}.{step}"
        if sizes[i] != branch and failure is None:
            failure = f"merge{m}"
    return failure
