"""A :class:`View` as a ``graphviz.Digraph``: clusters for open blocks, coloured primitives,
summary nodes for collapsed blocks, shape-labelled edges, markers for inputs and outputs,
dashed training-only parts, red errors and a legend. Output is deterministic: items, clusters
and edges are emitted in graph order and every element gets a stable ``id``."""

from __future__ import annotations

import graphviz

from archspec.backends.render import labels as L
from archspec.backends.render.analysis import Analysis
from archspec.backends.render.view import Edge, Item, View, cluster_id
from archspec.units import fmt_count

SHOW_CHOICES = ("shapes", "params", "macs", "rf")
RANKDIRS = ("TB", "LR", "BT", "RL")


def to_dot(an: Analysis, view: View, rankdir: str, show: tuple[str, ...], *,
           titled: bool = True, legend: bool = True) -> graphviz.Digraph:
    """Build the Digraph for ``view`` (``titled``: the network's call as the graph label;
    ``legend``: a legend node)."""
    name = an.graph.meta.name or "network"
    params = an.graph.meta.params
    title = (_call(name, params, 120) if params else name) if titled else ""
    dot = graphviz.Digraph(name, graph_attr=_graph_attrs(title, rankdir),
                           node_attr={"shape": "box", "style": "rounded,filled",
                                      "fontname": L.FONT, "fontsize": "10", "height": "0.3",
                                      "margin": "0.12,0.04", "penwidth": "1"},
                           edge_attr={"fontname": L.FONT, "fontsize": "8",
                                      "fontcolor": "#495057", "color": "#5c6670",
                                      "arrowsize": "0.6"})
    _emit_block(an, view, dot, "", show)
    for edge in view.edges:
        _emit_edge(dot, edge, show)
    if legend:
        _emit_legend(an, view, dot)
    return dot


def _graph_attrs(title: str, rankdir: str) -> dict[str, str]:
    return {"rankdir": rankdir, "fontname": L.FONT, "fontsize": "11", "nodesep": "0.25",
            "ranksep": "0.3", "newrank": "true", "id": "graph", "label": title,
            "labelloc": "t", "labeljust": "l", "tooltip": title}


def _emit_block(an: Analysis, view: View, dot: graphviz.Digraph, block: str,
                show: tuple[str, ...]) -> None:
    for item_id, where in view.where.items():
        if where == block:
            _emit_item(an, dot, view.items[item_id], show)
    for child in view.clusters[block]:
        with dot.subgraph(name=f"cluster_{child}") as sub:
            sub.attr(**_cluster_attrs(an, child))
            _emit_block(an, view, sub, child, show)


def _cluster_attrs(an: Analysis, path: str) -> dict[str, str]:
    aux = all(n in an.aux_only for n in an.members[path])
    return {"label": L.html_label([("b", cluster_title(an, path))]), "id": cluster_id(path),
            "class": "block open", "style": "rounded,filled" + (",dashed" if aux else ""),
            "fillcolor": L.CLUSTER_FILLS[an.depth[path] % 2], "color": "#adb5bd",
            "labeljust": "l", "fontsize": "10", "margin": "8",
            "tooltip": L.dot_text(block_tooltip(an, [path]))}


def cluster_title(an: Analysis, path: str) -> str:
    """An open block's title: its path and, for a block call, the call."""
    info = an.blocks[path]
    call = _call(info.kind, info.args) if info.args else info.kind
    return path if info.kind == "group" else f"{path} : {call}"


def _call(kind: str, args: dict, limit: int = 48) -> str:
    text = ", ".join(f"{k}={L.fmt_value(v)}" for k, v in args.items())
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return f"{kind}({text})"


