"""The interactive page's HTML, CSS and JavaScript (inline: the page must work offline).

Data contract (``DATA`` in the page): ``svgs`` (gzipped, base64 JSON: fragment key -> SVG; key
"" is the network, a block path or ``run/<first member>`` the others), ``kids`` (key -> {node
id: key of the fragment the node opens}), ``frames`` (key -> [title, tooltip]), ``open`` (keys
open at first), ``fills`` (frame fills alternating with depth), ``rankdir``.
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · archspec</title>
<style>{{style}}</style></head>
<body>
<header>{{nav}}<b>{{title}}</b>
<button id="reset" title="back to the first view">reset</button>
<button id="zoom-out" title="zoom out">−</button><button id="zoom-in" title="zoom in">+</button>
<span id="hint">click a block to expand it, its frame's title to collapse it · hover a node
for details</span>
</header>
<nav id="legend">{{legend}}</nav>
<main id="canvas"></main>
{{sections}}
<div id="tip" role="tooltip" hidden></div>
<script>const DATA = {{data}};
{{script}}</script>
</body></html>
"""

STYLE = """
html { scroll-padding-top: 48px; }
body { margin: 0; font: 13px Helvetica, Arial, sans-serif; color: #212529; background: #fff; }
header { position: sticky; top: 0; z-index: 2; padding: 6px 10px; background: #f8f9fa;
         border-bottom: 1px solid #dee2e6; display: flex; gap: 8px; align-items: center; }
header button { font: inherit; padding: 1px 8px; cursor: pointer; }
#hint { color: #6c757d; }
#legend { padding: 4px 10px; display: flex; flex-wrap: wrap; gap: 4px 12px; color: #495057;
          font-size: 11px; }
#legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px;
            border: 1px solid; border-radius: 2px; vertical-align: -1px; }
#canvas { padding: 10px; }
header nav a { margin-right: 8px; }
section { padding: 4px 10px; border-top: 1px solid #dee2e6; }
section pre { font: 12px/1.4 Menlo, Consolas, monospace; overflow-x: auto; }
g.frame > text { font: bold 10px Helvetica, Arial, sans-serif; }
#canvas svg { display: block; }
.clickable { cursor: pointer; }
g.node.clickable:hover polygon, g.node.clickable:hover path { stroke-width: 2.5; }
g.frame.clickable > rect:hover { stroke-width: 2; }
#tip { position: fixed; z-index: 3; max-width: 420px; padding: 6px 8px; white-space: pre-wrap;
       font: 12px/1.35 Menlo, Consolas, monospace; background: #212529; color: #f8f9fa;
       border-radius: 4px; pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.3); }
"""


