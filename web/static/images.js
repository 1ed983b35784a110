// Images tab: a card per (run, tag) with the image at its real pixel size and a step slider.

import { apiUrl, getJson, toNumber } from "./api.js";
import { el, formatWallTime, setError } from "./dom.js";
import { PairTab } from "./histograms.js";

const ZOOMS = [1, 2, 4, 8, 16];
const TINY = 64; // Images narrower than this are enlarged by default, or they would be specks.

/** Default zoom: 1 (actual pixels), or for tiny images the largest power of two keeping them <= 160 px wide. */
export function autoZoom(width) {
  if (!(width > 0) || width >= TINY) return 1;
  let zoom = 1;
  while (zoom < 16 && width * zoom * 2 <= 160) zoom *= 2;
  return zoom;
}

export class ImagesTab extends PairTab {
  constructor(root, ctx) {
    super(root, ctx, { field: "images", cardClass: "image-card", emptyText: "No images in the selected runs." });
  }

  setupCard(parts, run, tag) {
    const card = parts.card;
    card._index = null; // null: follow the latest step.
    card._zoom = null; // null: automatic (see autoZoom).
    const img = el("img", { class: "image", alt: `${tag} (${run})`, decoding: "async" });
    img.addEventListener("click", () => {
      const current = card._zoom ?? autoZoom(card._width);
      card._zoom = ZOOMS[(ZOOMS.indexOf(current) + 1) % ZOOMS.length];
      this.applyZoom(card);
    });
    img.addEventListener("error", () => setError(parts.error, "The image could not be loaded."));
    img.addEventListener("load", () => setError(parts.error, ""));
    const slider = el("input", { type: "range", class: "step-slider", min: 0, max: 0, value: 0, "aria-label": "step" });
    slider.addEventListener("input", () => {
      const entries = card._entries || [];
      const index = Number(slider.value);
      card._index = index === entries.length - 1 ? null : index;
      this.show(card);
    });
    const zoomLabel = el("button", { class: "zoom-button", type: "button", title: "Zoom (click the image too)" }, "1×");
    zoomLabel.addEventListener("click", () => img.click());
    parts.tools.append(zoomLabel);
    parts.body.append(
      el("div", { class: "image-frame" }, img),
      el("div", { class: "image-meta" }),
      slider,
    );
  }

  fetch(run, tag) {
    return getJson("data/plugin/images/images", { run, tag, sample: 0 });
  }

  draw(card, run, tag, entries) {
    card._entries = entries;
    const slider = card.querySelector(".step-slider");
    slider.max = String(Math.max(0, entries.length - 1));
    slider.hidden = entries.length < 2;
    this.show(card);
  }

  show(card) {
    const entries = card._entries || [];
    const img = card.querySelector("img");
    const meta = card.querySelector(".image-meta");
    if (!entries.length) {
      img.removeAttribute("src");
      meta.textContent = "No images yet.";
      return;
    }
    const index = card._index === null ? entries.length - 1 : Math.min(card._index, entries.length - 1);
    card.querySelector(".step-slider").value = String(index);
    const entry = entries[index];
    const src = apiUrl("data/plugin/images/individualImage") + "?" + entry.query;
    if (img.getAttribute("src") !== src) img.setAttribute("src", src);
    card._width = toNumber(entry.width);
    card._height = toNumber(entry.height);
    meta.textContent =
      `step ${entry.step} · ${entry.width}×${entry.height} · ${formatWallTime(toNumber(entry.wall_time))}` +
      (entries.length > 1 ? ` · ${index + 1}/${entries.length}` : "");
    this.applyZoom(card);
  }

  applyZoom(card) {
    const img = card.querySelector("img");
    const zoom = card._zoom ?? autoZoom(card._width);
    card.querySelector(".zoom-button").textContent = `${zoom}×`;
    // Actual pixels by default; enlarged images stay crisp (pixelated) rather than blurred.
    if (Number.isFinite(card._width) && card._width > 0) {
      img.style.width = `${card._width * zoom}px`;
      img.style.height = "auto";
    }
    img.classList.toggle("zoomed", zoom > 1);
  }
}
