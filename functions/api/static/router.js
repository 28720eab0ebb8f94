// Hash routes (#/ticket/<id>, #/inbox?status=…): the page itself always stays at the API's base URL,
// so every relative URL (assets, API calls) resolves against the stage prefix.

export function current() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, search = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query: new URLSearchParams(search) };
}

export function href(parts, query) {
  const path = parts.map((p) => encodeURIComponent(p)).join("/");
  const qs = query ? new URLSearchParams(query).toString() : "";
  return `#/${path}${qs ? "?" + qs : ""}`;
}

export function navigate(parts, query, { replace = false } = {}) {
  const target = href(parts, query);
  if (location.hash === target) {
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else if (replace) {
    history.replaceState(null, "", target);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = target;
  }
}

/** Change the query of the current route without a re-render (filters). */
export function setQuery(query) {
  const { parts } = current();
  history.replaceState(null, "", href(parts, query));
}