# The composition: an open block's drawing replaces its summary node; everything of the
# enclosing drawing left/right of (above/below) that node moves aside by half the growth, so
# nothing overlaps and edges into the node now end at the frame.
SCRIPT = r"""
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const XLINK = 'http://www.w3.org/1999/xlink';
  const PAD = 8, HEAD = 18, TOL = 1;
  const canvas = document.getElementById('canvas');
  const tip = document.getElementById('tip');
  const opener = {};   // node id -> fragment key it opens
  const closer = {};   // fragment key -> node id that opens it
  Object.keys(DATA.kids).forEach(function (k) {
    Object.keys(DATA.kids[k]).forEach(function (id) {
      opener[id] = DATA.kids[k][id]; closer[DATA.kids[k][id]] = id;
    });
  });
  let svgs = null;
  const templates = new Map();
  let opened = new Set(DATA.open);
  let scale = 1;

  async function inflate() {
    const bytes = Uint8Array.from(atob(DATA.svgs), function (c) { return c.charCodeAt(0); });
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    svgs = JSON.parse(await new Response(stream).text());
  }

  // Native SVG tooltips would double ours: move them into data-tip.
  function takeTooltips(root) {
    root.querySelectorAll('g.node, g.edge').forEach(function (g) {
      const a = g.querySelector('a');
      const text = a && (a.getAttributeNS(XLINK, 'title') || a.getAttribute('xlink:title'));
      if (text && text.trim()) { g.dataset.tip = text; }
      if (a) { a.removeAttributeNS(XLINK, 'title'); a.removeAttribute('xlink:title'); }
    });
    root.querySelectorAll('title').forEach(function (t) { t.remove(); });
  }

  function template(key) {
    if (!templates.has(key)) {
      const doc = new DOMParser().parseFromString(svgs[key], 'image/svg+xml');
      const graph = doc.querySelector('g.graph');
      takeTooltips(graph);
      const bg = graph.querySelector('polygon');  // dot's white background, drawn first
      if (bg && !bg.closest('g.node, g.edge')) { bg.remove(); }
      templates.set(key, graph);
    }
    return templates.get(key);
  }

  // Geometry lives in JavaScript while a drawing is composed and is written to the DOM once
  // (flush): reading boxes back from the DOM after each move forces a layout per open block.
  const PAIR = /(-?[\d.]+(?:e-?\d+)?),(-?[\d.]+(?:e-?\d+)?)/;
  const NUM = /-?[\d.]+(?:e-?\d+)?/g;

  function shapeBox(g) {  // a dot node's box, from its shapes' coordinates
    const xs = [], ys = [];
    g.querySelectorAll('polygon, polyline, path').forEach(function (p) {
      const nums = (p.getAttribute('points') || p.getAttribute('d')).match(NUM).map(Number);
      for (let i = 0; i + 1 < nums.length; i += 2) { xs.push(nums[i]); ys.push(nums[i + 1]); }
    });
    g.querySelectorAll('ellipse').forEach(function (e) {
      const cx = +e.getAttribute('cx'), cy = +e.getAttribute('cy');
      const rx = +e.getAttribute('rx'), ry = +e.getAttribute('ry');
      xs.push(cx - rx, cx + rx); ys.push(cy - ry, cy + ry);
    });
    return {x0: Math.min.apply(null, xs), y0: Math.min.apply(null, ys),
            x1: Math.max.apply(null, xs), y1: Math.max.apply(null, ys)};
  }

  function pointList(el, attr) {  // [text, x, y, text, x, y, ..., text]
    return {el: el, attr: attr, parts: el.getAttribute(attr).split(PAIR).map(function (v, i) {
      return i % 3 ? parseFloat(v) : v;
    })};
  }

  function item(el) {
    if (el.matches('g.edge')) {
      const ids = el.id.slice(2).split('->');
      return {kind: 'edge', el: el, tail: ids[0], head: ids[ids.length - 1],
              paths: Array.from(el.querySelectorAll('path')).map(function (p) {
                return pointList(p, 'd'); }),
              heads: Array.from(el.querySelectorAll('polygon, polyline')).map(function (p) {
                return pointList(p, 'points'); }),
              texts: Array.from(el.querySelectorAll('text')).map(textItem)};
    }
    if (el.matches('g.node')) {
      return {kind: 'node', el: el, box: shapeBox(el), off: [0, 0]};
    }
    const t = el.matches('text') ? el : el.querySelector('text');
    return t ? textItem(t) : null;
  }
  function textItem(t) {
    return {kind: 'text', el: t, x: +t.getAttribute('x'), y: +t.getAttribute('y'),
            w: t.textContent.length * 6};
  }

  function boxOf(it) {
    if (it.kind === 'node') {
      return {x0: it.box.x0 + it.off[0], y0: it.box.y0 + it.off[1],
              x1: it.box.x1 + it.off[0], y1: it.box.y1 + it.off[1]};
    }
    if (it.kind === 'text') {
      return {x0: it.x - it.w / 2, y0: it.y - 10, x1: it.x + it.w / 2, y1: it.y + 2};
    }
    const b = {x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity};
    it.paths.concat(it.heads).forEach(function (pl) {
      for (let i = 1; i < pl.parts.length; i += 3) {
        b.x0 = Math.min(b.x0, pl.parts[i]); b.x1 = Math.max(b.x1, pl.parts[i]);
        b.y0 = Math.min(b.y0, pl.parts[i + 1]); b.y1 = Math.max(b.y1, pl.parts[i + 1]);
      }
    });
    it.texts.forEach(function (t) { union(b, boxOf(t)); });
    return b;
  }
  function union(a, b) {
    a.x0 = Math.min(a.x0, b.x0); a.y0 = Math.min(a.y0, b.y0);
    a.x1 = Math.max(a.x1, b.x1); a.y1 = Math.max(a.y1, b.y1);
    return a;
  }

  // How a point (x, y) moves when node box c grows by (dw, dh): along the rank direction
  // everything before/after c moves (rows are inserted); across it, only what shares c's
  // rank moves aside, so widths of successive open blocks do not add up.
  function mover(c, dw, dh) {
    const byRows = DATA.rankdir === 'TB' || DATA.rankdir === 'BT';
    function shift(v, lo, hi, d) { return v <= lo + TOL ? -d / 2 : v >= hi - TOL ? d / 2 : 0; }
    function inside(v, lo, hi) { return v > lo - TOL && v < hi + TOL; }
    return function (x, y, b) {  // b: the moved element's box, for whole elements
      const yin = b ? b.y0 < c.y1 && b.y1 > c.y0 : inside(y, c.y0, c.y1);
      const xin = b ? b.x0 < c.x1 && b.x1 > c.x0 : inside(x, c.x0, c.x1);
      return [byRows && !yin ? 0 : shift(x, c.x0, c.x1, dw),
              !byRows && !xin ? 0 : shift(y, c.y0, c.y1, dh)];
    };
  }

  function movePoints(pl, delta) {
    const n = (pl.parts.length - 1) / 3;
    for (let i = 0; i < n; i++) {
      const d = delta(pl.parts[3 * i + 1], pl.parts[3 * i + 2], i, n);
      pl.parts[3 * i + 1] += d[0]; pl.parts[3 * i + 2] += d[1];
    }
  }

  // An edge's ends move with the nodes they touch (so edges stay attached); the points
  // between follow the point rule.
  function moveEdge(it, m, ends) {
    const tail = ends(it.tail), head = ends(it.head);
    it.paths.forEach(function (pl) {
      movePoints(pl, function (x, y, i, n) {
        return i === 0 && tail ? tail : i === n - 1 && head ? head : m(x, y);
      });
    });
    it.heads.forEach(function (pl) {
      const d = head || m(pl.parts[1], pl.parts[2]);
      movePoints(pl, function () { return d; });
    });
    it.texts.forEach(function (t) { moveText(m, t); });
  }
  function moveText(m, t) {
    const d = m(t.x, t.y);
    t.x += d[0]; t.y += d[1];
  }

  // Make room for a (w × h) frame in place of node item `it` among `items`. Blocks of one
  // rank share the rows inserted for them (`bands`): parallel branches grow by the largest,
  // not the sum.
  function makeRoom(items, it, w, h, bands, moved) {
    const c = boxOf(it);
    const byRows = DATA.rankdir === 'TB' || DATA.rankdir === 'BT';
    const mid = byRows ? (c.y0 + c.y1) / 2 : (c.x0 + c.x1) / 2;
    const need = byRows ? Math.max(0, h - (c.y1 - c.y0)) : Math.max(0, w - (c.x1 - c.x0));
    const band = bands.find(function (b) { return Math.abs(b.mid - mid) < TOL; });
    const grown = band ? band.grown : 0;
    const along = Math.max(0, need - grown);
    const across = byRows ? Math.max(0, w - (c.x1 - c.x0)) : Math.max(0, h - (c.y1 - c.y0));
    const m = byRows ? mover(c, across, along) : mover(c, along, across);
    const delta = {};
    items.forEach(function (other) {
      if (other === it || other.kind !== 'node') { return; }
      const b = boxOf(other);
      const d = m((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, b);
      delta[other.el.id] = d;
      other.off[0] += d[0]; other.off[1] += d[1];
    });
    const ends = function (id) {  // edge ids name ops without their 'n/'
      return id === it.el.id ? null : delta[moved[id] || id] || delta['n/' + id];
    };
    items.forEach(function (other) {
      if (other.kind === 'edge') { moveEdge(other, m, ends); }
      if (other.kind === 'text') { moveText(m, other); }
    });
    bands.forEach(function (b) { b.mid += byRows ? m(0, b.mid)[1] : m(b.mid, 0)[0]; });
    if (band) { band.grown = Math.max(grown, need); } else { bands.push({mid: mid, grown: need}); }
    return c;
  }

  function flush(items) {
    items.forEach(function (it) {
      if (it.kind === 'node' && (it.off[0] || it.off[1])) {
        it.el.setAttribute('transform', 'translate(' + it.off[0] + ',' + it.off[1] + ')');
      } else if (it.kind === 'text') {
        it.el.setAttribute('x', it.x.toFixed(2)); it.el.setAttribute('y', it.y.toFixed(2));
      } else if (it.kind === 'edge') {
        it.paths.concat(it.heads).forEach(function (pl) {
          pl.el.setAttribute(pl.attr, pl.parts.map(function (v, i) {
            return i % 3 ? v.toFixed(2) + (i % 3 === 1 ? ',' : '') : v;
          }).join(''));
        });
        it.texts.forEach(function (t) {
          t.el.setAttribute('x', t.x.toFixed(2)); t.el.setAttribute('y', t.y.toFixed(2));
        });
      }
    });
  }

  function frame(key, depth, host) {
    const f = document.createElementNS(SVG, 'g');
    f.setAttribute('id', 'cl/' + key);
    f.setAttribute('class', 'cluster block open frame clickable');
    f.dataset.key = key;
    f.dataset.tip = DATA.frames[key][1];
    host.appendChild(f);
    const rect = document.createElementNS(SVG, 'rect');
    const title = document.createElementNS(SVG, 'text');
    title.textContent = DATA.frames[key][0];
    f.append(rect, title);
    const inner = draw(key, depth + 1, f), b = inner.box;
    const w = Math.max(b.x1 - b.x0, title.textContent.length * 6.2) + 2 * PAD;
    const h = b.y1 - b.y0 + HEAD + PAD;
    inner.g.setAttribute('transform', 'translate(' + (PAD - b.x0) + ',' + (HEAD - b.y0) + ')');
    title.setAttribute('x', PAD); title.setAttribute('y', HEAD - 6);
    Object.entries({x: 0, y: 0, width: w, height: h, rx: 6, fill: DATA.fills[depth % 2],
                    stroke: '#adb5bd'}).forEach(function (kv) { rect.setAttribute(kv[0], kv[1]); });
    return {kind: 'node', el: f, box: {x0: 0, y0: 0, x1: w, y1: h}, off: [0, 0]};
  }

  // The drawing of fragment `key` with its open children in place, appended to `host`:
  // {g, box} with box its extent in its own coordinates.
  function draw(key, depth, host) {
    const g = document.createElementNS(SVG, 'g');
    host.appendChild(g);
    Array.from(template(key).children).forEach(function (el) {
      g.appendChild(el.cloneNode(true));
    });
    let items = Array.from(g.children).map(item).filter(Boolean);
    const bands = [], moved = {};
    Object.keys(DATA.kids[key] || {}).forEach(function (id) {
      const it = items.find(function (x) { return x.el.id === id; });
      if (!it) { return; }
      const child = DATA.kids[key][id];
      if (!opened.has(child)) { it.el.classList.add('clickable'); return; }
      const f = frame(child, depth, g);
      const c = makeRoom(items, it, f.box.x1, f.box.y1, bands, moved);
      it.el.remove();
      items = items.filter(function (x) { return x !== it; });
      f.off = [(c.x0 + c.x1 - f.box.x1) / 2, (c.y0 + c.y1 - f.box.y1) / 2];
      items.push(f);
      moved[id] = f.el.id;
    });
    flush(items);
    const box = items.map(boxOf).reduce(union, {x0: Infinity, y0: Infinity, x1: -Infinity,
                                                 y1: -Infinity});
    return {g: g, box: box};
  }

  function applyScale() {
    const svg = canvas.querySelector('svg');
    if (!svg) { return; }
    svg.setAttribute('width', (svg.dataset.w * scale) + 'pt');
    svg.setAttribute('height', (svg.dataset.h * scale) + 'pt');
  }

  function show(anchor, before) {
    const svg = document.createElementNS(SVG, 'svg');
    canvas.replaceChildren(svg);
    const b = draw('', 0, svg).g.getBBox();  // the one layout: exact, titles included
    svg.setAttribute('viewBox', [b.x - 4, b.y - 4, b.width + 8, b.height + 8].join(' '));
    svg.dataset.w = b.width + 8; svg.dataset.h = b.height + 8;
    applyScale();
    document.body.dataset.open = Array.from(opened).sort().join(' ');
    const el = anchor && document.getElementById(anchor);
    if (el && before) {  // keep the clicked block where it was on screen
      const r = el.getBoundingClientRect();
      window.scrollBy(r.left - before.left, r.top - before.top);
    }
  }

  canvas.addEventListener('click', function (e) {
    const g = e.target.closest('g.node, g.frame');
    if (!g) { return; }
    const before = g.getBoundingClientRect();
    tip.hidden = true;
    if (g.matches('g.node') && opener[g.id]) {
      opened.add(opener[g.id]);
      show('cl/' + opener[g.id], before);
    } else if (g.matches('g.frame') && e.target.parentNode === g) {
      opened.delete(g.dataset.key);
      show(closer[g.dataset.key], before);
    }
  });

  canvas.addEventListener('mouseover', function (e) {
    const g = e.target.closest('g.node, g.frame, g.edge');
    if (!g || !g.dataset.tip) { tip.hidden = true; return; }
    tip.textContent = g.dataset.tip;
    tip.hidden = false;
  });
  canvas.addEventListener('mousemove', function (e) {
    if (tip.hidden) { return; }
    const x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
    const y = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
    tip.style.left = Math.max(0, x) + 'px';
    tip.style.top = Math.max(0, y) + 'px';
  });
  canvas.addEventListener('mouseleave', function () { tip.hidden = true; });

  document.getElementById('reset').onclick = function () {
    opened = new Set(DATA.open); show();
  };
  document.getElementById('zoom-in').onclick = function () { scale *= 1.25; applyScale(); };
  document.getElementById('zoom-out').onclick = function () { scale /= 1.25; applyScale(); };
  inflate().then(function () { show(); document.body.dataset.ready = '1'; });
})();
"""
