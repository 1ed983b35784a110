// Stable colours per run: a hash of the name picks a palette slot; clashes probe to the next free slot.

const PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#bcbd22", "#862e9c", "#3b5bdb", "#e8590c",
  "#0ca678", "#c2255c", "#5f3dc4", "#f59f00",
];

function hashName(name) {
  // FNV-1a, 32 bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Map each run name to a colour; the same set of runs always gets the same colours. */
export function assignRunColors(runNames) {
  const colors = new Map();
  const used = new Set();
  for (const name of [...runNames].sort()) {
    let slot = hashName(name) % PALETTE.length;
    if (used.size < PALETTE.length) {
      while (used.has(slot)) slot = (slot + 1) % PALETTE.length;
    }
    used.add(slot);
    colors.set(name, PALETTE[slot]);
  }
  return colors;
}

/** "#rrggbb" plus an alpha in [0, 1] as an rgba() string. */
export function withAlpha(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Linear interpolation between two "#rrggbb" colours, t in [0, 1]. */
export function mixColors(fromHex, toHex, t) {
  const a = parseInt(fromHex.slice(1), 16);
  const b = parseInt(toHex.slice(1), 16);
  const channel = (shift) => Math.round(((a >> shift) & 255) * (1 - t) + ((b >> shift) & 255) * t);
  const value = (channel(16) << 16) | (channel(8) << 8) | channel(0);
  return `#${value.toString(16).padStart(6, "0")}`;
}
