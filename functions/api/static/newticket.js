// Record a ticket by hand (phone call, walk-in, letter …), optionally with a first mail to the customer.

import { h } from "./dom.js";
import { t, lang } from "./i18n.js";
import { api } from "./http.js";
import { navigate } from "./router.js";
import { statuses, priorities, queues, agents, mailboxes, projects } from "./store.js";
import { field, selectEl, setTitle, toast, errorText, markInvalid } from "./ui.js";

const CHANNELS = ["phone", "walk_in", "email", "web", "letter", "chat", "other"];

export function mount(main, route) {
  setTitle(t("new.title"));
  const prefill = route.query;
  const subject = h("input", { name: "subject", required: true, maxlength: "500", autocomplete: "off" });
  const body = h("textarea", { name: "body", rows: "8", required: true });
  const email = h("input", { name: "customer.address", type: "email", autocomplete: "off", value: prefill.get("email") || "" });
  const name = h("input", { name: "customer.name", autocomplete: "off", value: prefill.get("name") || "" });
  const phone = h("input", { name: "customer.phone", type: "tel", autocomplete: "off", maxlength: "50" });
  const known = h("small", { class: "hint", role: "status" });
  // A known customer's address brings their name (and phone) unless the agent typed one.
  email.addEventListener("change", async () => {
    const address = email.value.trim();
    known.textContent = "";
    if (!address || name.value.trim()) return;
    const customer = await api(`customers/${encodeURIComponent(address)}`).catch(() => null);
    if (!customer || email.value.trim() !== address || name.value.trim()) return;
    if (customer.name) name.value = customer.name;
    if (customer.phone && !phone.value.trim()) phone.value = customer.phone;
    if (customer.name) known.textContent = t("new.knownname");
  });
  const channel = selectEl(CHANNELS.map((c) => ({ value: c, label: t(`channel.${c}`) })), "phone", { name: "channel" });
  const queue = selectEl([{ value: "", label: t("new.queue.default") }, ...queues().map((q) => ({ value: q.id, label: q.name }))],
    "", { name: "queue" });
  const priority = selectEl(priorities().map((p) => ({ value: p.id, label: p[lang()] })), "medium", { name: "priority" });
  const assignee = selectEl([{ value: "", label: t("ticket.assignee.none") }, ...agents().map((a) => ({ value: a.username, label: a.name }))],
    "", { name: "assignee" });
  const status = selectEl(statuses().filter((s) => s.id !== "trash" && s.id !== "new").map((s) => ({ value: s.id, label: s[lang()] })),
    "open", { name: "status" });
  const mailbox = selectEl([{ value: "", label: t("new.mailbox.default") }, ...mailboxes().map((m) => ({ value: m.id, label: `${m.name} (${m.address})` }))],
    "", { name: "mailbox" });
  const tags = h("input", { name: "tags", autocomplete: "off" });
  const due = h("input", { name: "due_at", type: "datetime-local" });
  const project = h("input", { name: "project", autocomplete: "off", list: "new-projects" });
  const type = h("input", { name: "type", autocomplete: "off" });
  const sendMail = h("input", { type: "checkbox", name: "send_mail" });
  const error = h("div", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("new.submit") });

  const form = h("form", { class: "card form-page", novalidate: true },
    h("h1", { text: t("new.title") }),
    h("p", { class: "muted", text: t("new.intro") }),
    h("div", { class: "form-grid" },
      field(t("new.channel"), channel),
      field(t("new.subject"), subject, { wide: true }),
      field(t("new.body"), body, { wide: true, hint: t("new.body.hint") }),
      field(t("ticket.customer.email"), email),
      field(t("ticket.customer.name"), name),
      field(t("new.phone"), phone),
      known,
      field(t("ticket.queue"), queue),
      field(t("ticket.priority"), priority),
      field(t("ticket.assignee"), assignee),
      field(t("ticket.status"), status),
      field(t("ticket.tags"), tags, { hint: t("ticket.tags.hint") }),
      field(t("ticket.due"), due),
      field(t("ticket.project"), project),
      h("datalist", { id: "new-projects" }, projects().map((p) => h("option", { value: p }))),
      field(t("ticket.type"), type),
      field(t("new.mailbox"), mailbox),
      field(t("new.sendmail"), sendMail, { wide: true, hint: t("new.sendmail.hint") })),
    error,
    h("div", { class: "actions" },
      h("a", { class: "btn btn-quiet", href: "#/inbox", text: t("cancel") }), submit));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!subject.value.trim() || !body.value.trim()) {
      error.textContent = t("new.missing");
      return (subject.value.trim() ? body : subject).focus();
    }
    if (sendMail.checked && !email.value.trim()) {
      error.textContent = t("new.needsemail");
      return email.focus();
    }
    const payload = {
      subject: subject.value.trim(),
      body: body.value,
      channel: channel.value,
      priority: priority.value,
      status: status.value,
      tags: tags.value.split(",").map((s) => s.trim()).filter(Boolean),
      send_mail: sendMail.checked,
    };
    const caller = { name: name.value.trim(), phone: phone.value.trim() };
    if (email.value.trim()) caller.address = email.value.trim();
    if (caller.address || caller.name || caller.phone) payload.customer = caller;
    for (const [key, input] of [["queue", queue], ["assignee", assignee], ["mailbox", mailbox], ["project", project], ["type", type]]) {
      if (input.value.trim()) payload[key] = input.value.trim();
    }
    if (due.value) payload.due_at = new Date(due.value).toISOString();
    submit.disabled = true;
    try {
      const ticket = await api("tickets", { method: "POST", body: payload });
      toast(t("new.created", { number: ticket.number }), "success");
      navigate(["ticket", ticket.id]);
    } catch (err) {
      error.textContent = errorText(err);
      markInvalid(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  subject.focus();
}
