// Histograms tab: an offset "ridge" view, one filled curve per step, later steps lower and in front.

import { getJson, toNumber } from "./api.js";
import { mixColors, withAlpha } from "./colors.js";
import { el, makeCard, pairKey, setError, syncKeyed } from "./dom.js";
import { baseLayout, drawPlot, themeColors } from "./plotting.js";

const MAX_RIDGES = 60;
const BINS = 48;
// Edges beyond this are the "±DBL_MAX" sentinels of open-ended buckets.
const HUGE = 1e300;

/**
 * Re-bin every step's [left, right, count] buckets onto one shared uniform grid so ridges are comparable.
 * A bucket's count is spread over the bins it overlaps in proportion to the overlap; zero-width buckets
 * go to the bin that holds them.
 */
export function rebin(bucketsPerStep, bins = BINS) {
  let lo = Infinity;
  let hi = -Infinity;
  const clean = bucketsPerStep.map((buckets) =>
    buckets
      .map(([l, r, c]) => {
        let left = toNumber(l);
        let right = toNumber(r);
        if (!Number.isFinite(left) || Math.abs(left) > HUGE) left = right;
        if (!Number.isFinite(right) || Math.abs(right) > HUGE) right = left;
        return [left, right, toNumber(c)];
      })
      .filter(([left, right, count]) => Number.isFinite(left) && Number.isFinite(right) && count > 0),
  );
  for (const buckets of clean) {
    for (const [left, right] of buckets) {
      lo = Math.min(lo, left);
      hi = Math.max(hi, right);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  } else if (hi <= lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const centers = Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * width);
  const binIndex = (x) => Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)));
  const counts = clean.map((buckets) => {
    const out = new Array(bins).fill(0);
    for (const [left, right, count] of buckets) {
      if (right <= left) {
        out[binIndex(left)] += count;
        continue;
      }
      for (let b = binIndex(left); b <= binIndex(right); b++) {
        const overlap = Math.min(right, lo + (b + 1) * width) - Math.max(left, lo + b * width);
        if (overlap > 0) out[b] += (count * overlap) / (right - left);
      }
    }
    return out;
  });
  return { lo, hi, centers, counts };
}

/** Indices of at most `limit` items spread evenly, always keeping the first and the last. */
export function evenlySpaced(length, limit) {
  if (length <= limit) return Array.from({ length }, (_, i) => i);
  const picked = new Set();
  for (let k = 0; k < limit; k++) picked.add(Math.round((k * (length - 1)) / (limit - 1)));
  return [...picked].sort((a, b) => a - b);
}

/** Cards for every (run, tag) pair of the visible runs that pass the tag filter, sorted by tag then run. */
export function runTagPairs(ctx, field) {
  const tagFilter = ctx.tagFilter();
  const pairs = [];
  for (const run of ctx.visibleRuns()) {
    for (const tag of run[field] || []) if (tagFilter.test(tag)) pairs.push({ run: run.name, tag });
  }
  pairs.sort((a, b) => (a.tag === b.tag ? (a.run < b.run ? -1 : 1) : a.tag < b.tag ? -1 : 1));
  return pairs;
}

/** Base class of the tabs that show one card per (run, tag), fetched once per data generation. */
export class PairTab {
  constructor(root, ctx, { field, cardClass, emptyText }) {
    this.root = root;
    this.ctx = ctx;
    this.field = field;
    this.cardClass = cardClass;
    this.cache = new Map();
    this.grid = el("div", { class: "card-grid" });
    this.empty = el("p", { class: "empty", hidden: true }, emptyText);
    root.append(this.empty, this.grid);
  }

