// Small DOM helpers shared by every tab.

/** Create an element: el("div", {class: "x", onclick: fn}, child, "text"). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Escape text for inclusion in HTML or SVG markup built as strings. */
export function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * Make `container`'s keyed children exactly `keys`, in order, reusing existing ones.
 * Reuse keeps plotly charts (and the user's zoom) alive across refreshes.
 */
export function syncKeyed(container, keys, create) {
  const existing = new Map();
  for (const child of Array.from(container.children)) {
    if (child.dataset && child.dataset.key !== undefined) existing.set(child.dataset.key, child);
    else child.remove();
  }
  const wanted = new Set(keys);
  for (const [key, child] of existing) {
    if (!wanted.has(key)) {
      if (window.Plotly) child.querySelectorAll(".js-plotly-plot").forEach((p) => window.Plotly.purge(p));
      child.remove();
    }
  }
  let previous = null;
  const result = new Map();
  for (const key of keys) {
    let child = existing.get(key);
    if (!child) {
      child = create(key);
      child.dataset.key = key;
    }
    const expectedPosition = previous ? previous.nextSibling : container.firstChild;
    if (child !== expectedPosition) container.insertBefore(child, expectedPosition);
    previous = child;
    result.set(key, child);
  }
  return result;
}

/** Compile a user-typed filter; an invalid pattern matches everything and reports why. */
export function compileFilter(text) {
  if (!text) return { test: () => true, error: null };
  try {
    const re = new RegExp(text, "i");
    return { test: (s) => re.test(s), error: null };
  } catch (err) {
    return { test: () => true, error: `Invalid regular expression: ${err.message}` };
  }
}

/** Key for a (run, tag) pair; NUL cannot occur in either. */
export function pairKey(run, tag) {
  return `${run}\u0000${tag}`;
}

/** Show `message` in a card's error line, or hide the line when message is empty. */
export function setError(node, message) {
  node.textContent = message || "";
  node.hidden = !message;
}

/** Format seconds since the epoch as a local date-time string. */
export function formatWallTime(seconds) {
  if (!Number.isFinite(seconds)) return "";
  return new Date(seconds * 1000).toLocaleString();
}

/** A titled card with a header (title, subtitle, tools), a body and an inline error line. */
export function makeCard(className, title, subtitle, color) {
  const tools = el("div", { class: "card-tools" });
  const body = el("div", { class: "card-body" });
  const error = el("div", { class: "card-error", role: "alert", hidden: true });
  const swatch = color ? el("span", { class: "swatch", style: `background:${color}` }) : null;
  const card = el(
    "article",
    { class: `card ${className}` },
    el(
      "header",
      { class: "card-header" },
      el("div", { class: "card-titles" },
        el("h3", { class: "card-title", title }, title),
        subtitle ? el("div", { class: "card-subtitle" }, swatch, subtitle) : null),
      tools,
    ),
    body,
    error,
  );
  return { card, tools, body, error };
}
