// The API client of the pages. The token lives in sessionStorage (this tab only, gone when it
// closes) and is sent as `Authorization: Bearer`; no cookie is ever set, so there is no
// ambient credential for another site to ride on (no CSRF surface).

const TOKEN_KEY = 'debrief.apiToken';

export const ROLES = ['viewer', 'editor', 'publisher', 'admin'];

/** Whether `role` includes `needed` (roles are ordered). @param {string} role @param {string} needed */
export const can = (role, needed) => ROLES.indexOf(role) >= ROLES.indexOf(needed);

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  /** @param {string} token */
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An API error in the one error shape: `{ error: { code, message, details, requestId } }`. */
export class ApiError extends Error {
  /** @param {number} status @param {any} body the error answer's JSON as sent (null when it was not JSON) */
  constructor(status, body) {
    const apiError = body && typeof body === 'object' && body.error ? body.error : null;
    super(apiError?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = apiError?.code ?? 'http_error';
    /** @type {Array<{ path: string, message: string }>} */
    this.details = Array.isArray(apiError?.details) ? apiError.details : [];
    this.requestId = apiError?.requestId ?? null;
    this.body = body;
  }
}

/**
 * The version someone else saved, when `err` is the 409 of a report write made with a stale
 * ETag (the answer carries it as `current`); null for any other error.
 * @param {unknown} err @returns {import('./api-types').StaleReport['current'] | null}
 */
export const staleReport = (err) => (err instanceof ApiError && err.status === 409 && err.body?.current ? err.body.current : null);

/** The sign-in page, coming back to where the user was. */
export function signInUrl() {
  const next = location.pathname + location.search;
  return `/ui/sign-in?next=${encodeURIComponent(next)}`;
}

/**
 * One API call with the signed-in token. Resolves `{ status, data, etag, response }`; rejects
 * with ApiError on a non-2xx answer. A 401 forgets the token and goes to the sign-in page.
 * @param {string} path
 * @param {{ method?: string, body?: unknown, ifMatch?: string | null, token?: string, as?: 'json' | 'text' | 'blob' }} [opts]
 */
export async function request(path, opts = {}) {
  const token = opts.token ?? tokenStore.get();
  if (!token) {
    location.assign(signInUrl());
    throw new ApiError(401, null);
  }
  /** @type {Record<string, string>} */
  const headers = { Authorization: `Bearer ${token}`, Accept: opts.as === 'text' || opts.as === 'blob' ? '*/*' : 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  const response = await fetch(path, {
    method: opts.method ?? 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
  });
  if (!response.ok) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (response.status === 401 && !opts.token) {
      tokenStore.clear();
      location.assign(signInUrl());
    }
    throw new ApiError(response.status, body);
  }
  let data = null;
  if (response.status !== 204) {
    if (opts.as === 'text') data = await response.text();
    else if (opts.as === 'blob') data = await response.blob();
    else data = await response.json();
  }
  return { status: response.status, data, etag: response.headers.get('ETag'), response };
}

/** GET and return the JSON body. @param {string} path */
export async function getJson(path) {
  return (await request(path)).data;
}

/**
 * Query string from an object, leaving out empty values.
 * @param {Record<string, unknown>} params
 */
export function qs(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** @type {Promise<{ name: string, role: string }> | null} */
let mePromise = null;
/** Who the token belongs to (cached for the page's life). */
export function me() {
  mePromise ??= getJson('/api/v1/me');
  return mePromise;
}

/** Path-safe incident id from the page URL (`/ui/incidents/:id[/...]`). */
export function incidentIdFromPath() {
  const match = /^\/ui\/incidents\/([A-Za-z0-9._-]+)/.exec(location.pathname);
  return match ? match[1] : null;
}

/** URL-encoded path segment. @param {string} text */
export const seg = (text) => encodeURIComponent(text);
