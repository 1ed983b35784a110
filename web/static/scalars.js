// Scalars tab: one chart per tag, runs overlaid, smoothing, x-axis modes, log scale, downloads.

import { apiUrl, getJson, toNumber } from "./api.js";
import { withAlpha } from "./colors.js";
import { el, makeCard, pairKey, setError, syncKeyed } from "./dom.js";
import { baseLayout, drawPlot } from "./plotting.js";
import { smoothEma } from "./smoothing.js";

const CHART_HEIGHT = 260;

/** Turn an /api/scalars answer into numeric arrays (non-finite strings become NaN/±Infinity). */
export function parseSeries(body) {
  return {
    step: body.step.map(toNumber),
    wallTime: body.wall_time.map(toNumber),
    value: body.value.map(toNumber),
    total: body.total,
    downsampled: Boolean(body.downsampled),
  };
}

/** X coordinates for one series in the chosen mode: step, hours since its first point, or wall time (ms). */
export function xValues(series, mode) {
  if (mode === "relative") {
    const start = series.wallTime.length ? series.wallTime[0] : 0;
    return series.wallTime.map((t) => (t - start) / 3600);
  }
  if (mode === "wall") return series.wallTime.map((t) => t * 1000);
  return series.step;
}

const X_TITLES = { step: "step", relative: "hours", wall: "wall time" };