def _emit_item(an: Analysis, dot: graphviz.Digraph, item: Item, show: tuple[str, ...]) -> None:
    if item.kind == "op":
        dot.node(item.id, **_op_attrs(an, item.nodes[0], show))
    elif item.kind == "block":
        dot.node(item.id, **_block_attrs(an, item, show))
    elif item.kind == "output":
        dot.node(item.id, **_output_attrs(an, item.name))
    elif item.kind == "stub":  # where an edge crosses a block's border (fragments.py)
        dot.node(item.id, label="", shape="point", width="0.06", color="#868e96",
                 id=item.id, tooltip=" ", **{"class": "stub"})
    else:
        err = an.orphan_errors[item.index].error
        lines = [("b", "error"), *L.error_lines(err)]
        dot.node(item.id, label=L.html_label(lines), id=item.id,
                 tooltip=L.dot_text(L.error_text(err)),
                 fillcolor=L.ERROR_COLORS[0], color=L.ERROR_COLORS[1], penwidth="2",
                 **{"class": "error"})


def _cost_lines(an: Analysis, nodes: list[str], out: str, show: tuple[str, ...]) -> list[str]:
    """'1.2M params', '118M MACs', 'rf 7×7' where the audit pass left that metadata."""
    attrs = [an.graph.nodes[n] for n in nodes]
    parts = []
    if all("cost" in a for a in attrs):
        params = sum(a["cost"].params for a in attrs)
        macs = sum(a["cost"].macs for a in attrs)
        if "params" in show and params:
            parts.append(f"{fmt_count(params, compact=True)} params")
        if "macs" in show and macs:
            parts.append(f"{fmt_count(macs, compact=True)} MACs")
    rf = L.fmt_rf(an.graph.nodes[out].get("rf")) if "rf" in show else None
    if rf:
        parts.append(f"rf {rf}")
    return parts


def _op_attrs(an: Analysis, name: str, show: tuple[str, ...]) -> dict[str, str]:
    d = an.data(name)
    fam = L.family(d.op)
    if d.op == "input":
        lines = [("b", d.name), ("small", L.shape_text(d.shape))]
        attrs = {"shape": "invhouse", "style": "filled,bold"}
    else:
        small = [x for x in [L.shown_name(d)] if x] + _cost_lines(an, [name], name, show)
        lines = [("", L.op_summary(d))] + ([("small", " · ".join(small))] if small else [])
        attrs = {}
    fill, border = L.FAMILY_COLORS[fam]
    attrs.update(fillcolor=fill, color=border, id=f"n/{name}",
                 tooltip=L.dot_text(op_tooltip(an, name)))
    attrs["class"] = f"op {fam}"
    if name in an.errors:
        lines += [line for e in an.errors[name] for line in L.error_lines(e)]
        attrs.update(fillcolor=L.ERROR_COLORS[0], color=L.ERROR_COLORS[1], penwidth="2")
        attrs["class"] += " error"
    if name in an.aux_only:
        attrs["style"] = attrs.get("style", "rounded,filled") + ",dashed"
    attrs["label"] = L.html_label(lines)
    return attrs


def _block_attrs(an: Analysis, item: Item, show: tuple[str, ...]) -> dict[str, str]:
    first, last = item.paths[0], item.paths[-1]
    info = an.blocks[first]
    times = f" ×{item.count}" if item.count > 1 else ""
    title = (first.rsplit(".", 1)[-1] if info.kind == "group" else info.kind) + times
    where = first if item.count == 1 else f"{first}–{last.rsplit('.', 1)[-1]}"
    out = an.block_output(last)
    small = ([L.shape_text(an.data(out).shape)] if "shapes" in show else [])
    small += _cost_lines(an, item.nodes, out, show)
    lines = [("b", title), ("small", where)] + ([("small", " · ".join(small))] if small else [])
    aux = all(n in an.aux_only for n in item.nodes)
    attrs = {"label": L.html_label(lines), "id": item.id, "shape": "box3d",
             "style": "filled" + (",dashed" if aux else ""), "fillcolor": L.BLOCK_COLORS[0],
             "color": L.BLOCK_COLORS[1], "tooltip": L.dot_text(block_tooltip(an, item.paths)),
             "class": "block collapsed" + (" run" if item.count > 1 else "")}
    return attrs


