"""Hand-built size constraints of well-known networks along one axis, from torchvision's
layer geometries (shared by the tests and bench/symbolic.py)."""

from archspec.symbolic import Constraint, adaptive_out, conv_out, conv_transpose_out, pool_out


class Chain:
    """Sizes along one axis with the constraints that keep them valid."""

    def __init__(self, size):
        self.constraints = []
        self.size = size

    def conv(self, name, kernel, stride=1, padding=0, size=None):
        out = conv_out(self.size if size is None else size, kernel, stride, padding)
        self.constraints.append(Constraint.at_least(out, 1, origin=name))
        return out

    def pool(self, name, kernel, stride=None, padding=0, size=None, ceil_mode=False):
        out = pool_out(self.size if size is None else size, kernel, stride, padding, 1, ceil_mode)
        self.constraints.append(Constraint.at_least(out, 1, origin=name))
        return out

    def merge(self, name, *sizes):
        for other in sizes[1:]:
            self.constraints.append(Constraint.equal(sizes[0], other, origin=name))
        return sizes[0]


def _resnet50_chain(size):
    net = Chain(size)
    net.size = net.conv("conv1", 7, 2, 3)
    net.size = net.pool("maxpool", 3, 2, 1)
    for layer, (blocks, stride) in enumerate(((3, 1), (4, 2), (6, 2), (3, 2)), start=1):
        for block in range(blocks):
            name = f"layer{layer}.{block}"
            s = stride if block == 0 else 1
            out = net.conv(f"{name}.conv1", 1, size=net.size)
            out = net.conv(f"{name}.conv2", 3, s, 1, size=out)
            out = net.conv(f"{name}.conv3", 1, size=out)
            shortcut = net.conv(f"{name}.downsample", 1, s) if block == 0 else net.size
            net.size = net.merge(f"{name}.add", out, shortcut)
    return net


def resnet50(size):
    """torchvision's resnet50 (stride on the 3x3 conv)."""
    return _resnet50_chain(size).constraints


def resnet50_output(size):
    return _resnet50_chain(size).size


def unet(size, levels=4):
    """A U-Net: two same-padded 3x3 convs per level, 2x2 max-pool down, 2x2 stride-2
    transposed conv up, concat with the skip of the same level."""
    net = Chain(size)
    skips = []
    for level in range(levels):
        net.size = net.conv(f"down{level}.conv_a", 3, 1, 1)
        net.size = net.conv(f"down{level}.conv_b", 3, 1, 1)
        skips.append(net.size)
        net.size = net.pool(f"down{level + 1} pool", 2)
    for level in reversed(range(levels)):
        up = conv_transpose_out(net.size, 2, 2)
        net.size = net.merge(f"up{level} concat", skips[level], up)
        net.size = net.conv(f"up{level}.conv", 3, 1, 1)
    return net.constraints


def inception_v3(size, aux_logits=False):
    """torchvision's inception_v3 stem and its two grid reductions (Mixed_6a, Mixed_7a);
    the other Mixed blocks keep the size (same padding). The auxiliary head (on Mixed_6e,
    the size after Mixed_6a) is avgpool(5, stride 3), 1x1 conv, 5x5 conv."""
    net = Chain(size)
    for name, kernel, stride, padding in (("Conv2d_1a_3x3", 3, 2, 0), ("Conv2d_2a_3x3", 3, 1, 0),
                                          ("Conv2d_2b_3x3", 3, 1, 1)):
        net.size = net.conv(name, kernel, stride, padding)
    net.size = net.pool("maxpool1", 3, 2)
    net.size = net.conv("Conv2d_3b_1x1", 1)
    net.size = net.conv("Conv2d_4a_3x3", 3)
    net.size = net.pool("maxpool2", 3, 2)
    a = net.conv("Mixed_6a.branch3x3", 3, 2)
    b = net.conv("Mixed_6a.branch3x3dbl_3", 3, 2, size=net.conv("Mixed_6a.dbl_2", 3, 1, 1))
    net.size = net.merge("Mixed_6a.concat", a, b, net.pool("Mixed_6a.pool", 3, 2))
    if aux_logits:
        net.conv("AuxLogits.conv1", 5, size=net.pool("AuxLogits.avgpool", 5, 3))
    a = net.conv("Mixed_7a.branch3x3_2", 3, 2)
    b = net.conv("Mixed_7a.branch7x7x3_4", 3, 2)
    net.size = net.merge("Mixed_7a.concat", a, b, net.pool("Mixed_7a.pool", 3, 2))
    adaptive_out(net.size, 1)
    return net.constraints
