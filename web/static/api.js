// Fetching from the tlboard server: relative URLs (works behind a path prefix) and readable errors.

const MAX_CONCURRENT = 6;
let active = 0;
const waiting = [];

/** Build a relative URL with query parameters; arrays become repeated parameters. */
export function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
  }
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

async function withSlot(task) {
  // Cap parallel requests so a page with hundreds of charts does not flood the server.
  if (active >= MAX_CONCURRENT) await new Promise((resolve) => waiting.push(resolve));
  active += 1;
  try {
    return await task();
  } finally {
    active -= 1;
    const next = waiting.shift();
    if (next) next();
  }
}

async function describeFailure(response) {
  let detail = response.statusText;
  try {
    const body = await response.json();
    if (body && body.detail !== undefined) {
      detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
    }
  } catch {
    // Not JSON: keep the status text.
  }
  return new Error(`${response.status} ${detail} (${response.url.replace(location.origin, "")})`);
}

async function request(url, init) {
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new Error(`Cannot reach the server: ${err.message}`);
  }
  if (!response.ok) throw await describeFailure(response);
  return response;
}

/** GET a JSON document; rejects with a message naming the status and the URL. */
export function getJson(path, params) {
  return withSlot(async () => (await request(apiUrl(path, params))).json());
}

/** GET a text document. */
export function getText(path, params) {
  return withSlot(async () => (await request(apiUrl(path, params))).text());
}

/** JSON numbers, or the strings "NaN", "Infinity", "-Infinity" the server uses for non-finite values. */
export function toNumber(value) {
  if (typeof value === "number") return value;
  if (value === null || value === undefined) return NaN;
  return Number(value);
}
