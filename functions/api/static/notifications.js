// Notifications (issue 12, part 4): the bell in the header (unread count, list with deep links, mark
// read / all read) and the agent's own settings page (#/settings: event kind × channel).
// The socket's "notification" message carries ids only: the bell re-reads its count (and the list,
// when open) over the REST API. Without the socket it polls every 30 s.

import { h, replace } from "./dom.js";
import { t, fmtRelative } from "./i18n.js";
import { api, loggedIn } from "./http.js";
import { agentName } from "./store.js";
import { onLive, isLive } from "./live.js";
import { busy, failed, loading, setTitle, showError, toast } from "./ui.js";

const KINDS = ["new_ticket", "assigned", "customer_replied", "mentioned", "reopened", "deadline_missed"];
const CHANNELS = ["app", "mail"];
const POLL_MS = 30000;

let unread = 0;
let bellEl = null;
let panel = null;
let timer = null;

function actorName(actor) {
  if (!actor || actor === "system" || actor.startsWith("rule:")) return t("ntf.actor.system");
  if (actor === "customer") return t("ntf.actor.customer");
  return agentName(actor) || actor;
}

function showCount() {
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
    unread = (await api("/notifications/unread")).unread;
  } catch {
    return; // the next message or poll tries again
  }
  showCount();
}

function item(note) {
  const link = h("a", {
    class: "ntf-link", href: `#/ticket/${encodeURIComponent(note.ticket_id)}`,
    on: { click: () => { if (!note.read) markRead(note); close(); } },
  },
  h("span", { class: "ntf-what", text: t(`ntf.kind.${note.kind}`, { number: note.number }) }),
  h("span", { class: "ntf-subject", text: note.subject || t("ticket.nosubject") }),
  note.text ? h("span", { class: "ntf-text", text: note.text }) : null,
  h("span", { class: "ntf-meta muted",
    text: `${actorName(note.actor)} · ${fmtRelative(note.created_at)} · ${t(`ntf.reason.${note.reason}`)}` }));
  return h("li", { class: note.read ? "ntf-item" : "ntf-item ntf-unread", "data-id": note.id }, link);
}

async function markRead(note) {
  try {
    unread = (await api(`/notifications/${encodeURIComponent(note.id)}/read`, { method: "POST" })).unread;
    showCount();
  } catch (error) {
    showError(error);
  }
}

async function fillPanel() {
  if (!panel) return;
  const list = panel.querySelector(".ntf-list");
  let page;
  try {
    page = await api("/notifications", { query: { limit: 20 } });
  } catch (error) {
    failed(list, error, fillPanel);
    return;
  }
  if (!panel) return;
  unread = page.unread;
  showCount();
  replace(list, page.items.length ? page.items.map(item) : h("li", { class: "ntf-empty muted", text: t("ntf.empty") }));
}

function close() {
  if (!panel) return;
  panel.remove();
  panel = null;
  if (bellEl) bellEl.setAttribute("aria-expanded", "false");
  document.removeEventListener("click", outside, true);
  document.removeEventListener("keydown", escape, true);
}

function outside(event) {
  if (panel && !panel.contains(event.target) && !bellEl?.contains(event.target)) close();
}

function escape(event) {
  if (event.key === "Escape" && panel) {
    close();
    bellEl?.focus();
  }
}

function open() {
  if (panel) return close();
  const allRead = h("button", { type: "button", class: "btn btn-small ntf-all-read", text: t("ntf.allread") });
  allRead.addEventListener("click", () => busy(allRead, async () => {
    unread = (await api("/notifications/read-all", { method: "POST" })).unread;
    showCount();
    await fillPanel();
  }));
  panel = h("div", { class: "ntf-panel card", role: "dialog", "aria-label": t("ntf.title") },
    h("div", { class: "ntf-head" },
      h("strong", { text: t("ntf.title") }),
      allRead,
      h("a", { href: "#/settings", class: "ntf-settings", text: t("ntf.settings"), on: { click: close } })),
    h("ul", { class: "ntf-list" }, h("li", { class: "muted", text: t("loading") })));
  bellEl.after(panel);
  bellEl.setAttribute("aria-expanded", "true");
  document.addEventListener("click", outside, true);
  document.addEventListener("keydown", escape, true);
  fillPanel();
}

/** The header's bell (the shell is rebuilt on every route: the count is kept here). */
export function bell() {
  close();
  bellEl = h("button", { type: "button", class: "icon-btn bell", "aria-haspopup": "dialog", "aria-expanded": "false",
    on: { click: open } },
  h("span", { class: "bell-icon", "aria-hidden": "true", text: "🔔" }),
  h("span", { class: "bell-count", hidden: true, text: "0" }));
  showCount();
  refreshCount();
  if (!timer) {
    timer = setInterval(() => { if (!isLive()) refreshCount(); }, POLL_MS);
  }
  return bellEl;
}

onLive((message) => {
  if (message.type === "notification") {
    refreshCount();
    if (panel) fillPanel();
  } else if (message.type === "status" && message.live) {
    refreshCount(); // what arrived while the socket was down
  }
});

// ------------------------------------------------------------------------------- #/settings (my own)

export function mount(main) {
  setTitle(t("ntf.prefs.title"));
  loading(main);
  let alive = true;
  api("/notifications/preferences").then((prefs) => {
    if (!alive) return;
    const boxes = new Map();
    const rows = KINDS.map((kind) => h("tr", {},
      h("th", { scope: "row", text: t(`ntf.pref.${kind}`) }),
      CHANNELS.map((channel) => {
        const box = h("input", { type: "checkbox", name: `${kind}.${channel}`,
          "aria-label": `${t(`ntf.pref.${kind}`)}: ${t(`ntf.channel.${channel}`)}` });
        box.checked = Boolean(prefs.preferences[kind]?.[channel]);
        boxes.set(`${kind}.${channel}`, box);
        return h("td", {}, box);
      })));
    const save = h("button", { type: "submit", class: "btn btn-primary", text: t("save") });
    const form = h("form", { class: "card ntf-prefs", novalidate: true },
      h("h1", { text: t("ntf.prefs.title") }),
      h("p", { class: "muted", text: t("ntf.prefs.intro") }),
      h("table", { class: "table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: t("ntf.prefs.event") }),
          CHANNELS.map((c) => h("th", { scope: "col", text: t(`ntf.channel.${c}`) })))),
        h("tbody", {}, rows)),
      h("div", { class: "form-actions" }, save));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const preferences = Object.fromEntries(KINDS.map((kind) => [kind,
        Object.fromEntries(CHANNELS.map((c) => [c, boxes.get(`${kind}.${c}`).checked]))]));
      busy(save, async () => {
        await api("/notifications/preferences", { method: "PUT", body: { preferences } });
        toast(t("ntf.prefs.saved"), "success");
      });
    });
    replace(main, form);
  }).catch((error) => { if (alive) failed(main, error, () => mount(main)); });
  return () => { alive = false; };
}
