// Graph tab: the run's GraphDef as an SVG diagram grouped by name scope, with pan/zoom and a node panel.

import { getText } from "./api.js";
import { el, escapeHtml, setError } from "./dom.js";
import { baseName, buildHierarchy, formatShape, initialExpanded, layoutGraph, parseInput } from "./graph_layout.js";

const MAX_LISTED = 200;

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function edgePath(a, b) {
  const x1 = a.x + a.w / 2;
  const y1 = a.y + a.h;
  const x2 = b.x + b.w / 2;
  const y2 = b.y;
  const bend = Math.max(30, Math.abs(y2 - y1) / 2);
  return { d: `M${x1},${y1} C${x1},${y1 + bend} ${x2},${y2 - bend} ${x2},${y2}`, mx: (x1 + x2) / 2, my: (y1 + y2) / 2 };
}

/** SVG markup for a laid-out graph (strings, not DOM calls, so thousands of nodes stay quick). */
export function graphSvg(layout, hierarchy, selectedId) {
  const parts = [];
  for (const box of layout.boxes) {
    if (box.kind !== "scope" || !box.expanded) continue;
    parts.push(
      `<g class="scope-node expanded" data-id="${escapeHtml(box.id)}">` +
        `<rect class="frame" x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="10"/>` +
        `<rect class="frame-header" x="${box.x}" y="${box.y}" width="${box.w}" height="24" rx="10"/>` +
        `<text class="frame-label" x="${box.x + 10}" y="${box.y + 16}">▾ ${escapeHtml(baseName(box.name))}</text>` +
        `<title>${escapeHtml(box.name)} — click the header to collapse</title></g>`,
    );
  }
  const edgeParts = [];
  const labelParts = [];
  for (const edge of layout.edges) {
    const a = layout.byId.get(edge.from);
    const b = layout.byId.get(edge.to);
    if (!a || !b) continue;
    const { d, mx, my } = edgePath(a, b);
    const width = Math.min(1 + Math.log2(edge.count), 5);
    edgeParts.push(
      `<path class="edge${edge.control ? " control" : ""}" d="${d}" style="stroke-width:${width}" ` +
        `marker-end="url(#graph-arrow)" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}"/>`,
    );
    if (edge.label) {
      labelParts.push(`<text class="edge-label" x="${mx + 4}" y="${my}">${escapeHtml(edge.label)}</text>`);
    }
  }
  const nodeParts = [];
  for (const box of layout.boxes) {
    if (box.kind === "scope" && box.expanded) continue;
    const selected = box.id === selectedId ? " selected" : "";
    const cx = box.x + box.w / 2;
    if (box.kind === "scope") {
      nodeParts.push(
        `<g class="scope-node${selected}" data-id="${escapeHtml(box.id)}">` +
          `<rect class="stack" x="${box.x + 4}" y="${box.y + 4}" width="${box.w}" height="${box.h}" rx="8"/>` +
          `<rect class="box" x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="8"/>` +
          `<text class="label" x="${cx}" y="${box.y + 18}">${escapeHtml(baseName(box.name))}</text>` +
          `<text class="sub" x="${cx}" y="${box.y + 33}">${plural(hierarchy.opCount.get(box.name), "op")}</text>` +
          `<title>${escapeHtml(box.name)} — click to expand</title></g>`,
      );
    } else {
      const op = hierarchy.ops.get(box.name).op || "";
      nodeParts.push(
        `<g class="op-node${selected}" data-id="${escapeHtml(box.id)}">` +
          `<rect class="box" x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="16"/>` +
          `<text class="label" x="${cx}" y="${box.y + 16}">${escapeHtml(baseName(box.name))}</text>` +
          `<text class="sub" x="${cx}" y="${box.y + 29}">${escapeHtml(op)}</text>` +
          `<title>${escapeHtml(box.name)} (${escapeHtml(op)})</title></g>`,
      );
    }
  }
  return (
    `<svg id="graph-svg" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%">` +
    `<defs><marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" ` +
    `orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    `<g id="graph-viewport">${parts.join("")}<g class="edges">${edgeParts.join("")}</g>` +
    `<g class="edge-labels">${labelParts.join("")}</g><g class="nodes">${nodeParts.join("")}</g></g></svg>`
  );
}

export class GraphTab {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.run = null;
    this.source = null; // Raw JSON text of the shown graph, to skip redraws when nothing changed.
    this.hierarchy = null;
    this.expanded = new Set();
    this.selected = null;
    this.view = { x: 20, y: 20, k: 1 };
    this.loadedGeneration = null;

    this.select = el("select", { id: "graph-run", "aria-label": "Run" });
    this.select.addEventListener("change", () => {
      this.ctx.state.graphrun = this.select.value;
      this.ctx.saveState();
      this.render();
    });
    const button = (label, title, action) => el("button", { type: "button", class: "tool-button", title, onclick: action }, label);
    this.summary = el("span", { class: "graph-summary" });
    this.error = el("div", { class: "card-error", role: "alert", hidden: true });
    this.empty = el("p", { class: "empty", hidden: true }, "No run has a graph.");
    this.viewBox = el("div", { id: "graph-view", tabindex: 0 });
    this.info = el("aside", { id: "graph-info" }, el("p", { class: "muted" }, "Click a node to see its details; click a scope to open it."));
    root.append(
      el("div", { class: "graph-toolbar" },
        el("label", {}, "Run ", this.select),
        button("Fit", "Fit the graph in the view", () => this.fit()),
        button("Collapse all", "Close every scope", () => this.setExpanded(new Set(), null)),
        this.summary),
      this.error,
      this.empty,
      el("div", { class: "graph-layout" }, this.viewBox, this.info),
    );
    this.installPanZoom();
  }

  runsWithGraph() {
    return this.ctx.runs.filter((r) => r.graph).map((r) => r.name);
  }

  render() {
    const runs = this.runsWithGraph();
    this.empty.hidden = runs.length > 0;
    this.select.replaceChildren(...runs.map((name) => el("option", { value: name }, name)));
    if (!runs.length) {
      this.viewBox.replaceChildren();
      return;
    }
    const run = runs.includes(this.ctx.state.graphrun) ? this.ctx.state.graphrun : runs[0];
    this.select.value = run;
    if (run === this.run && this.loadedGeneration === this.ctx.generation) return;
    this.load(run, this.ctx.generation);
  }

  redraw() {}

  async load(run, generation) {
    const changedRun = run !== this.run;
    this.run = run;
    this.loadedGeneration = generation;
    if (changedRun) this.viewBox.replaceChildren(el("p", { class: "muted loading" }, "Loading graph…"));
    let text;
    try {
      text = await getText("api/graph", { run });
    } catch (err) {
      if (run !== this.run) return;
      this.loadedGeneration = null; // Try again on the next refresh.
      setError(this.error, `Could not load the graph of ${run}: ${err.message}`);
      if (changedRun) this.viewBox.replaceChildren();
      return;
    }
    if (run !== this.run) return;
    setError(this.error, "");
    if (!changedRun && text === this.source) return;
    let graph;
    try {
      graph = JSON.parse(text);
    } catch (err) {
      setError(this.error, `The server sent an unreadable graph: ${err.message}`);
      return;
    }
    this.source = text;
    this.hierarchy = buildHierarchy(graph.nodes || []);
    if (changedRun) {
      this.expanded = initialExpanded(this.hierarchy);
      this.selected = null;
      this.info.replaceChildren(el("p", { class: "muted" }, "Click a node to see its details; click a scope to open it."));
    } else {
      // Keep what the user opened, minus scopes that no longer exist.
      this.expanded = new Set([...this.expanded].filter((s) => this.hierarchy.scopes.has(s)));
    }
    this.summary.textContent = `${plural(this.hierarchy.ops.size, "op")}, ${plural(this.hierarchy.scopes.size - 1, "scope")}`;
    this.draw();
    if (changedRun) this.fit();
  }

  draw() {
    this.layout = layoutGraph(this.hierarchy, this.expanded);
    this.viewBox.innerHTML = graphSvg(this.layout, this.hierarchy, this.selected);
    this.applyView();
  }

  applyView() {
    const g = this.viewBox.querySelector("#graph-viewport");
    if (g) g.setAttribute("transform", `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
  }

  fit() {
    if (!this.layout) return;
    const width = this.viewBox.clientWidth || 800;
    const height = this.viewBox.clientHeight || 600;
    const k = Math.min(1, (width - 40) / Math.max(1, this.layout.width), (height - 40) / Math.max(1, this.layout.height));
    const scale = Math.max(0.02, k);
    this.view = {
      k: scale,
      x: (width - this.layout.width * scale) / 2,
      y: Math.max(20, (height - this.layout.height * scale) / 2),
    };
    this.applyView();
  }

  /** Change the open scopes, keeping box `anchorId` at the same place on screen. */
  setExpanded(expanded, anchorId) {
    const before = anchorId && this.layout.byId.get(anchorId);
    this.expanded = expanded;
    this.draw();
    const after = anchorId && this.layout.byId.get(anchorId);
    if (before && after) {
      this.view.x += (before.x - after.x) * this.view.k;
      this.view.y += (before.y - after.y) * this.view.k;
      this.applyView();
    } else if (!anchorId) {
      this.fit();
    }
  }

  toggleScope(path) {
    const expanded = new Set(this.expanded);
    if (expanded.has(path)) {
      for (const s of expanded) if (s === path || s.startsWith(`${path}/`)) expanded.delete(s);
    } else {
      expanded.add(path);
    }
    this.setExpanded(expanded, `sc:${path}`);
  }

  /** Open the scopes around op `name`, select it and centre it. */
  reveal(name) {
    const expanded = new Set(this.expanded);
    const home = this.hierarchy.opScope.get(name);
    if (home) {
      const segments = home.split("/");
      for (let i = 1; i <= segments.length; i++) expanded.add(segments.slice(0, i).join("/"));
    }
    this.selected = `op:${name}`;
    this.expanded = expanded;
    this.draw();
    const box = this.layout.byId.get(this.selected);
    if (box) {
      this.view.x = this.viewBox.clientWidth / 2 - (box.x + box.w / 2) * this.view.k;
      this.view.y = this.viewBox.clientHeight / 2 - (box.y + box.h / 2) * this.view.k;
      this.applyView();
    }
    this.showOp(name);
  }

  selectBox(id) {
    this.selected = id;
    this.viewBox.querySelectorAll(".selected").forEach((n) => n.classList.remove("selected"));
    this.viewBox.querySelector(`[data-id="${CSS.escape(id)}"]`)?.classList.add("selected");
    if (id.startsWith("op:")) this.showOp(id.slice(3));
    else this.showScope(id.slice(3));
  }

  showOp(name) {
    const node = this.hierarchy.ops.get(name);
    const link = (target, text) =>
      this.hierarchy.ops.has(target)
        ? el("button", { type: "button", class: "link", onclick: () => this.reveal(target) }, text)
        : el("span", { class: "muted" }, `${text} (missing)`);
    const inputs = (node.inputs || []).slice(0, MAX_LISTED).map((input) => {
      const { name: src, output, control } = parseInput(input);
      const shapes = this.hierarchy.ops.get(src)?.output_shapes;
      const shape = !control && Array.isArray(shapes) ? formatShape(shapes[output]) : "";
      return el("li", {}, link(src, input), shape ? el("span", { class: "shape" }, ` ${shape}`) : null,
        control ? el("span", { class: "muted" }, " control") : null);
    });
    const consumers = [...new Set(this.hierarchy.consumers.get(name) || [])].slice(0, MAX_LISTED);
    const attrs = Object.entries(node.attrs || {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const shapes = Array.isArray(node.output_shapes) ? node.output_shapes.map(formatShape) : [];
    this.info.replaceChildren(
      el("h3", { class: "info-title" }, baseName(name)),
      el("dl", { class: "info-fields" },
        el("dt", {}, "name"), el("dd", { class: "mono" }, name),
        el("dt", {}, "op"), el("dd", { class: "mono info-op" }, node.op || ""),
        node.device ? [el("dt", {}, "device"), el("dd", { class: "mono" }, node.device)] : null,
        shapes.length ? [el("dt", {}, "outputs"), el("dd", { class: "mono" }, shapes.join(", "))] : null),
      el("h4", {}, `Inputs (${(node.inputs || []).length})`),
      inputs.length ? el("ul", { class: "info-list info-inputs" }, inputs) : el("p", { class: "muted" }, "none"),
      el("h4", {}, `Consumers (${consumers.length})`),
      consumers.length
        ? el("ul", { class: "info-list" }, consumers.map((c) => el("li", {}, link(c, c))))
        : el("p", { class: "muted" }, "none"),
      el("h4", {}, `Attributes (${attrs.length})`),
      attrs.length
        ? el("table", { class: "info-attrs" }, attrs.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", { class: "mono" }, String(v)))))
        : el("p", { class: "muted" }, "none"),
    );
  }

  showScope(path) {
    const counts = new Map();
    for (const [name, home] of this.hierarchy.opScope) {
      if (home === path || home.startsWith(`${path}/`)) {
        const op = this.hierarchy.ops.get(name).op || "?";
        counts.set(op, (counts.get(op) || 0) + 1);
      }
    }
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 15);
    this.info.replaceChildren(
      el("h3", { class: "info-title" }, path),
      el("p", {}, `${plural(this.hierarchy.opCount.get(path), "op")} in this scope.`),
      el("button", { type: "button", class: "tool-button", onclick: () => this.toggleScope(path) },
        this.expanded.has(path) ? "Collapse" : "Expand"),
      el("h4", {}, "Op types"),
      el("table", { class: "info-attrs" }, top.map(([op, n]) => el("tr", {}, el("th", {}, op), el("td", {}, String(n))))),
    );
  }

  installPanZoom() {
    const view = this.viewBox;
    let drag = null;
    view.addEventListener("wheel", (event) => {
      event.preventDefault();
      const rect = view.getBoundingClientRect();
      const px = event.clientX - rect.left;
      const py = event.clientY - rect.top;
      const k = Math.min(4, Math.max(0.02, this.view.k * Math.exp(-event.deltaY * 0.0015)));
      // Zoom about the cursor: the graph point under it stays put.
      this.view.x = px - ((px - this.view.x) * k) / this.view.k;
      this.view.y = py - ((py - this.view.y) * k) / this.view.k;
      this.view.k = k;
      this.applyView();
    }, { passive: false });
    view.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, vx: this.view.x, vy: this.view.y, moved: false };
    });
    view.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) view.setPointerCapture(event.pointerId);
      drag.moved = true;
      view.classList.add("dragging");
      this.view.x = drag.vx + dx;
      this.view.y = drag.vy + dy;
      this.applyView();
    });
    const endDrag = (event) => {
      if (drag && drag.moved && view.hasPointerCapture(event.pointerId)) view.releasePointerCapture(event.pointerId);
      view.classList.remove("dragging");
      this.suppressClick = Boolean(drag && drag.moved);
      drag = null;
    };
    view.addEventListener("pointerup", endDrag);
    view.addEventListener("pointercancel", endDrag);
    view.addEventListener("click", (event) => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      const target = event.target.closest("[data-id]");
      if (!target) return;
      const id = target.dataset.id;
      if (target.classList.contains("op-node")) {
        this.selectBox(id);
      } else if (target.classList.contains("scope-node")) {
        // An open scope only closes from its header, so clicks inside its frame do nothing surprising.
        if (target.classList.contains("expanded") && !event.target.closest(".frame-header, .frame-label")) return;
        this.toggleScope(id.slice(3));
        this.selected = id;
        this.showScope(id.slice(3));
      }
    });
  }
}
