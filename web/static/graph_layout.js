// Graph layout without a library: a name-scope hierarchy, and layered (Sugiyama-style) placement of
// each expanded scope's children: cycles broken by DFS, longest-path layers, barycentre ordering.

const OP_HEIGHT = 36;
const SCOPE_HEIGHT = 42;
const FRAME_PAD = 14;
const FRAME_HEADER = 26;
const CHAR_WIDTH = 6.8; // Rough width of one 12px sans-serif character, enough to size boxes.

/** Split a NodeDef input ("name", "name:1", "^name") into its source op, output index and control flag. */
export function parseInput(input) {
  const control = input.startsWith("^");
  let name = control ? input.slice(1) : input;
  let output = 0;
  const match = /^(.*):(\d+)$/.exec(name);
  if (match) {
    name = match[1];
    output = Number(match[2]);
  }
  return { name, output, control };
}

/** A tensor shape for an edge label: -1 dimensions print as "?", e.g. [-1, 784] -> "?×784". */
export function formatShape(dims) {
  if (!Array.isArray(dims)) return "";
  if (dims.length === 0) return "scalar";
  return dims.map((d) => (d === null || d < 0 ? "?" : String(d))).join("×");
}

function parentOf(path) {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "" : path.slice(0, cut);
}

/** Last segment of a slash-separated name. */
export function baseName(path) {
  return path.slice(path.lastIndexOf("/") + 1);
}

function commonScope(a, b) {
  if (a === b) return a;
  const pa = a ? a.split("/") : [];
  const pb = b ? b.split("/") : [];
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join("/");
}

/**
 * Index a GraphDef's nodes by name scope. An op whose name is also a scope (TF's "dense/kernel" next to
 * "dense/kernel/read") lives inside that scope. Ids: "op:<name>" for ops, "sc:<path>" for scopes.
 */
export function buildHierarchy(nodes) {
  const ops = new Map();
  for (const node of nodes) ops.set(node.name, node);
  const scopes = new Set([""]);
  for (const name of ops.keys()) {
    for (let cut = name.indexOf("/"); cut >= 0; cut = name.indexOf("/", cut + 1)) scopes.add(name.slice(0, cut));
  }
  const children = new Map([...scopes].map((s) => [s, { scopes: [], ops: [] }]));
  for (const scope of scopes) if (scope !== "") children.get(parentOf(scope)).scopes.push(scope);
  const opScope = new Map();
  const opCount = new Map([...scopes].map((s) => [s, 0]));
  for (const name of ops.keys()) {
    const home = scopes.has(name) ? name : parentOf(name);
    opScope.set(name, home);
    children.get(home).ops.push(name);
    for (let s = home; ; s = parentOf(s)) {
      opCount.set(s, opCount.get(s) + 1);
      if (s === "") break;
    }
  }
  for (const entry of children.values()) {
    entry.scopes.sort();
    entry.ops.sort();
  }
  const edges = [];
  const consumers = new Map();
  for (const node of ops.values()) {
    for (const input of node.inputs || []) {
      const { name, output, control } = parseInput(input);
      if (!ops.has(name)) continue; // Dangling input: nothing to draw it from.
      edges.push({ src: name, dst: node.name, output, control });
      if (!consumers.has(name)) consumers.set(name, []);
      consumers.get(name).push(node.name);
    }
  }
  const hierarchy = { ops, scopes, children, opScope, opCount, edges, consumers };
  hierarchy.edgesByScope = groupEdgesByScope(hierarchy);
  return hierarchy;
}

/** The child of `scope` (an op id or a scope id) that contains op `name`; the op must be inside scope. */
export function childItem(h, name, scope) {
  const home = h.opScope.get(name);
  if (home === scope) return `op:${name}`;
  const rest = scope === "" ? home : home.slice(scope.length + 1);
  const cut = rest.indexOf("/");
  const segment = cut < 0 ? rest : rest.slice(0, cut);
  return `sc:${scope === "" ? segment : `${scope}/${segment}`}`;
}

function groupEdgesByScope(h) {
  // Each op edge is laid out in the innermost scope holding both ends, between that scope's children.
  const grouped = new Map();
  for (const { src, dst } of h.edges) {
    const scope = commonScope(h.opScope.get(src), h.opScope.get(dst));
    const a = childItem(h, src, scope);
    const b = childItem(h, dst, scope);
    if (a === b) continue;
    if (!grouped.has(scope)) grouped.set(scope, new Map());
    grouped.get(scope).set(`${a}\n${b}`, [a, b]);
  }
  return new Map([...grouped].map(([scope, pairs]) => [scope, [...pairs.values()]]));
}

/** The drawn box that stands for op `name`: the op itself, or its outermost collapsed scope. */
export function visibleItem(h, name, expanded) {
  let scope = "";
  for (;;) {
    const item = childItem(h, name, scope);
    if (item.startsWith("op:")) return item;
    const path = item.slice(3);
    if (!expanded.has(path)) return item;
    scope = path;
  }
}

