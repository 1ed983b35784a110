// Scalar smoothing as TensorBoard draws it.

/**
 * Debiased exponential moving average: last = last*w + (1-w)*v, divided by 1 - w^n where n counts
 * the finite points seen so far. Non-finite points are passed through and do not enter the average.
 */
export function smoothEma(values, weight) {
  const w = Math.min(Math.max(Number(weight) || 0, 0), 0.999);
  const out = new Array(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    count += 1;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}
