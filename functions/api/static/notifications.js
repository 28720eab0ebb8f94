// Notifications (issue 12, part 4): the bell in the header with my unread count. Its list (ntfpanel.js)
// and my settings (settings.js) load on first use. The socket's "notification" message carries ids
// only: the bell re-reads its count (and the list, when open) over the REST API; without the socket
// it polls every 30 s.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { api, loggedIn } from "./http.js";
import { onLive, isLive } from "./live.js";

let unread = 0;
let bellEl = null;
let panel = null; // the open list: {close, fill}
let timer = null;

/** Show `n` (or the last count) on the bell. */
export function setUnread(n) {
  if (typeof n === "number") unread = n;
  if (!bellEl) return;
  const badge = bellEl.querySelector(".bell-count");
  badge.textContent = unread > 99 ? "99+" : String(unread);
  badge.hidden = unread === 0;
  const label = t("ntf.bell", { n: unread });
  bellEl.setAttribute("aria-label", label);
  bellEl.setAttribute("title", label);
  bellEl.dataset.unread = String(unread);
}

async function refreshCount() {
  if (!loggedIn()) return;
  try {
    setUnread((await api("notifications/unread")).unread);
  } catch {
    /* the next message or poll tries again */
  }
}

async function toggle() {
  if (panel) return panel.close();
  const { openPanel } = await import("./ntfpanel.js");
  panel = openPanel(bellEl, setUnread, () => { panel = null; });
}

/** The header's bell (the shell is rebuilt on every route: the count is kept here). */
export function bell() {
  if (panel) panel.close();
  bellEl = h("button", { type: "button", class: "icon-btn bell", "aria-haspopup": "dialog", "aria-expanded": "false",
    on: { click: toggle } },
  h("span", { "aria-hidden": "true", text: "🔔" }), h("span", { class: "bell-count", hidden: true, text: "0" }));
  setUnread();
  refreshCount();
  timer = timer || setInterval(() => { if (!isLive()) refreshCount(); }, 30000);
  return bellEl;
}

onLive((message) => {
  if (message.type === "notification") {
    refreshCount();
    if (panel) panel.fill();
  } else if (message.type === "status" && message.live) {
    refreshCount(); // what arrived while the socket was down
  }
});
