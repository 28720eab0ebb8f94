// The bell's list (issue 12, part 4): my newest notifications with links to their tickets, mark read /
// all read, the way to my settings. Loaded when the bell is first opened.

import { h, replace } from "./dom.js";
import { t, fmtRelative } from "./i18n.js";
import { api } from "./http.js";
import { agentName } from "./store.js";
import { busy, failed, showError } from "./ui.js";

function actorName(actor) {
  if (!actor || actor === "system" || actor.startsWith("rule:")) return t("ntf.actor.system");
  if (actor === "customer") return t("ntf.actor.customer");
  return agentName(actor) || actor;
}

/** Open the list under `bell`; returns {close, fill}. `setUnread(n)` shows a new count on the bell,
 * `closed()` is called when the list closes. */
export function openPanel(bell, setUnread, closed) {
  const list = h("ul", { class: "ntf-list" }, h("li", { class: "muted", text: t("loading") }));
  const allRead = h("button", { type: "button", class: "btn btn-small ntf-all-read", text: t("ntf.allread") });
  const panel = h("div", { class: "ntf-panel card", role: "dialog", "aria-label": t("ntf.title") },
    h("div", { class: "ntf-head" }, h("strong", { text: t("ntf.title") }), allRead,
      h("a", { href: "#/settings", text: t("ntf.settings"), on: { click: () => close() } })),
    list);

  function close() {
    panel.remove();
    bell.setAttribute("aria-expanded", "false");
    document.removeEventListener("click", outside, true);
    document.removeEventListener("keydown", escape, true);
    closed();
  }
  function outside(event) {
    if (!panel.contains(event.target) && !bell.contains(event.target)) close();
  }
  function escape(event) {
    if (event.key !== "Escape") return;
    close();
    bell.focus();
  }
  async function markRead(note) {
    try {
      setUnread((await api(`notifications/${encodeURIComponent(note.id)}/read`, { method: "POST" })).unread);
    } catch (error) {
      showError(error);
    }
  }
  function item(note) {
    const link = h("a", { class: "ntf-link", href: `#/ticket/${encodeURIComponent(note.ticket_id)}`,
      on: { click: () => { if (!note.read) markRead(note); close(); } } },
    h("span", { class: "ntf-what", text: t(`ntf.kind.${note.kind}`, { number: note.number }) }),
    h("span", { text: note.subject || t("ticket.nosubject") }),
    note.text ? h("span", { class: "ntf-text", text: note.text }) : null,
    h("span", { class: "ntf-meta", text: `${actorName(note.actor)} · ${fmtRelative(note.created_at)} · ${t(`ntf.reason.${note.reason}`)}` }));
    return h("li", { class: note.read ? "ntf-item" : "ntf-item ntf-unread", "data-id": note.id }, link);
  }
  async function fill() {
    let page;
    try {
      page = await api("notifications", { query: { limit: 20 } });
    } catch (error) {
      failed(list, error, fill);
      return;
    }
    setUnread(page.unread);
    replace(list, page.items.length ? page.items.map(item) : h("li", { class: "muted", text: t("ntf.empty") }));
  }
  allRead.addEventListener("click", () => busy(allRead, async () => {
    setUnread((await api("notifications/read-all", { method: "POST" })).unread);
    await fill();
  }));

  bell.after(panel);
  bell.setAttribute("aria-expanded", "true");
  document.addEventListener("click", outside, true);
  document.addEventListener("keydown", escape, true);
  fill();
  return { close, fill };
}
