"""The interactive page's HTML, CSS and JavaScript (inline: the page must work offline).

Data contract (``DATA`` in the page): ``views`` (key -> gzipped, base64 SVG), ``actions`` (key ->
{element id: [target key, element id to keep in place]}), ``start``, ``total``.
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · archspec</title>
<style>{{style}}</style></head>
<body>
<header><b>{{title}}</b>
<button id="reset" title="back to the first view">reset</button>
<button id="zoom-out" title="zoom out">−</button><button id="zoom-in" title="zoom in">+</button>
<span id="hint">click a block to expand or collapse it · hover a node for details</span>
</header>
<main id="canvas"></main>
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
#canvas { padding: 10px; }
#canvas svg { display: block; }
.clickable { cursor: pointer; }
g.node.clickable:hover polygon, g.node.clickable:hover path { stroke-width: 2.5; }
g.cluster.clickable > polygon:hover, g.cluster.clickable > path:hover { stroke-width: 2; }
#tip { position: fixed; z-index: 3; max-width: 420px; padding: 6px 8px; white-space: pre-wrap;
       font: 12px/1.35 Menlo, Consolas, monospace; background: #212529; color: #f8f9fa;
       border-radius: 4px; pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.3); }
"""

SCRIPT = r"""
(function () {
  const canvas = document.getElementById('canvas');
  const tip = document.getElementById('tip');
  const XLINK = 'http://www.w3.org/1999/xlink';
  let current = null;
  let scale = 1;
  const cache = new Map();

  async function inflate(key) {
    if (!cache.has(key)) {
      const bytes = Uint8Array.from(atob(DATA.views[key]),
                                    function (c) { return c.charCodeAt(0); });
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      cache.set(key, await new Response(stream).text());
    }
    return cache.get(key);
  }

  // Native SVG tooltips would double ours: move them into data-tip.
  function takeTooltips(svg) {
    svg.querySelectorAll('g.node, g.cluster').forEach(function (g) {
      const a = g.querySelector('a');
      const text = a && (a.getAttributeNS(XLINK, 'title') || a.getAttribute('xlink:title'));
      if (text) { g.dataset.tip = text; }
      if (a) { a.removeAttributeNS(XLINK, 'title'); a.removeAttribute('xlink:title'); }
    });
    svg.querySelectorAll('title').forEach(function (t) { t.remove(); });
  }

  function applyScale() {
    const svg = canvas.querySelector('svg');
    if (!svg) { return; }
    if (!svg.dataset.w) {
      svg.dataset.w = parseFloat(svg.getAttribute('width'));
      svg.dataset.h = parseFloat(svg.getAttribute('height'));
    }
    svg.setAttribute('width', (svg.dataset.w * scale) + 'pt');
    svg.setAttribute('height', (svg.dataset.h * scale) + 'pt');
  }

  async function show(key, anchor, before) {
    canvas.innerHTML = await inflate(key);
    current = key;
    document.body.dataset.view = key;
    const svg = canvas.querySelector('svg');
    takeTooltips(svg);
    applyScale();
    const acts = DATA.actions[key] || {};
    Object.keys(acts).forEach(function (id) {
      const el = document.getElementById(id);
      if (el) { el.classList.add('clickable'); }
    });
    const el = anchor && document.getElementById(anchor);
    if (el && before) {  // keep the clicked block where it was on screen
      const r = el.getBoundingClientRect();
      window.scrollBy(r.left - before.left, r.top - before.top);
    }
  }

  canvas.addEventListener('click', function (e) {
    const g = e.target.closest('g.node, g.cluster');
    const act = g && (DATA.actions[current] || {})[g.id];
    if (!act) { return; }
    tip.hidden = true;
    show(act[0], act[1], g.getBoundingClientRect());
  });

  canvas.addEventListener('mouseover', function (e) {
    const g = e.target.closest('g.node, g.cluster');
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

  document.getElementById('reset').onclick = function () { show(DATA.start); };
  document.getElementById('zoom-in').onclick = function () { scale *= 1.25; applyScale(); };
  document.getElementById('zoom-out').onclick = function () { scale /= 1.25; applyScale(); };
  show(DATA.start);
})();
"""