  render() {
    const pairs = runTagPairs(this.ctx, this.field);
    this.empty.hidden = pairs.length > 0;
    const byKey = new Map(pairs.map((p) => [pairKey(p.run, p.tag), p]));
    const cards = syncKeyed(this.grid, [...byKey.keys()], (key) => {
      const { run, tag } = byKey.get(key);
      const parts = makeCard(this.cardClass, tag, run, this.ctx.colors.get(run));
      parts.card.dataset.run = run;
      parts.card.dataset.tag = tag;
      parts.card._parts = parts;
      this.setupCard(parts, run, tag);
      return parts.card;
    });
    for (const [key, card] of cards) this.updateCard(card, byKey.get(key));
  }

  redraw() {
    for (const card of this.grid.children) {
      const entry = this.cache.get(card.dataset.key);
      if (entry && entry.data) this.draw(card, card.dataset.run, card.dataset.tag, entry.data);
    }
  }

  async updateCard(card, { run, tag }) {
    const key = pairKey(run, tag);
    const generation = this.ctx.generation;
    let entry = this.cache.get(key);
    if (!entry || entry.generation !== generation) {
      const previous = entry && entry.data;
      entry = { generation, data: previous };
      entry.pending = this.fetch(run, tag).then(
        (data) => { entry.data = data; entry.error = null; },
        (err) => { entry.error = err.message; },
      );
      this.cache.set(key, entry);
    }
    await entry.pending;
    if (!card.isConnected) return;
    setError(card._parts.error, entry.error);
    if (entry.data) this.draw(card, run, tag, entry.data);
  }

  setupCard() {}
}

export class HistogramsTab extends PairTab {
  constructor(root, ctx) {
    super(root, ctx, { field: "histograms", cardClass: "hist-card", emptyText: "No histogram data in the selected runs." });
  }

  setupCard(parts) {
    parts.body.append(el("div", { class: "chart" }));
  }

  fetch(run, tag) {
    return getJson("api/histograms", { run, tag });
  }

  draw(card, run, tag, data) {
    const chart = card.querySelector(".chart");
    const picked = evenlySpaced(data.steps.length, MAX_RIDGES);
    const steps = picked.map((i) => toNumber(data.steps[i]));
    const { lo, hi, centers, counts } = rebin(picked.map((i) => data.buckets[i]));
    const peak = Math.max(1e-12, ...counts.flat());
    const first = steps[0] ?? 0;
    const last = steps[steps.length - 1] ?? 1;
    const spacing = steps.length > 1 ? (last - first) / (steps.length - 1) : 1;
    const amplitude = spacing * 3; // Ridges overlap their neighbours a little, as in a joy plot.
    const theme = themeColors();
    // Later steps get the colour that contrasts most with the background.
    const [early, late] = theme.dark ? ["#5c3a1e", "#ffb870"] : ["#fdd0a2", "#a63603"];
    const traces = steps.map((step, k) => {
      const color = mixColors(early, late, steps.length > 1 ? k / (steps.length - 1) : 1);
      const y = counts[k].map((c) => step - (amplitude * c) / peak);
      return {
        type: "scatter", mode: "lines", x: [lo, ...centers, hi], y: [step, ...y, step], fill: "toself",
        fillcolor: withAlpha(color, 0.55), line: { color, width: 1 }, name: `step ${step}`,
        customdata: [0, ...counts[k], 0],
        hovertemplate: `step ${step}<br>x %{x:.4g}<br>count %{customdata:.4g}<extra></extra>`,
      };
    });
    const layout = baseLayout(`hist|${run}|${tag}`, 300);
    layout.yaxis.autorange = "reversed";
    // Ticks only at logged steps: the ridges poke above the first step, where no step exists.
    const tickIndex = evenlySpaced(steps.length, 6);
    layout.yaxis.tickmode = "array";
    layout.yaxis.tickvals = tickIndex.map((i) => steps[i]);
    layout.yaxis.ticktext = tickIndex.map((i) => String(steps[i]));
    layout.yaxis.title = { text: "step", standoff: 4 };
    layout.xaxis.title = { text: "value", standoff: 4 };
    layout.hovermode = "closest";
    drawPlot(chart, traces, layout);
  }
}
