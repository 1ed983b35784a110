// Page bootstrap: URL state, sidebar filters, tab switching, and polling /api/runs for new data.

import { getJson } from "./api.js";
import { assignRunColors } from "./colors.js";
import { DistributionsTab } from "./distributions.js";
import { compileFilter, el, setError } from "./dom.js";
import { GraphTab } from "./graph.js";
import { HistogramsTab } from "./histograms.js";
import { ImagesTab } from "./images.js";
import { ScalarsTab } from "./scalars.js";
import { parseHash, TABS, toHash } from "./state.js";
import { TextTab } from "./text.js";

const POLL_MS = 5000;

const $ = (selector) => document.querySelector(selector);

const ctx = {
  state: parseHash(location.hash),
  generation: null, // Local data version: bumped when the server has new data or on a manual reload.
  runs: [],
  colors: new Map(),
  visibleRuns() {
    const filter = compileFilter(ctx.state.runre);
    const off = new Set(ctx.state.off);
    return ctx.runs.filter((r) => filter.test(r.name) && !off.has(r.name));
  },
  tagFilter() {
    return compileFilter(ctx.state.tagre);
  },
  saveState() {
    history.replaceState(null, "", toHash(ctx.state));
  },
};

const tabs = {
  scalars: new ScalarsTab($("#panel-scalars"), ctx),
  histograms: new HistogramsTab($("#panel-histograms"), ctx),
  distributions: new DistributionsTab($("#panel-distributions"), ctx),
  images: new ImagesTab($("#panel-images"), ctx),
  text: new TextTab($("#panel-text"), ctx),
  graph: new GraphTab($("#panel-graph"), ctx),
};

function activeTab() {
  return tabs[ctx.state.tab];
}

function renderActive() {
  try {
    activeTab().render();
  } catch (err) {
    showBanner(`Could not draw the ${ctx.state.tab} tab: ${err.message}`);
    console.error(err);
  }
}

// ---- Banner for page-level errors (cards show their own) ----

function showBanner(message) {
  setError($("#banner"), message);
}

// ---- Tabs ----

function selectTab(name) {
  ctx.state.tab = name;
  ctx.saveState();
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    button.classList.toggle("active", tab === name);
    button.setAttribute("aria-selected", String(tab === name));
    $(`#panel-${tab}`).hidden = tab !== name;
  }
  document.body.dataset.tab = name;
  renderActive();
}

for (const tab of TABS) $(`#tab-${tab}`).addEventListener("click", () => selectTab(tab));

// ---- Sidebar controls ----

function syncControls() {
  const { state } = ctx;
  $("#smoothing").value = String(state.smoothing);
  $("#smoothing-value").value = String(state.smoothing);
  for (const radio of document.querySelectorAll('input[name="x-axis"]')) radio.checked = radio.value === state.x;
  $("#log-scale").checked = state.log;
  $("#tag-filter").value = state.tagre;
  $("#run-filter").value = state.runre;
  setError($("#tag-filter-error"), ctx.tagFilter().error);
  setError($("#run-filter-error"), compileFilter(state.runre).error);
}

function onScalarOptionChange() {
  ctx.saveState();
  tabs.scalars.redraw();
}

function setSmoothing(value) {
  const number = Number(value);
  if (!Number.isFinite(number)) return;
  ctx.state.smoothing = Math.min(Math.max(number, 0), 0.999);
  $("#smoothing").value = String(ctx.state.smoothing);
  if (document.activeElement !== $("#smoothing-value")) $("#smoothing-value").value = String(ctx.state.smoothing);
  onScalarOptionChange();
}

$("#smoothing").addEventListener("input", (e) => {
  setSmoothing(e.target.value);
  $("#smoothing-value").value = e.target.value;
});
$("#smoothing-value").addEventListener("change", (e) => setSmoothing(e.target.value));
for (const radio of document.querySelectorAll('input[name="x-axis"]')) {
  radio.addEventListener("change", () => {
    ctx.state.x = radio.value;
    onScalarOptionChange();
  });
}
$("#log-scale").addEventListener("change", (e) => {
  ctx.state.log = e.target.checked;
  onScalarOptionChange();
});

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

