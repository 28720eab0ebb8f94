// Customers: list (by name), one customer with their tickets, create and edit.

import { h, replace, clear } from "./dom.js";
import { t, fmtDateTime, fmtRelative } from "./i18n.js";
import { api } from "./http.js";
import { navigate } from "./router.js";
import { statusLabel } from "./store.js";
import {
  field, setTitle, toast, errorText, markInvalid, statusBadge, loading, failed, openDialog,
} from "./ui.js";
import { eraseCard } from "./privacy.js";

export function mount(main, route) {
  if (route.parts[0] === "customer" && route.parts[1]) return detail(main, route.parts[1]);
  return list(main, route);
}

function customerForm(customer, { creating = false, onSaved }) {
  const inputs = {
    email: h("input", { name: "email", type: "email", required: true, value: customer.email || "", readOnly: !creating,
      autocomplete: "off" }),
    name: h("input", { name: "name", value: customer.name || "", autocomplete: "off" }),
    company: h("input", { name: "company", value: customer.company || "", autocomplete: "off" }),
    phone: h("input", { name: "phone", type: "tel", value: customer.phone || "", autocomplete: "off" }),
    external_id: h("input", { name: "external_id", value: customer.external_id || "", autocomplete: "off" }),
    notes: h("textarea", { name: "notes", rows: "4" }),
  };
  inputs.notes.value = customer.notes || "";
  const error = h("div", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: creating ? t("customer.create") : t("save") });
  const form = h("form", { class: "form-grid", novalidate: true },
    field(t("customer.email"), inputs.email),
    field(t("customer.name"), inputs.name),
    field(t("customer.company"), inputs.company),
    field(t("customer.phone"), inputs.phone),
    field(t("customer.external"), inputs.external_id, { hint: t("customer.external.hint") }),
    field(t("customer.notes"), inputs.notes, { wide: true }),
    h("div", { class: "field-wide" }, error),
    h("div", { class: "actions field-wide" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = {};
    for (const key of ["name", "company", "phone", "external_id", "notes"]) body[key] = inputs[key].value.trim();
    submit.disabled = true;
    try {
      let saved;
      if (creating) saved = await api("customers", { method: "POST", body: { email: inputs.email.value.trim(), ...body } });
      else saved = await api(`customers/${encodeURIComponent(customer.email)}`, { method: "PATCH", body });
      toast(t("saved"), "success");
      onSaved(saved);
    } catch (err) {
      error.textContent = errorText(err);
      markInvalid(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function list(main, route) {
  setTitle(t("customers.title"));
  let cursor = null;
  let items = [];
  let requestNo = 0;
  const search = h("input", { type: "search", name: "q", value: route.query.get("q") || "", "data-search": "",
    placeholder: t("customers.search.placeholder"), autocomplete: "off" });
  const tbody = h("tbody");
  const status = h("p", { class: "list-status", role: "status" });
  const more = h("button", { type: "button", class: "btn", text: t("inbox.more"), hidden: true, on: { click: () => load(true) } });
  const add = h("button", { type: "button", class: "btn btn-primary", text: t("customer.new"), on: { click: () => {
    const dialog = openDialog(t("customer.new"), h("div", { class: "dialog-body" }, customerForm({}, { creating: true, onSaved: (c) => {
      dialog.close();
      navigate(["customer", c.email]);
    } })), { wide: true });
  } } });

  main.append(h("div", { class: "page" },
    h("div", { class: "page-head" }, h("h1", { text: t("customers.title") }), add),
    h("div", { class: "filters-row" }, field(t("customers.search"), search, { cls: "field-inline", hint: t("customers.search.hint") })),
    h("div", { class: "table-wrap" }, h("table", { class: "data" },
      h("thead", {}, h("tr", {}, [t("customer.name"), t("customer.email"), t("customer.company"), t("customer.tickets"),
        t("customer.last")].map((label) => h("th", { scope: "col", text: label })))),
      tbody)),
    h("div", { class: "list-foot" }, status, more)));

  async function load(append = false) {
    const mine = ++requestNo;
    status.textContent = t("loading");
    try {
      const page = await api("customers", { query: { q: search.value.trim(), cursor: append ? cursor : null, limit: 50 } });
      if (mine !== requestNo) return;
      items = append ? items.concat(page.items) : page.items;
      cursor = page.cursor;
      clear(tbody);
      for (const c of items) {
        tbody.append(h("tr", {},
          h("td", {}, h("a", { href: `#/customer/${encodeURIComponent(c.email)}`, text: c.name || c.email })),
          h("td", { text: c.email }),
          h("td", { text: c.company || "" }),
          h("td", { class: "num", text: String(c.ticket_count) }),
          h("td", {}, c.last_ticket_at ? h("time", { datetime: c.last_ticket_at, title: fmtDateTime(c.last_ticket_at),
            text: fmtRelative(c.last_ticket_at) }) : "–")));
      }
      status.textContent = items.length ? t("customers.count", { n: items.length }) : t("customers.empty");
      more.hidden = !cursor;
    } catch (error) {
      status.textContent = errorText(error);
    }
  }
  let timer = 0;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => load(), 300); });
  load();
  return () => clearTimeout(timer);
}

function detail(main, email) {
  loading(main);
  async function load() {
    let customer;
    try {
      customer = await api(`customers/${encodeURIComponent(email)}`);
    } catch (error) {
      return failed(main, error, load);
    }
    setTitle(customer.name || customer.email);
    const tickets = h("table", { class: "data" },
      h("thead", {}, h("tr", {}, [t("col.number"), t("col.subject"), t("col.status"), t("col.updated")]
        .map((label) => h("th", { scope: "col", text: label })))),
      h("tbody", {}, customer.tickets.map((ticket) => h("tr", {},
        h("td", { text: ticket.number }),
        h("td", {}, h("a", { href: `#/ticket/${encodeURIComponent(ticket.id)}`, text: ticket.subject || t("ticket.nosubject") })),
        h("td", {}, statusBadge(ticket.status, statusLabel(ticket.status))),
        h("td", {}, h("time", { datetime: ticket.updated_at, title: fmtDateTime(ticket.updated_at), text: fmtRelative(ticket.updated_at) }))))));
    replace(main, h("div", { class: "page" },
      h("p", {}, h("a", { href: "#/customers", class: "back-link", text: t("customers.back") })),
      h("div", { class: "page-head" },
        h("h1", { text: customer.name || customer.email }),
        h("a", { class: "btn", href: `#/new?email=${encodeURIComponent(customer.email)}&name=${encodeURIComponent(customer.name || "")}`,
          text: t("customer.newticket") })),
      h("div", { class: "two-col" },
        h("section", { class: "card", "aria-label": t("customer.data") }, h("h2", { class: "h-small", text: t("customer.data") }),
          customerForm(customer, { onSaved: () => load() })),
        h("section", { class: "card", "aria-label": t("customer.tickets") },
          h("h2", { class: "h-small", text: `${t("customer.tickets")} (${customer.tickets.length})` }),
          customer.tickets.length ? h("div", { class: "table-wrap" }, tickets) : h("p", { class: "muted", text: t("inbox.empty") }))),
      eraseCard(customer)));
  }
  load();
}