def _output_attrs(an: Analysis, name: str) -> dict[str, str]:
    info = an.graph.meta.outputs[name]
    shape = an.data(info.node.node).port_shape(info.node.port)
    role = f"aux ×{L.fmt_value(info.loss_weight)}" if info.role == "aux" else "output"
    fill, border = L.FAMILY_COLORS["io"]
    return {"label": L.html_label([("b", name), ("small", f"{role} · {L.shape_text(shape)}")]),
            "shape": "house", "style": "filled,bold" + (",dashed" if info.role == "aux" else ""),
            "fillcolor": fill, "color": border, "id": f"out/{name}",
            "tooltip": f"{name} ({info.role}): {L.shape_text(shape)}",
            "class": "output"}


def _emit_edge(dot: graphviz.Digraph, edge: Edge, show: tuple[str, ...]) -> None:
    attrs = {"id": f"e/{edge.src}->{edge.dst}"}
    if "shapes" in show:
        attrs["label"] = "\n".join(L.shape_text(s) for s in edge.shapes)
    if edge.aux:
        attrs["style"] = "dashed"
    if edge.guess:
        attrs.update(style="dotted", color="#d6336c", tooltip="inputs unknown: the op failed")
    dot.edge(edge.src, edge.dst, **attrs)


def op_tooltip(an: Analysis, name: str) -> str:
    """Hover text for a primitive: name, call, shape, exact params/MACs, rf, source line."""
    d = an.data(name)
    lines = [d.name, _call(d.op, d.params, 400), f"shape: {L.shape_text(d.shape)}"]
    lines += _exact_costs(an, [name])
    rf = L.fmt_rf(an.graph.nodes[name].get("rf"))
    lines += [f"receptive field: {rf}"] if rf else []
    lines += [f"at {d.span}"] if d.span.source else []
    lines += [L.error_text(e) for e in an.errors.get(name, [])]
    return "\n".join(lines)


def _exact_costs(an: Analysis, nodes: list[str]) -> list[str]:
    attrs = [an.graph.nodes[n] for n in nodes]
    if not all("cost" in a for a in attrs):
        return []
    params = sum(a["cost"].params for a in attrs)
    macs = sum(a["cost"].macs for a in attrs)
    return [f"params: {params:,}", f"MACs: {macs:,}"]


def block_tooltip(an: Analysis, paths: list[str]) -> str:
    info = an.blocks[paths[0]]
    nodes = [n for p in paths for n in an.members[p]]
    head = paths[0] if len(paths) == 1 else f"{paths[0]} … {paths[-1]} (×{len(paths)})"
    lines = [head, _call(info.kind, info.args, 400),
             f"output: {L.shape_text(an.block_shape(paths[-1]))}", f"{len(nodes)} ops"]
    return "\n".join(lines + _exact_costs(an, nodes))


def _emit_legend(an: Analysis, view: View, dot: graphviz.Digraph) -> None:
    fams = {L.family(an.data(n).op) for it in view.items.values() if it.kind == "op"
            for n in it.nodes}
    rows = [(f, *L.FAMILY_COLORS[f]) for f in L.FAMILY_COLORS if f in fams and f != "io"]
    if any(it.kind == "block" for it in view.items.values()):
        rows.append(("block (collapsed)", *L.BLOCK_COLORS))
    if an.errors or an.orphan_errors:
        rows.append(("error", *L.ERROR_COLORS))
    cells = "".join(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}" BORDER="1" WIDTH="16"></TD>'
                    f'<TD ALIGN="LEFT">{text}</TD></TR>' for text, fill, border in rows)
    if any(e.aux for e in view.edges):
        cells += '<TR><TD>- - -</TD><TD ALIGN="LEFT">training only</TD></TR>'
    if not cells:
        return
    table = (f'<<TABLE BORDER="1" COLOR="#ced4da" CELLBORDER="0" CELLSPACING="3" '
             f'CELLPADDING="1">{cells}</TABLE>>')
    dot.node("@legend", label=table, shape="plaintext", style="", fontsize="8", id="legend",
             tooltip="legend", **{"class": "legend"})
