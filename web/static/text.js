// Text tab: per (run, tag) the logged texts by step, newest first; the server's HTML is sanitised here.

import { getJson, toNumber } from "./api.js";
import { el, formatWallTime } from "./dom.js";
import { PairTab } from "./histograms.js";

const ALLOWED_TAGS = new Set([
  "A", "B", "BLOCKQUOTE", "BR", "CODE", "DEL", "DIV", "EM", "H1", "H2", "H3", "H4", "H5", "H6", "HR", "I",
  "LI", "OL", "P", "PRE", "S", "SPAN", "STRONG", "SUB", "SUP", "TABLE", "TBODY", "TD", "TH", "THEAD", "TR", "UL",
]);
const DROPPED_WITH_CONTENT = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "TEMPLATE", "NOSCRIPT", "SVG", "MATH"]);

function cleanNode(node) {
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) continue;
    if (child.nodeType !== Node.ELEMENT_NODE) {
      child.remove();
      continue;
    }
    if (DROPPED_WITH_CONTENT.has(child.tagName)) {
      child.remove();
      continue;
    }
    cleanNode(child);
    if (!ALLOWED_TAGS.has(child.tagName)) {
      child.replaceWith(...Array.from(child.childNodes)); // Keep the text of unknown elements.
      continue;
    }
    for (const attr of Array.from(child.attributes)) {
      const keep =
        (attr.name === "href" && child.tagName === "A" && /^(https?:|mailto:|#|\/|\.)/i.test(attr.value.trim())) ||
        attr.name === "title" || (attr.name === "align" && /^(TD|TH)$/.test(child.tagName));
      if (!keep) child.removeAttribute(attr.name);
    }
    if (child.tagName === "A" && child.hasAttribute("href")) {
      child.setAttribute("rel", "noopener noreferrer");
      child.setAttribute("target", "_blank");
    }
  }
}

/** A DocumentFragment of `html` keeping only formatting markup: no scripts, handlers, styles or embeds. */
export function sanitizeHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = String(html); // Template content is inert: nothing loads or runs while we clean it.
  cleanNode(template.content);
  return document.importNode(template.content, true);
}

export class TextTab extends PairTab {
  constructor(root, ctx) {
    super(root, ctx, { field: "text", cardClass: "text-card", emptyText: "No text in the selected runs." });
  }

  setupCard(parts) {
    parts.body.append(el("div", { class: "text-list" }));
  }

  fetch(run, tag) {
    return getJson("data/plugin/text/text", { run, tag });
  }

  draw(card, run, tag, entries) {
    const list = card.querySelector(".text-list");
    const sorted = [...entries].sort((a, b) => toNumber(b.step) - toNumber(a.step));
    list.replaceChildren(
      ...sorted.map((entry) =>
        el("section", { class: "text-entry", dataset: { step: String(entry.step) } },
          el("div", { class: "text-step", title: formatWallTime(toNumber(entry.wall_time)) }, `step ${entry.step}`),
          el("div", { class: "text-body" }, sanitizeHtml(entry.text)))),
    );
    if (!sorted.length) list.textContent = "No text yet.";
  }
}