/** Scopes to open at first: follow a chain of lone top-level scopes so the first view is not one box. */
export function initialExpanded(h) {
  const expanded = new Set();
  let scope = "";
  for (;;) {
    const entry = h.children.get(scope);
    if (entry.ops.length !== 0 || entry.scopes.length !== 1) return expanded;
    scope = entry.scopes[0];
    expanded.add(scope);
  }
}

function textWidth(text) {
  return text.length * CHAR_WIDTH;
}

/**
 * Place boxes ({id, w, h}) in layers so edges ([fromId, toId]) mostly point down.
 * Returns {pos: Map id -> {x, y, layer}, width, height}.
 */
export function layeredLayout(items, edges, { gapX = 22, gapY = 44 } = {}) {
  const n = items.length;
  const index = new Map(items.map((item, i) => [item.id, i]));
  const succ = Array.from({ length: n }, () => []);
  const seen = new Set();
  for (const [a, b] of edges) {
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined || i === j || seen.has(i * n + j)) continue;
    seen.add(i * n + j);
    succ[i].push(j);
  }

  // Break cycles: an edge into a node still on the DFS stack is reversed.
  const dagSucc = Array.from({ length: n }, () => []);
  const dagPred = Array.from({ length: n }, () => []);
  const dagSeen = new Set();
  const addDag = (i, j) => {
    if (dagSeen.has(i * n + j)) return;
    dagSeen.add(i * n + j);
    dagSucc[i].push(j);
    dagPred[j].push(i);
  };
  const hasPred = new Uint8Array(n);
  for (const list of succ) for (const j of list) hasPred[j] = 1;
  const mark = new Uint8Array(n); // 0 unvisited, 1 on the stack, 2 finished
  const dfsOrder = [];
  const roots = [...Array(n).keys()].sort((a, b) => hasPred[a] - hasPred[b]);
  for (const root of roots) {
    if (mark[root]) continue;
    const stack = [[root, 0]];
    mark[root] = 1;
    dfsOrder.push(root);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [v, k] = top;
      if (k < succ[v].length) {
        top[1] += 1;
        const w = succ[v][k];
        if (mark[w] === 1) {
          addDag(w, v);
        } else {
          addDag(v, w);
          if (mark[w] === 0) {
            mark[w] = 1;
            dfsOrder.push(w);
            stack.push([w, 0]);
          }
        }
      } else {
        mark[v] = 2;
        stack.pop();
      }
    }
  }

  // Longest-path layers over a topological order.
  const indegree = dagPred.map((p) => p.length);
  const topo = [];
  const queue = dfsOrder.filter((v) => indegree[v] === 0);
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q];
    topo.push(v);
    for (const w of dagSucc[v]) if (--indegree[w] === 0) queue.push(w);
  }
  const layer = new Array(n).fill(0);
  for (const v of topo) for (const w of dagSucc[v]) layer[w] = Math.max(layer[w], layer[v] + 1);
  // Sources (constants, variables) sit just above their first consumer instead of all at the top.
  for (let t = topo.length - 1; t >= 0; t--) {
    const v = topo[t];
    if (dagPred[v].length === 0 && dagSucc[v].length > 0) {
      layer[v] = Math.min(...dagSucc[v].map((w) => layer[w])) - 1;
    }
  }
  const layerCount = n ? Math.max(...layer) + 1 : 0;
  const layers = Array.from({ length: layerCount }, () => []);
  for (const v of topo) layers[layer[v]].push(v);

  // Barycentre ordering: sweep down then up a few times.
  const order = new Float64Array(n);
  const renumber = (nodes) => nodes.forEach((v, i) => { order[v] = i; });
  layers.forEach(renumber);
  const sortBy = (nodes, neighbours) => {
    const key = new Map(nodes.map((v) => {
      const list = neighbours[v];
      if (!list.length) return [v, order[v]];
      let sum = 0;
      for (const u of list) sum += order[u];
      return [v, sum / list.length];
    }));
    nodes.sort((a, b) => key.get(a) - key.get(b) || order[a] - order[b]);
    renumber(nodes);
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let L = 1; L < layerCount; L++) sortBy(layers[L], dagPred);
    for (let L = layerCount - 2; L >= 0; L--) sortBy(layers[L], dagSucc);
  }

  // Coordinates: rows by layer; x pulled toward neighbours while keeping order and gaps.
  const width = items.map((item) => item.w);
  const center = new Float64Array(n);
  for (const nodes of layers) {
    let x = 0;
    for (const v of nodes) {
      center[v] = x + width[v] / 2;
      x += width[v] + gapX;
    }
  }
  const place = (nodes, neighbours) => {
    const desired = nodes.map((v) => {
      const list = neighbours[v];
      if (!list.length) return center[v];
      let sum = 0;
      for (const u of list) sum += center[u];
      return sum / list.length;
    });
    // Resolve overlaps pushing right, then pushing left, and average: both keep order and gaps.
    const right = new Array(nodes.length);
    let edge = -Infinity;
    nodes.forEach((v, i) => {
      right[i] = Math.max(desired[i] - width[v] / 2, edge);
      edge = right[i] + width[v] + gapX;
    });
    const left = new Array(nodes.length);
    edge = Infinity;
    for (let i = nodes.length - 1; i >= 0; i--) {
      const v = nodes[i];
      left[i] = Math.min(desired[i] - width[v] / 2, edge - width[v]);
      edge = left[i] - gapX;
    }
    nodes.forEach((v, i) => {
      center[v] = (left[i] + right[i]) / 2 + width[v] / 2;
    });
  };
  for (let pass = 0; pass < 2; pass++) {
    for (let L = 1; L < layerCount; L++) place(layers[L], dagPred);
    for (let L = layerCount - 2; L >= 0; L--) place(layers[L], dagSucc);
  }

  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < n; v++) {
    minX = Math.min(minX, center[v] - width[v] / 2);
    maxX = Math.max(maxX, center[v] + width[v] / 2);
  }
  const pos = new Map();
  let top = 0;
  for (let L = 0; L < layerCount; L++) {
    const rowHeight = Math.max(...layers[L].map((v) => items[v].h));
    for (const v of layers[L]) {
      pos.set(items[v].id, {
        x: center[v] - width[v] / 2 - minX,
        y: top + (rowHeight - items[v].h) / 2,
        layer: L,
      });
    }
    top += rowHeight + gapY;
  }
  return { pos, width: n ? maxX - minX : 0, height: n ? top - gapY : 0 };
}

