// The API client: relative URLs (the API may live under a stage prefix), bearer token, refresh, errors.

const KEY = "helpdesk.auth";
const EARLY = 120; // seconds before expiry at which the ID token is refreshed

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.error || "error";
    this.field = this.body.field || null;
  }
}

let auth = read();
let refreshing = null;
let timer = 0;
const listeners = new Set();

function read() {
  for (const store of [sessionStorage, localStorage]) {
    try {
      const raw = store.getItem(KEY);
      if (raw) return JSON.parse(raw);
    } catch {
      /* storage blocked or damaged: not logged in */
    }
  }
  return null;
}

function write(next) {
  auth = next;
  for (const store of [sessionStorage, localStorage]) {
    try {
      store.removeItem(KEY);
    } catch {
      /* ignore */
    }
  }
  if (next) {
    try {
      (next.remember ? localStorage : sessionStorage).setItem(KEY, JSON.stringify(next));
    } catch {
      /* private mode: the session lives in memory only */
    }
  }
  schedule();
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(part), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function schedule() {
  clearTimeout(timer);
  if (!auth || !auth.refresh_token) return;
  const wait = Math.max(5, auth.expires_at - Date.now() / 1000 - EARLY);
  timer = setTimeout(() => refresh().catch(() => {}), Math.min(wait, 2 ** 31 / 1000 - 1) * 1000);
}

function store(tokens, username, remember, refreshToken) {
  const c = claims(tokens.id_token);
  const lifetime = tokens.expires_in || (c.exp ? c.exp - Date.now() / 1000 : 3600);
  write({
    id_token: tokens.id_token,
    refresh_token: tokens.refresh_token || refreshToken || null,
    expires_at: Date.now() / 1000 + lifetime,
    username: c["cognito:username"] || username,
    remember: !!remember,
  });
}

/** Called with a reason ("expired", "logout") whenever the session ends. */
export function onAuthLost(fn) {
  listeners.add(fn);
}

export function loggedIn() {
  return !!(auth && auth.id_token);
}

export function username() {
  return auth ? auth.username : "";
}

function lost(reason) {
  write(null);
  for (const fn of listeners) fn(reason);
}

export async function refresh() {
  if (!auth || !auth.refresh_token) throw new ApiError(401, { error: "unauthorized", message: "no session" });
  if (!refreshing) {
    const current = auth;
    refreshing = raw("POST", "auth/refresh", { refresh_token: current.refresh_token }, false)
      .then((tokens) => {
        if (!tokens || !tokens.id_token) throw new ApiError(401, { error: "unauthorized" });
        store(tokens, current.username, current.remember, current.refresh_token);
      })
      .catch((error) => {
        if (error.status === 401 || error.status === 400) lost("expired");
        throw error;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** POST auth/login; resolves to {challenge, session} when Cognito wants a new password first. */
export async function login(name, password, remember) {
  const tokens = await raw("POST", "auth/login", { username: name, password }, false);
  if (tokens.challenge) return { challenge: tokens.challenge, session: tokens.session };
  store(tokens, name, remember);
  return {};
}

export async function newPassword(name, session, password, remember) {
  const tokens = await raw("POST", "auth/new-password", { username: name, session, new_password: password }, false);
  if (tokens.challenge) return { challenge: tokens.challenge, session: tokens.session };
  store(tokens, name, remember);
  return {};
}

export function logout() {
  lost("logout");
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === null || value === undefined || value === "") continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function raw(method, path, body, authed, query) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (authed && auth) headers.Authorization = `Bearer ${auth.id_token}`;
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, { error: "network", message: String(error && error.message) });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw new ApiError(response.status, typeof data === "object" && data ? data : { message: data });
  return data;
}

/** An authenticated API call: api("tickets", {query: {...}}), api("tickets/x", {method: "PATCH", body}). */
export async function api(path, { method = "GET", body, query } = {}) {
  if (auth && auth.refresh_token && auth.expires_at - Date.now() / 1000 < 30) {
    await refresh().catch(() => {});
  }
  if (!auth) throw new ApiError(401, { error: "unauthorized", message: "not logged in" });
  try {
    return await raw(method, path, body, true, query);
  } catch (error) {
    if (error.status !== 401 || !auth) throw error;
    if (!auth.refresh_token) {
      lost("expired");
      throw error;
    }
    await refresh();
    return raw(method, path, body, true, query);
  }
}

/** The ID token for the live socket's ?token=, refreshed first when it ends within `margin` seconds. */
export async function freshToken(margin = 60) {
  if (auth && auth.refresh_token && auth.expires_at - Date.now() / 1000 < margin) await refresh().catch(() => {});
  return auth ? auth.id_token : "";
}

/** Calls without login (customer pages). */
export function publicApi(path, { method = "GET", body, query } = {}) {
  return raw(method, path, body, false, query);
}

/** Upload a file with a presigned S3 POST (url + fields) and report progress (0..1). */
export function uploadTo(target, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(target.fields || {})) form.append(key, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", target.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(target.key);
      else reject(new ApiError(xhr.status, { error: "upload_failed", message: `S3 ${xhr.status}` }));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { error: "upload_failed", message: "blocked" })));
    xhr.addEventListener("abort", () => reject(new ApiError(0, { error: "aborted", message: "aborted" })));
    xhr.send(form);
  });
}

schedule();
