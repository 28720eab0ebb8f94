// The set-up checklist (GET admin/setup): an admin of a helpdesk that still lacks what mail needs (a mailbox,
// the default queue, auto-reply texts …) sees it above the ticket list, each item linking where it is done.
// It disappears once every required item is done; optional ones (signature, a colleague) never keep it open.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { api } from "./http.js";
import { href } from "./router.js";
import { isAdmin } from "./store.js";

const WHERE = {
  admin: "agents", mailbox: "mailboxes", default_queue: "queues", mailbox_queues: "mailboxes",
  queue_notify: "queues", autoreply: "mailboxes", signature: "settings", team: "agents",
};
const MARK = { done: "✓", todo: "○", warn: "!", unknown: "?" };

function words(item) {
  const params = {};
  for (const [key, value] of Object.entries(item.params || {})) params[key] = value ? `(${value})` : "";
  return t(`setup.${item.code}`, params).trim();
}

export function setupChecklist() {
  const box = h("section", { class: "setup-checklist", hidden: true, "aria-labelledby": "setup-title",
    "data-setup-checklist": "" });
  if (!isAdmin()) return box;
  api("admin/setup").then((result) => {
    if (!result.open) return;
    box.append(
      h("h2", { id: "setup-title", text: t("setup.title") }),
      h("p", { text: t("setup.intro", { open: result.open }) }),
      h("ul", {}, result.items.map((item) => h("li", { class: `setup-item setup-${item.state}`, "data-setup": item.code,
        "data-state": item.state },
        h("span", { class: "setup-mark", role: "img", "aria-label": t(`setup.state.${item.state}`),
          text: MARK[item.state] }),
        h("a", { href: href(["admin", WHERE[item.code] || "settings"]), text: words(item) }),
        item.required ? null : h("span", { class: "setup-optional", text: t("setup.optional") })))));
    box.hidden = false;
  }).catch((error) => console.warn("set-up checklist unavailable", error)); // a hint: the list works without it
  return box;
}
