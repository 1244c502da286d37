// The trust map's interactive picture (TrustMapGraph): a canvas drawn from the widget's state.
// No library, no CDN: anywidget serves this module from the Python package. Positions come from
// Python (trustmap_layout.py); this draws, filters, zooms, pans and reports the clicked edge.

const PALETTE = [
  "#0969da", "#1a7f37", "#8250df", "#bf3989", "#9a6700", "#0550ae", "#116329",
  "#6639ba", "#953800", "#1b7c83", "#cf222e", "#4d2d00", "#57606a",
];
const EXTERNAL = "#b00020";

function hash(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(h);
}

function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const len = dx * dx + dy * dy;
  let t = len ? ((px - ax) * dx + (py - ay) * dy) / len : 0;
  t = Math.max(0, Math.min(1, t));
  const cx = ax + t * dx - px, cy = ay + t * dy - py;
  return Math.sqrt(cx * cx + cy * cy);
}

function render({ model, el }) {
  el.classList.add("xacct-trustmap-graph");
  const canvas = document.createElement("canvas");
  canvas.className = "xacct-trustmap-canvas";
  const tip = document.createElement("div");
  tip.className = "xacct-trustmap-tip";
  const status = document.createElement("div");
  status.className = "xacct-trustmap-graph-status";
  el.append(canvas, tip, status);
  const ctx = canvas.getContext("2d");
  let view = { scale: 1, tx: 0, ty: 0 };
  let visible = { links: [], nodes: new Uint8Array(0) };
  let focusNode = -1;

  const data = () => model.get("data") || { groups: [], nodes: { id: [] }, links: { row: [] } };

  function colourOf(nodeIndex) {
    const d = data();
    const group = d.groups[d.nodes.group[nodeIndex]];
    const key = model.get("color_by") === "ou"
      ? (group && group.id !== "outside the map" ? group.ou || "(root)" : d.nodes.account[nodeIndex])
      : d.nodes.account[nodeIndex] || d.nodes.id[nodeIndex];
    return PALETTE[hash(String(key)) % PALETTE.length];
  }

  function filter() {
    const d = data();
    const n = d.nodes.id.length;
    const account = model.get("account");
    const ou = model.get("ou");
    const externalOnly = model.get("external_only");
    const needle = (model.get("search") || "").trim().toLowerCase();
    const matches = new Uint8Array(n);
    if (needle) for (let i = 0; i < n; i++) matches[i] = d.nodes.id[i].toLowerCase().includes(needle) ? 1 : 0;
    const ouOf = (i) => { const g = d.groups[d.nodes.group[i]]; return g ? g.ou : ""; };
    const links = [];
    const L = d.links.row.length;
    for (let k = 0; k < L; k++) {
      const s = d.links.source[k], t = d.links.target[k];
      if (account && d.nodes.account[s] !== account && d.nodes.account[t] !== account) continue;
      if (ou && ouOf(s) !== ou && ouOf(t) !== ou) continue;
      if (externalOnly && !d.links.ext[k]) continue;
      if (needle && !matches[s] && !matches[t]) continue;
      links.push(k);
    }
    const nodes = new Uint8Array(n);
    const filtered = account || ou || externalOnly || needle;
    if (!filtered) nodes.fill(1);
    for (const k of links) { nodes[d.links.source[k]] = 1; nodes[d.links.target[k]] = 1; }
    if (needle) for (let i = 0; i < n; i++) if (matches[i]) nodes[i] = 1;
    visible = { links, nodes, matches };
    status.textContent = `${links.length} of ${L} edges, ${nodes.reduce((a, b) => a + b, 0)} of ${n} nodes drawn` +
      " · scroll to zoom, drag to pan, click an edge";
    el.dataset.edgesShown = String(links.length);
  }

  function fit() {
    const d = data();
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const g of d.groups) {
      x0 = Math.min(x0, g.x); y0 = Math.min(y0, g.y);
      x1 = Math.max(x1, g.x + g.w); y1 = Math.max(y1, g.y + g.h);
    }
    if (!isFinite(x0)) { view = { scale: 1, tx: 0, ty: 0 }; return; }
    const w = canvas.clientWidth || 900, h = canvas.clientHeight || 560;
    const scale = Math.min(w / (x1 - x0 + 40), h / (y1 - y0 + 40), 2);
    view = { scale, tx: (w - (x1 - x0) * scale) / 2 - x0 * scale, ty: 20 - y0 * scale };
  }

  function resize() {
    // As wide as the output; as tall as the map needs at that width (240 to 640 px).
    const ratio = window.devicePixelRatio || 1;
    const w = el.clientWidth || 900;
    let aspect = 0.6;
    const groups = data().groups;
    if (groups.length) {
      const width = Math.max(...groups.map((g) => g.x + g.w));
      const height = Math.max(...groups.map((g) => g.y + g.h));
      aspect = (height + 40) / (width + 40);
    }
    const h = Math.round(Math.max(240, Math.min(640, w * aspect)));
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  const sx = (x) => x * view.scale + view.tx;
  const sy = (y) => y * view.scale + view.ty;

  function draw() {
    const d = data();
    const w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px sans-serif";
    const byOu = model.get("color_by") === "ou";
    for (const g of d.groups) {
      const key = byOu ? (g.id === "outside the map" ? g.id : g.ou || "(root)") : g.id;
      ctx.fillStyle = "#f6f8fa";
      ctx.strokeStyle = PALETTE[hash(key) % PALETTE.length];
      ctx.lineWidth = 1.5;
      ctx.fillRect(sx(g.x), sy(g.y), g.w * view.scale, g.h * view.scale);
      ctx.strokeRect(sx(g.x), sy(g.y), g.w * view.scale, g.h * view.scale);
      if (g.w * view.scale > 60) {
        ctx.fillStyle = "#24292f";
        ctx.font = "bold 11px sans-serif";
        ctx.fillText(g.title, sx(g.x) + 6, sy(g.y) + 14);
        ctx.font = "11px sans-serif";
        const sub = [g.name, g.ou].filter(Boolean).join(" · ");
        if (sub) { ctx.fillStyle = "#57606a"; ctx.fillText(sub, sx(g.x) + 6, sy(g.y) + 27); }
      }
    }
    const selected = model.get("selected_row");
    const batches = new Map();
    let chosen = -1;
    for (const k of visible.links) {
      if (d.links.row[k] === selected) chosen = k;
      const s = d.links.source[k];
      const focused = focusNode >= 0 && (s === focusNode || d.links.target[k] === focusNode);
      const colour = d.links.ext[k] ? EXTERNAL : colourOf(s);
      const key = `${colour}|${d.links.cond[k]}|${focused ? 1 : 0}`;
      if (!batches.has(key)) batches.set(key, []);
      batches.get(key).push(k);
    }
    const many = visible.links.length > 2000;
    for (const [key, ks] of batches) {
      const [colour, cond, focused] = key.split("|");
      ctx.beginPath();
      for (const k of ks) {
        const s = d.links.source[k], t = d.links.target[k];
        ctx.moveTo(sx(d.nodes.x[s]), sy(d.nodes.y[s]));
        ctx.lineTo(sx(d.nodes.x[t]), sy(d.nodes.y[t]));
      }
      ctx.strokeStyle = colour;
      ctx.globalAlpha = focused === "1" ? 0.95 : many ? 0.18 : 0.5;
      ctx.lineWidth = focused === "1" ? 2 : 1;
      ctx.setLineDash(cond === "1" ? [4, 3] : []);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    if (chosen >= 0) {
      const s = d.links.source[chosen], t = d.links.target[chosen];
      ctx.beginPath();
      ctx.moveTo(sx(d.nodes.x[s]), sy(d.nodes.y[s]));
      ctx.lineTo(sx(d.nodes.x[t]), sy(d.nodes.y[t]));
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 3;
      ctx.stroke();
    }
    const labels = view.scale * 120 > 70;
    const n = d.nodes.id.length;
    for (let i = 0; i < n; i++) {
      if (!visible.nodes[i]) continue;
      const x = sx(d.nodes.x[i]), y = sy(d.nodes.y[i]);
      if (x < -50 || y < -20 || x > w + 10 || y > h + 10) continue;
      const r = Math.max(2, Math.min(5, 4 * view.scale));
      ctx.fillStyle = d.nodes.external[i] ? EXTERNAL : colourOf(i);
      if (d.nodes.kind[i] === "role") ctx.fillRect(x - r, y - r, 2 * r, 2 * r);
      else { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill(); }
      if (labels || (visible.matches && visible.matches[i]) || i === focusNode) {
        ctx.fillStyle = "#24292f";
        ctx.fillText(d.nodes.label[i], x + r + 3, y + 4);
      }
    }
  }

  function redraw() { filter(); draw(); }

  function nearest(px, py) {
    const d = data();
    let best = -1, bestDist = 6;
    for (const k of visible.links) {
      const s = d.links.source[k], t = d.links.target[k];
      const dist = segmentDistance(px, py, sx(d.nodes.x[s]), sy(d.nodes.y[s]), sx(d.nodes.x[t]), sy(d.nodes.y[t]));
      if (dist < bestDist) { best = k; bestDist = dist; }
    }
    return best;
  }

  function nodeAt(px, py) {
    const d = data();
    for (let i = 0; i < d.nodes.id.length; i++) {
      if (!visible.nodes[i]) continue;
      if (Math.abs(sx(d.nodes.x[i]) - px) < 6 && Math.abs(sy(d.nodes.y[i]) - py) < 6) return i;
    }
    return -1;
  }

  let drag = null;
  canvas.addEventListener("mousedown", (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; });
  canvas.addEventListener("mousemove", (e) => {
    if (drag) {
      const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
      view.tx += dx; view.ty += dy; drag.x = e.offsetX; drag.y = e.offsetY;
      if (drag.moved) draw();
      return;
    }
    const d = data();
    const i = nodeAt(e.offsetX, e.offsetY);
    const k = i < 0 ? nearest(e.offsetX, e.offsetY) : -1;
    const text = i >= 0 ? d.nodes.id[i]
      : k >= 0 ? `${d.nodes.id[d.links.source[k]]} → ${d.nodes.id[d.links.target[k]]}` : "";
    tip.textContent = text;
    tip.style.display = text ? "block" : "none";
    tip.style.left = `${e.offsetX + 12}px`;
    tip.style.top = `${e.offsetY + 12}px`;
  });
  canvas.addEventListener("mouseup", (e) => {
    const wasDrag = drag && drag.moved;
    drag = null;
    if (wasDrag) return;
    const i = nodeAt(e.offsetX, e.offsetY);
    if (i >= 0) { focusNode = focusNode === i ? -1 : i; draw(); return; }
    const k = nearest(e.offsetX, e.offsetY);
    if (k >= 0) {
      model.set("selected_row", data().links.row[k]);
      model.save_changes();
    }
  });
  canvas.addEventListener("mouseleave", () => { drag = null; tip.style.display = "none"; });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    const factor = Math.exp(-e.deltaY * 0.0015);
    const scale = Math.max(0.02, Math.min(20, view.scale * factor));
    view.tx = e.offsetX - (e.offsetX - view.tx) * (scale / view.scale);
    view.ty = e.offsetY - (e.offsetY - view.ty) * (scale / view.scale);
    view.scale = scale;
    draw();
  }, { passive: false });

  // For tests and notebook code: a point of the page where a click picks this edge (a row of
  // TrustMap.edges): along its line, the first spot where no other drawn edge is nearer.
  el.trustMap = {
    edgePoint(row) {
      const d = data();
      const k = visible.links.find((j) => d.links.row[j] === row);
      if (k === undefined) return null;
      const s = d.links.source[k], t = d.links.target[k];
      const r = canvas.getBoundingClientRect();
      for (let f = 0.5; f > 0.04; f -= 0.05) {
        for (const at of [f, 1 - f]) {
          // Whole pixels of the page (a mouse event's clientX/Y), and what a click reads from
          // them: offsetX/Y, which start inside the canvas's border.
          const left = r.left + canvas.clientLeft, top = r.top + canvas.clientTop;
          const px = Math.round(left + sx(d.nodes.x[s]) + at * (sx(d.nodes.x[t]) - sx(d.nodes.x[s])));
          const py = Math.round(top + sy(d.nodes.y[s]) + at * (sy(d.nodes.y[t]) - sy(d.nodes.y[s])));
          const x = px - left, y = py - top;
          if (x < 0 || y < 0 || x > canvas.clientWidth || y > canvas.clientHeight) continue;
          if (nodeAt(x, y) < 0 && nearest(x, y) === k) return { x: px, y: py };
        }
      }
      return null;
    },
    shown: () => visible.links.map((k) => data().links.row[k]),
    rowOf(principal, role) {
      const d = data();
      const k = d.links.row.findIndex((_, j) =>
        d.nodes.id[d.links.source[j]] === principal && d.nodes.id[d.links.target[j]] === role);
      return k < 0 ? null : d.links.row[k];
    },
  };

  const refit = () => { filter(); fit(); draw(); };
  model.on("change:data", () => { resize(); refit(); });
  for (const name of ["account", "ou", "external_only", "search"]) model.on(`change:${name}`, refit);
  model.on("change:color_by", draw);
  model.on("change:selected_row", draw);
  const observer = new ResizeObserver(() => { resize(); fit(); draw(); });
  observer.observe(el);
  resize();
  refit();
  return () => observer.disconnect();
}

export default { render };