export class ScalarsTab {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.cache = new Map(); // pairKey -> {generation, series} | {generation, error}
    this.grid = el("div", { class: "card-grid" });
    this.empty = el("p", { class: "empty", hidden: true }, "No scalar data in the selected runs.");
    root.append(this.empty, this.grid);
  }

  /** Called when the tab becomes visible, the filters change or new data arrived. */
  render() {
    const runs = this.ctx.visibleRuns().filter((r) => r.scalars.length);
    const tagFilter = this.ctx.tagFilter();
    const tags = [...new Set(runs.flatMap((r) => r.scalars))].filter((t) => tagFilter.test(t)).sort();
    this.empty.hidden = tags.length > 0;
    const cards = syncKeyed(this.grid, tags, (tag) => this.createCard(tag));
    for (const [tag, card] of cards) {
      this.updateCard(card, tag, runs.filter((r) => r.scalars.includes(tag)).map((r) => r.name));
    }
  }

  /** Redraw from cached data (smoothing, axis or theme changed): no requests. */
  redraw() {
    for (const card of this.grid.children) {
      if (card._runs) this.draw(card, card.dataset.tag, card._runs);
    }
  }

  createCard(tag) {
    const parts = makeCard("chart-card", tag);
    parts.card.dataset.tag = tag;
    const menu = el("details", { class: "download-menu" }, el("summary", { title: "Download data" }, "Download"));
    parts.tools.append(menu);
    parts.body.append(el("div", { class: "chart" }));
    parts.body.append(el("div", { class: "chart-note" }));
    parts.card._parts = parts;
    parts.card._menu = menu;
    return parts.card;
  }

  async updateCard(card, tag, runNames) {
    card._runs = runNames;
    const token = (card._token = (card._token || 0) + 1);
    this.fillDownloads(card._menu, tag, runNames);
    const chart = card.querySelector(".chart");
    const width = Math.max(100, Math.round(chart.clientWidth || card.clientWidth || 400));
    const generation = this.ctx.generation;
    await Promise.all(runNames.map((run) => this.load(run, tag, width, generation)));
    if (token !== card._token) return; // A newer update for this card is in flight.
    this.draw(card, tag, runNames);
  }

  async load(run, tag, width, generation) {
    const key = pairKey(run, tag);
    const cached = this.cache.get(key);
    if (cached && cached.generation === generation) return cached.pending;
    const entry = { generation };
    entry.pending = getJson("api/scalars", { run, tag, width })
      .then((body) => {
        entry.series = parseSeries(body);
      })
      .catch((err) => {
        entry.error = err.message;
      });
    // Keep showing the previous data while the new one loads.
    if (cached && cached.series && !entry.series) entry.previous = cached.series;
    this.cache.set(key, entry);
    return entry.pending;
  }

  fillDownloads(menu, tag, runNames) {
    const list = el("ul", { class: "download-list" });
    for (const run of runNames) {
      const link = (format) =>
        el("a", { href: apiUrl("api/export", { run, tag, format }), download: true }, format.toUpperCase());
      list.append(el("li", {}, el("span", { class: "download-run" }, run), " ", link("csv"), " ", link("json")));
    }
    menu.querySelector("ul")?.remove();
    menu.append(list);
  }

  draw(card, tag, runNames) {
    const { state, colors } = this.ctx;
    const chart = card.querySelector(".chart");
    const traces = [];
    const errors = [];
    const notes = [];
    for (const run of runNames) {
      const entry = this.cache.get(pairKey(run, tag));
      if (!entry) continue;
      if (entry.error) errors.push(`${run}: ${entry.error}`);
      const series = entry.series || entry.previous;
      if (!series) continue;
      if (series.downsampled) notes.push(`${run}: ${series.step.length} of ${series.total} points`);
      traces.push(...this.tracesFor(run, series, colors.get(run) || "#1f77b4", state));
    }
    setError(card._parts.error, errors.join("\n"));
    card.querySelector(".chart-note").textContent = notes.length ? `Downsampled (spikes kept) — ${notes.join("; ")}` : "";
    const layout = baseLayout(`${tag}|${state.x}|${state.log}`, CHART_HEIGHT);
    layout.xaxis.title = { text: X_TITLES[state.x], standoff: 4 };
    layout.xaxis.type = state.x === "wall" ? "date" : "linear";
    layout.yaxis.type = state.log ? "log" : "linear";
    layout.yaxis.exponentformat = "e";
    layout.hovermode = "closest";
    layout.showlegend = runNames.length > 1;
    layout.legend = { orientation: "h", y: -0.28 };
    if (layout.showlegend) layout.height = CHART_HEIGHT + 24;
    drawPlot(chart, traces, layout);
  }

  tracesFor(run, series, color, state) {
    const x = xValues(series, state.x);
    // A one-point series has no line to draw: show it as a point.
    const mode = series.value.length > 1 ? "lines" : "markers";
    const marker = { color, size: 6 };
    // Plotly leaves gaps at null; ±Infinity would wreck the axis range.
    const raw = series.value.map((v) => (Number.isFinite(v) ? v : null));
    const custom = series.step.map((s, i) => [s, series.value[i]]);
    // The run name comes from fullData so that "%" in a name is never read as a template.
    const hover = "%{fullData.name}<br>step %{customdata[0]}<br>value %{customdata[1]:.6g}";
    if (state.smoothing <= 0) {
      return [{
        type: "scatter", mode, marker, name: run, x, y: raw, customdata: custom,
        line: { color, width: 1.6 }, hovertemplate: `${hover}<extra></extra>`, meta: { run, kind: "raw" },
      }];
    }
    const smooth = smoothEma(series.value, state.smoothing).map((v) => (Number.isFinite(v) ? v : null));
    return [
      {
        type: "scatter", mode, marker: { color: withAlpha(color, 0.28), size: 6 }, name: `${run} (raw)`, x, y: raw,
        legendgroup: run, showlegend: false,
        line: { color: withAlpha(color, 0.28), width: 1 }, hoverinfo: "skip", meta: { run, kind: "raw" },
      },
      {
        type: "scatter", mode, marker, name: run, x, y: smooth, legendgroup: run, customdata: custom,
        line: { color, width: 1.8 }, hovertemplate: `${hover}<br>smoothed %{y:.6g}<extra></extra>`,
        meta: { run, kind: "smoothed" },
      },
    ];
  }
}
