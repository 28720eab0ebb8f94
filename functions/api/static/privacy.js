// Data protection (DSGVO), admins only: delete a ticket in the Papierkorb for good, erase or anonymize a
// customer (with a dry run of what goes, and the address typed again), the audit log.

import { h, replace, clear } from "./dom.js";
import { t, has, fmtDateTime, fmtSize } from "./i18n.js";
import "./i18n-views.js";
import { api } from "./http.js";
import { navigate } from "./router.js";
import { isAdmin } from "./store.js";
import { field, selectEl, toast, errorText, confirmDialog, openDialog, busy } from "./ui.js";

/** The ticket panel's "Endgültig löschen" button; `current()` gives the ticket as shown now. */
export function purgeButton(current) {
  const button = h("button", { type: "button", class: "btn btn-danger", text: t("priv.purge"), hidden: true,
    "data-purge": "" });
  button.addEventListener("click", async () => {
    const ticket = current();
    const ok = await confirmDialog(t("priv.purge.confirm", { number: ticket.number }), { ok: t("priv.purge"), danger: true });
    if (!ok) return;
    try {
      await busy(button, () => api(`tickets/${encodeURIComponent(ticket.id)}`, { method: "DELETE" }), { quiet: true });
      toast(t("priv.purge.done", { number: ticket.number }), "success");
      navigate(["inbox"], new URLSearchParams({ tab: "trash" }));
    } catch (error) {
      toast(errorText(error), "error");
    }
  });
  return {
    node: button,
    update(ticket) { button.hidden = !(isAdmin() && ticket.status === "trash"); },
  };
}

/** The customer page's data-protection card (admins): erase or anonymize, after a dry run. */
export function eraseCard(customer) {
  if (!isAdmin()) return null;
  const open = h("button", { type: "button", class: "btn btn-danger", text: t("priv.erase.open"), "data-erase": "" });
  open.addEventListener("click", () => eraseDialog(customer.email));
  const status = h("p", { role: "status" });
  const exportButton = h("button", { type: "button", class: "btn", text: t("priv.export.open"), "data-export": "" });
  exportButton.addEventListener("click", () => exportData(customer.email, exportButton, status));
  return h("section", { class: "card", "aria-label": t("priv.title") },
    h("h2", { class: "h-small", text: t("priv.title") }),
    h("p", { class: "muted", text: t("priv.export.intro") }),
    h("div", { class: "actions" }, exportButton), status,
    h("p", { class: "muted", text: t("priv.erase.intro") }),
    open);
}

/** Art. 15: the ZIP is built by a job (the request's 15 s, else the scheduled one); the page asks until done. */
async function exportData(email, button, status) {
  status.textContent = t("priv.export.running");
  try {
    let job = await busy(button, () => api(`admin/privacy/customers/${encodeURIComponent(email)}/export`,
      { method: "POST" }), { quiet: true });
    while (job.state === "running") {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      if (!status.isConnected) return;
      job = await api(`admin/privacy/exports/${job.id}`);
    }
    if (job.state !== "done") return void (status.textContent = t("priv.export.failed"));
    replace(status, h("a", { href: job.download_url, download: job.filename, rel: "noopener noreferrer",
      "data-download": "", text: t("priv.export.ready", { size: fmtSize(job.size) }) }));
  } catch (error) {
    status.textContent = errorText(error);
  }
}

async function eraseDialog(email) {
  const body = h("div", { class: "dialog-body" }, h("p", { text: t("loading") }));
  const dialog = openDialog(t("priv.erase.title"), body, { wide: true });
  let preview;
  try {
    preview = await api(`admin/privacy/customers/${encodeURIComponent(email)}`);
  } catch (error) {
    replace(body, h("p", { role: "alert", text: errorText(error) }));
    return;
  }
  const mode = selectEl([
    { value: "delete", label: t("priv.mode.delete") },
    { value: "anonymize", label: t("priv.mode.anonymize") },
  ], "delete", { name: "mode" });
  const shared = selectEl([
    { value: "delete", label: t("priv.shared.delete") },
    { value: "keep_others", label: t("priv.shared.keep") },
  ], "delete", { name: "shared" });
  const confirmInput = h("input", { type: "email", name: "confirm", autocomplete: "off", placeholder: email });
  const error = h("p", { class: "form-error", role: "alert" });
  const go = h("button", { type: "submit", class: "btn btn-danger", text: t("priv.erase.go"), disabled: true });
  confirmInput.addEventListener("input", () => { go.disabled = confirmInput.value.trim().toLowerCase() !== email.toLowerCase(); });
  const form = h("form", { class: "form-grid", novalidate: true },
    h("ul", { class: "field-wide", "data-preview": "" },
      h("li", { text: t("priv.preview.tickets", { n: preview.tickets, shared: preview.shared_tickets }) }),
      h("li", { text: t(preview.attachments_complete ? "priv.preview.messages" : "priv.preview.messages.min",
        { n: preview.messages, files: preview.attachments }) }),
      h("li", { text: preview.customer ? t("priv.preview.record") : t("priv.preview.norecord") }),
      preview.config.length ? h("li", { text: t("priv.preview.config", { n: preview.config.length }) }) : null,
      h("li", { text: t("priv.preview.others") }),
      h("li", { text: t("priv.preview.audit", { hash: preview.subject }) })),
    field(t("priv.mode"), mode, { hint: t("priv.mode.hint") }),
    field(t("priv.shared"), shared, { hint: t("priv.shared.hint") }),
    field(t("priv.confirm", { email }), confirmInput, { wide: true }),
    error,
    h("div", { class: "actions field-wide" },
      h("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }), go));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      const job = await busy(go, () => api(`admin/privacy/customers/${encodeURIComponent(email)}/erase`, {
        method: "POST", body: { mode: mode.value, shared: shared.value, confirm: confirmInput.value.trim() } }), { quiet: true });
      dialog.close();
      toast(job.state === "done" ? t("priv.erase.done", { hash: job.subject }) : t("priv.erase.running"), "success");
      navigate(["customers"]);
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  replace(body, form);
  confirmInput.focus();
}