$("#tag-filter").addEventListener("input", debounce((e) => {
  ctx.state.tagre = e.target.value;
  setError($("#tag-filter-error"), ctx.tagFilter().error);
  ctx.saveState();
  renderActive();
}, 200));
$("#run-filter").addEventListener("input", debounce((e) => {
  ctx.state.runre = e.target.value;
  setError($("#run-filter-error"), compileFilter(ctx.state.runre).error);
  ctx.saveState();
  renderRunList();
  renderActive();
}, 200));

function setRunsChecked(names, checked) {
  const off = new Set(ctx.state.off);
  for (const name of names) {
    if (checked) off.delete(name);
    else off.add(name);
  }
  ctx.state.off = [...off].sort();
  ctx.saveState();
  renderRunList();
  renderActive();
}

$("#runs-all").addEventListener("click", () => setRunsChecked(matchingRuns(), true));
$("#runs-none").addEventListener("click", () => setRunsChecked(matchingRuns(), false));

function matchingRuns() {
  const filter = compileFilter(ctx.state.runre);
  return ctx.runs.map((r) => r.name).filter((name) => filter.test(name));
}

function renderRunList() {
  const list = $("#run-list");
  const off = new Set(ctx.state.off);
  const names = matchingRuns();
  if (!ctx.runs.length) {
    list.replaceChildren(el("li", { class: "muted" }, ctx.generation === null ? "Loading…" : "No runs found in the log directory yet."));
    return;
  }
  if (!names.length) {
    list.replaceChildren(el("li", { class: "muted" }, "No run matches the filter."));
    return;
  }
  list.replaceChildren(
    ...names.map((name) => {
      const run = ctx.runs.find((r) => r.name === name);
      const box = el("input", { type: "checkbox", class: "run-checkbox", value: name, checked: !off.has(name) });
      box.addEventListener("change", () => setRunsChecked([name], box.checked));
      return el("li", { class: "run-item", dataset: { run: name } },
        el("label", { title: name },
          box,
          el("span", { class: "swatch", style: `background:${ctx.colors.get(name)}` }),
          el("span", { class: "run-name" }, name),
          run.errors ? el("span", { class: "run-errors", title: "Records the server could not read" }, `⚠ ${run.errors}`) : null));
    }),
  );
}

// ---- Theme ----

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  $("#theme-toggle").setAttribute("aria-pressed", String(theme === "dark"));
  activeTab().redraw();
}

$("#theme-toggle").addEventListener("click", () => {
  const theme = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  localStorage.setItem("tlboard-theme", theme);
  applyTheme(theme); // Tabs not shown now pick the theme up when they are next drawn.
});

// ---- Polling ----

let polling = false;
let serverGeneration = null;
let reloadRequested = false;

async function poll() {
  if (polling || document.hidden) return; // A background tab need not load the server.
  polling = true;
  try {
    const body = await getJson("api/runs");
    showBanner("");
    $("#status").textContent = `updated ${new Date().toLocaleTimeString()}`;
    if (body.generation !== serverGeneration || reloadRequested) {
      serverGeneration = body.generation;
      reloadRequested = false;
      // Tabs cache per ctx.generation: a new value makes every shown card refetch.
      ctx.generation = (ctx.generation ?? 0) + 1;
      ctx.runs = [...body.runs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      ctx.colors = assignRunColors(ctx.runs.map((r) => r.name));
      renderRunList();
      renderActive();
    }
  } catch (err) {
    showBanner(`${err.message} — showing the last data received; retrying every ${POLL_MS / 1000} s.`);
    $("#status").textContent = "offline";
  } finally {
    polling = false;
  }
}

$("#reload-button").addEventListener("click", () => {
  reloadRequested = true;
  poll();
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) poll();
});

window.addEventListener("hashchange", () => {
  // Someone pasted or edited the URL: adopt its state.
  ctx.state = parseHash(location.hash);
  syncControls();
  renderRunList();
  selectTab(ctx.state.tab);
});

window.addEventListener("resize", debounce(() => {
  if (ctx.state.tab === "graph") return;
  activeTab().redraw();
}, 300));

if (!window.Plotly) showBanner("plotly.min.js did not load: charts are unavailable (images, text and graph still work).");
applyTheme(document.documentElement.dataset.theme || "light");
syncControls();
renderRunList();
selectTab(ctx.state.tab);
poll();
setInterval(poll, POLL_MS);
