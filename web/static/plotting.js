// Plotly settings shared by the chart tabs, following the page's light/dark theme.

/** Colours of the current theme, read from the CSS variables. */
export function themeColors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    fg: read("--fg") || "#222",
    muted: read("--muted") || "#777",
    grid: read("--grid") || "#e5e5e5",
    dark: document.documentElement.dataset.theme === "dark",
  };
}

/** A base plotly layout with transparent backgrounds and themed axes. */
export function baseLayout(uirevision, height) {
  const theme = themeColors();
  const axis = { gridcolor: theme.grid, zerolinecolor: theme.grid, linecolor: theme.grid, automargin: true };
  return {
    uirevision,
    height,
    margin: { l: 48, r: 12, t: 8, b: 36 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: theme.fg, size: 11 },
    xaxis: { ...axis },
    yaxis: { ...axis },
    hoverlabel: { namelength: -1 },
    showlegend: false,
  };
}

export const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };

/** Draw (or update in place, keeping zoom) a chart; says so inline when plotly is missing. */
export function drawPlot(div, traces, layout) {
  if (!window.Plotly) {
    div.textContent = "Charts unavailable: plotly.min.js did not load.";
    div.classList.add("chart-missing");
    return;
  }
  window.Plotly.react(div, traces, layout, PLOT_CONFIG);
}