function summary(entry) {
  if (entry.action === "config.put" || entry.action === "config.delete") {
    const before = entry.before || {};
    const after = entry.after || {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (!entry.before) return t("priv.audit.created");
    if (!entry.after) return t("priv.audit.deleted");
    return keys.map((k) => `${k}: ${short(before[k])} → ${short(after[k])}`).join("; ");
  }
  return Object.entries(entry.detail || {}).filter(([k]) => k !== "numbers" && k !== "job")
    .map(([k, v]) => `${countLabel(k)}: ${k === "reason" && has(`priv.reason.${v}`) ? t(`priv.reason.${v}`) : v}`).join(", ");
}

/** A count's or detail's name in words ("tickets_deleted" → "Tickets gelöscht"); one the client does not know stays as it is. */
function countLabel(key) {
  return has(`priv.count.${key}`) ? t(`priv.count.${key}`) : key;
}

function short(value) {
  const text = value === undefined ? "–" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Administration → Protokoll: the audit log of a month, and the erasure jobs. */
export async function auditSection(container) {
  const month = h("input", { type: "month", name: "month", value: new Date().toISOString().slice(0, 7) });
  const tbody = h("tbody");
  const jobs = h("tbody");
  const status = h("p", { class: "list-status", role: "status" });
  async function load() {
    status.textContent = t("loading");
    try {
      const [log, running] = await Promise.all([
        api("admin/audit", { query: { month: month.value } }),
        api("admin/privacy/jobs"),
      ]);
      clear(tbody);
      for (const e of log.items) {
        tbody.append(h("tr", {},
          h("td", {}, h("time", { datetime: e.at, text: fmtDateTime(e.at) })),
          h("td", { text: e.actor }),
          h("td", { text: t(`priv.action.${e.action}`) }),
          h("td", { text: e.target }),
          h("td", { class: "audit-change", text: summary(e) })));
      }
      clear(jobs);
      for (const j of running.items) {
        jobs.append(h("tr", {},
          h("td", {}, h("time", { datetime: j.started_at, text: fmtDateTime(j.started_at) })),
          h("td", { text: j.actor }),
          h("td", { text: `#${j.subject}` }),
          h("td", { text: t(`priv.mode.${j.mode}`) }),
          h("td", { text: j.state === "done" ? t("priv.job.done") : t("priv.job.running", { phase: t(`priv.phase.${j.phase}`) }) }),
          h("td", { text: Object.entries(j.counts).map(([k, v]) => `${countLabel(k)}: ${v}`).join(", ") })));
      }
      status.textContent = log.items.length ? t("priv.audit.count", { n: log.items.length }) : t("priv.audit.empty");
    } catch (error) {
      status.textContent = errorText(error);
    }
  }
  month.addEventListener("change", load);
  replace(container,
    h("h2", { text: t("adm.audit") }),
    h("p", { class: "muted", text: t("priv.audit.intro") }),
    h("div", { class: "filters-row" }, field(t("priv.audit.month"), month, { cls: "field-inline" })),
    h("div", { class: "table-wrap" }, h("table", { class: "data", "data-audit": "" },
      h("thead", {}, h("tr", {}, [t("priv.col.at"), t("priv.col.actor"), t("priv.col.action"), t("priv.col.target"),
        t("priv.col.change")].map((label) => h("th", { scope: "col", text: label })))),
      tbody)),
    status,
    h("h3", { text: t("priv.jobs") }),
    h("div", { class: "table-wrap" }, h("table", { class: "data", "data-jobs": "" },
      h("thead", {}, h("tr", {}, [t("priv.col.at"), t("priv.col.actor"), t("priv.col.customer"), t("priv.mode"),
        t("priv.col.state"), t("priv.col.counts")].map((label) => h("th", { scope: "col", text: label })))),
      jobs)));
  await load();
}