/**
 * Lay out the whole graph for a set of expanded scopes. Returns {width, height, boxes, edges}: boxes are
 * {id, kind: "op" | "scope", name, x, y, w, h, expanded, depth} in absolute coordinates (expanded scopes
 * first, outermost first, so frames sit under their contents); edges join visible boxes.
 */
export function layoutGraph(h, expanded) {
  const boxes = [];
  const byId = new Map();

  const layoutScope = (scope) => {
    const entry = h.children.get(scope);
    const items = [];
    for (const child of entry.scopes) {
      if (expanded.has(child)) {
        const sub = layoutScope(child);
        const w = Math.max(sub.width + 2 * FRAME_PAD, textWidth(baseName(child)) + 60);
        items.push({ id: `sc:${child}`, w, h: sub.height + FRAME_HEADER + FRAME_PAD, sub });
      } else {
        const label = `${baseName(child)}  (${h.opCount.get(child)})`;
        items.push({ id: `sc:${child}`, w: textWidth(label) + 28, h: SCOPE_HEIGHT });
      }
    }
    for (const name of entry.ops) {
      const op = h.ops.get(name).op || "";
      items.push({ id: `op:${name}`, w: Math.max(textWidth(baseName(name)), textWidth(op) * 0.85) + 26, h: OP_HEIGHT });
    }
    const placed = layeredLayout(items, h.edgesByScope.get(scope) || []);
    return { width: placed.width, height: placed.height, items, pos: placed.pos };
  };

  const flatten = (layout, ox, oy, depth) => {
    for (const item of layout.items) {
      const p = layout.pos.get(item.id);
      const kind = item.id.startsWith("op:") ? "op" : "scope";
      const box = {
        id: item.id, kind, name: item.id.slice(3), x: ox + p.x, y: oy + p.y, w: item.w, h: item.h,
        expanded: Boolean(item.sub), depth,
      };
      byId.set(box.id, box);
      if (item.sub) {
        boxes.push(box);
        flatten(item.sub, box.x + (item.w - item.sub.width) / 2, box.y + FRAME_HEADER, depth + 1);
      }
    }
    for (const item of layout.items) if (!item.sub) boxes.push(byId.get(item.id));
  };

  const root = layoutScope("");
  flatten(root, 0, 0, 0);
  // Frames (expanded scopes) first so they are drawn under everything they contain.
  boxes.sort((a, b) => (a.expanded === b.expanded ? (a.expanded ? a.depth - b.depth : 0) : a.expanded ? -1 : 1));

  const edges = new Map();
  const repCache = new Map();
  const rep = (name) => {
    if (!repCache.has(name)) repCache.set(name, visibleItem(h, name, expanded));
    return repCache.get(name);
  };
  for (const edge of h.edges) {
    const from = rep(edge.src);
    const to = rep(edge.dst);
    if (from === to) continue;
    const key = `${from}\n${to}\n${edge.control ? 1 : 0}`;
    let drawn = edges.get(key);
    if (!drawn) {
      drawn = { from, to, control: edge.control, count: 0, shapes: new Set() };
      edges.set(key, drawn);
    }
    drawn.count += 1;
    if (!edge.control) {
      const shapes = h.ops.get(edge.src).output_shapes;
      drawn.shapes.add(formatShape(Array.isArray(shapes) ? shapes[edge.output] : null));
    }
  }
  const edgeList = [...edges.values()].map((e) => {
    const shape = e.shapes.size === 1 ? [...e.shapes][0] : "";
    const label = e.count > 1 ? `${shape ? `${shape} ` : ""}×${e.count}` : shape;
    return { from: e.from, to: e.to, control: e.control, count: e.count, label };
  });
  return { width: root.width, height: root.height, boxes, byId, edges: edgeList };
}
