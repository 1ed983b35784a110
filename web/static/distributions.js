// Distributions tab: percentile bands over steps from TensorBoard's compressed histograms.

import { getJson, toNumber } from "./api.js";
import { withAlpha } from "./colors.js";
import { el } from "./dom.js";
import { PairTab } from "./histograms.js";
import { baseLayout, drawPlot } from "./plotting.js";

// Basis points of the compressed histogram, and the index pairs that bound each band, outermost first.
export const BASIS_POINTS = [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000];
const BANDS = [[0, 8], [1, 7], [2, 6], [3, 5]];
const MEDIAN = 4;

/** Columns of percentile values: result[i] is the series for BASIS_POINTS[i], looked up by basis point. */
export function percentileSeries(rows) {
  const columns = BASIS_POINTS.map(() => []);
  for (const [, , points] of rows) {
    const byBasis = new Map(points.map(([bp, v]) => [toNumber(bp), toNumber(v)]));
    BASIS_POINTS.forEach((bp, i) => {
      const v = byBasis.get(bp);
      columns[i].push(Number.isFinite(v) ? v : null);
    });
  }
  return columns;
}

export class DistributionsTab extends PairTab {
  constructor(root, ctx) {
    super(root, ctx, {
      field: "histograms", cardClass: "dist-card", emptyText: "No histogram data in the selected runs.",
    });
  }

  setupCard(parts) {
    parts.body.append(el("div", { class: "chart" }));
  }

  fetch(run, tag) {
    return getJson("data/plugin/distributions/distributions", { run, tag });
  }

  draw(card, run, tag, rows) {
    const color = this.ctx.colors.get(run) || "#1f77b4";
    const steps = rows.map((r) => toNumber(r[1]));
    const columns = percentileSeries(rows);
    const traces = [];
    for (const [low, high] of BANDS) {
      const label = `${BASIS_POINTS[low] / 100}%–${BASIS_POINTS[high] / 100}%`;
      traces.push({
        type: "scatter", mode: "lines", x: steps, y: columns[low], line: { width: 0, color }, hoverinfo: "skip",
        showlegend: false,
      });
      traces.push({
        type: "scatter", mode: "lines", x: steps, y: columns[high], fill: "tonexty", name: label,
        fillcolor: withAlpha(color, 0.16), line: { width: 0, color }, hoverinfo: "skip", showlegend: false,
      });
    }
    traces.push({
      // A lone step has no line to draw: show it as a point.
      type: "scatter", mode: steps.length > 1 ? "lines" : "markers", x: steps, y: columns[MEDIAN], name: "median",
      line: { color, width: 1.8 }, marker: { color, size: 7 },
      customdata: steps.map((_, i) => [columns[0][i], columns[8][i]]),
      hovertemplate: "step %{x}<br>median %{y:.4g}<br>min %{customdata[0]:.4g}<br>max %{customdata[1]:.4g}<extra></extra>",
    });
    const layout = baseLayout(`dist|${run}|${tag}`, 260);
    layout.xaxis.title = { text: "step", standoff: 4 };
    layout.hovermode = "closest";
    drawPlot(card.querySelector(".chart"), traces, layout);
  }
}
