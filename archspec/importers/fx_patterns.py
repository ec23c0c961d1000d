"""Shape arithmetic in a traced torch.fx graph -> the primitive it spells.

torchvision's ShuffleNet v2 shuffles channels with ``x.size()``, ``view``, ``transpose``,
``contiguous`` and ``view`` again, and splits them with ``x.chunk(2, dim=1)``. The first pattern
is rewritten in the graph to one ``torch.channel_shuffle`` call (the size arithmetic then has
no user and is dropped); a ``chunk``/``split`` whose parts are each taken by ``getitem`` becomes
one ``slice`` per part (``chunk_slice``), read by ``torch_fx.convert_function``.
"""

from __future__ import annotations

import operator
from typing import Any


def is_method(n: Any, *names: str) -> bool:
    return getattr(n, "op", None) == "call_method" and n.target in names


def shuffle_groups(final_view: Any) -> tuple[Any, int] | None:
    """``(x, g)`` when ``final_view`` ends ``x.view(b, g, c // g, h, w).transpose(1, 2)
    [.contiguous()].view(b, c, h, w)``, which is ``torch.channel_shuffle(x, g)``."""
    import torch
    if not is_method(final_view, "view", "reshape") or len(final_view.args) != 5:
        return None
    t = final_view.args[0]
    if is_method(t, "contiguous"):
        t = t.args[0]
    swaps = t.target in (torch.transpose, "transpose") and tuple(t.args[1:]) in ((1, 2), (2, 1))
    if getattr(t, "op", None) not in ("call_function", "call_method") or not swaps:
        return None
    split = t.args[0]
    if not is_method(split, "view", "reshape") or len(split.args) != 6:
        return None
    groups = split.args[2]
    if not isinstance(groups, int) or len(t.users) != 1 or len(split.users) != 1:
        return None
    return split.args[0], groups


def rewrite_channel_shuffles(gm: Any) -> None:
    """Replace each channel-shuffle pattern by ``torch.channel_shuffle`` and drop the size
    arithmetic it leaves unused."""
    import torch
    graph = gm.graph
    changed = False
    for n in list(graph.nodes):
        found = shuffle_groups(n)
        if found is None:
            continue
        with graph.inserting_after(n):
            shuffle = graph.call_function(torch.channel_shuffle, found)
        shuffle.meta = dict(n.meta)
        n.replace_all_uses_with(shuffle)
        changed = True
    if changed:
        graph.eliminate_dead_code()
        gm.recompile()


def is_chunking(n: Any) -> bool:
    import torch
    return (getattr(n, "op", None) in ("call_function", "call_method")
            and n.target in (torch.chunk, torch.split, torch.split_with_sizes, "chunk", "split",
                             "split_with_sizes")
            and all(u.target is operator.getitem for u in n.users))


def part_sizes(n: Any, size: int) -> list[int] | None:
    """The sizes of torch.chunk / torch.split's parts of a dim of ``size``."""
    import torch
    is_chunk = n.target in (torch.chunk, "chunk")
    amount = n.args[1] if len(n.args) > 1 else n.kwargs.get(
        "chunks" if is_chunk else "split_size_or_sections", n.kwargs.get("split_size"))
    if isinstance(amount, (list, tuple)):
        return list(amount)
    if not isinstance(amount, int) or amount <= 0:
        return None
    if is_chunk:
        amount = -(-size // amount)
    return [min(amount, size - start) for start in range(0, size, amount)]


def chunk_slice(n: Any, rank: int) -> tuple[str, tuple, dict, list[str]] | None:
    """``parts[i]`` of a chunk/split of ``x`` as ``slice(start, stop, dim=)`` on ``x``."""
    source, index = n.args
    x = source.args[0]
    dim = source.args[2] if len(source.args) > 2 else source.kwargs.get("dim", 0)
    meta = x.meta.get("tensor_meta")
    if not hasattr(meta, "shape") or not isinstance(index, int) or not isinstance(dim, int):
        return None
    dim = dim + rank if dim < 0 else dim
    sizes = part_sizes(source, meta.shape[dim]) if dim >= 1 else None
    if sizes is None or not -len(sizes) <= index < len(sizes):
        return None
    index %= len(sizes)
    start = sum(sizes[:index])
    kwargs = {} if dim == 1 else {"dim": dim - 1}
    return "slice", (start, start + sizes[index]), kwargs, [x.name]
