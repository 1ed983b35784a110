// The view state lives in the URL hash so a view can be shared and survives a reload.

export const TABS = ["scalars", "histograms", "distributions", "images", "text", "graph"];
export const X_AXES = ["step", "relative", "wall"];

/** The state a fresh page starts from. */
export function defaultState() {
  return { tab: "scalars", smoothing: 0.6, x: "step", log: false, tagre: "", runre: "", off: [], graphrun: "" };
}

/** Read a state from a location hash such as "#tab=images&smoothing=0.8&off=run1". */
export function parseHash(hash) {
  const state = defaultState();
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const tab = params.get("tab");
  if (TABS.includes(tab)) state.tab = tab;
  const smoothing = Number(params.get("smoothing"));
  if (params.has("smoothing") && Number.isFinite(smoothing)) {
    state.smoothing = Math.min(Math.max(smoothing, 0), 0.999);
  }
  const x = params.get("x");
  if (X_AXES.includes(x)) state.x = x;
  state.log = params.get("log") === "1";
  state.tagre = params.get("tagre") || "";
  state.runre = params.get("runre") || "";
  state.off = params.getAll("off");
  state.graphrun = params.get("graphrun") || "";
  return state;
}

/** Write a state as a hash, leaving out what equals the defaults. */
export function toHash(state) {
  const defaults = defaultState();
  const params = new URLSearchParams();
  params.set("tab", state.tab);
  if (state.smoothing !== defaults.smoothing) params.set("smoothing", String(state.smoothing));
  if (state.x !== defaults.x) params.set("x", state.x);
  if (state.log) params.set("log", "1");
  if (state.tagre) params.set("tagre", state.tagre);
  if (state.runre) params.set("runre", state.runre);
  for (const run of [...state.off].sort()) params.append("off", run);
  if (state.graphrun) params.set("graphrun", state.graphrun);
  return `#${params.toString()}`;
}
