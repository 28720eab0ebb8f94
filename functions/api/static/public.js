// Pages for customers, without login: their ticket behind the signed link (#/t/<token>) and the contact form.

import { h, replace } from "./dom.js";
import { t, lang, fmtDateTime, fmtSize } from "./i18n.js";
import { publicApi } from "./http.js";
import { field, setTitle, errorText, statusBadge, loading, failed } from "./ui.js";
import { mailBody } from "./mailview.js";

// The company's name and its privacy notice (GET public/info) under both customer pages.
let info = null;
async function companyInfo() {
  info = info || publicApi("public/info").catch(() => null);
  return info;
}

async function footer(page) {
  const found = await companyInfo();
  if (!found) return;
  const url = found.privacy_url[lang()];
  page.append(h("p", { class: "muted public-foot" }, found.company,
    url ? [" · ", h("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: t("pub.privacy") })] : null));
}

export function mountTicket(main, route) {
  const token = route.parts.slice(1).join("/");
  setTitle(t("pub.ticket.title"));
  loading(main);
  let alive = true;
  // No double replies: the answer names the newest message the page showed; when we wrote since (409
  // reply_conflict), the page shows our new message, keeps the customer's text and offers to send anyway.
  let held = null; // { text } of an answer that met a conflict, across the reload that shows what is new

  async function load() {
    let ticket;
    try {
      ticket = await publicApi(`public/tickets/${encodeURIComponent(token)}`);
    } catch (error) {
      if (!alive) return;
      if (error.status === 404) {
        return replace(main, h("div", { class: "card public-card" }, h("h1", { text: t("pub.invalid.title") }),
          h("p", { text: t("pub.invalid") }), h("p", {}, h("a", { href: "#/contact", text: t("pub.contact.link") }))));
      }
      return failed(main, error, load);
    }
    if (!alive) return;
    setTitle(`${ticket.number} – ${ticket.subject}`);
    const statusText = lang() === "en" ? ticket.status_label_en : ticket.status_label;
    const text = h("textarea", { name: "body", rows: "6", required: true });
    const last = ticket.messages.length ? ticket.messages[ticket.messages.length - 1].id : null;
    const error = h("div", { class: "form-error", role: "alert" });
    const conflict = h("div", { class: "reply-conflict", role: "alert", hidden: !held });
    if (held) {
      text.value = held.text;
      replace(conflict, h("p", { text: t("pub.conflict") }), h("div", { class: "actions" },
        h("button", { type: "button", class: "btn btn-primary", text: t("pub.conflict.send"),
          on: { click: () => { conflict.hidden = true; form.requestSubmit(); } } })));
      held = null;
    }
    const done = h("p", { class: "success", role: "status" });
    const send = h("button", { type: "submit", class: "btn btn-primary", text: t("pub.reply.send") });
    const form = h("form", { class: "card public-reply", novalidate: true },
      h("h2", { class: "h-small", text: t("pub.reply.title") }),
      field(t("pub.reply.body"), text, { wide: true }), conflict, error, done, h("div", { class: "actions" }, send));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = done.textContent = "";
      if (!text.value.trim()) {
        error.textContent = t("compose.empty");
        return text.focus();
      }
      send.disabled = true;
      try {
        const payload = { body: text.value };
        if (last) payload.seen_message_id = last;
        await publicApi(`public/tickets/${encodeURIComponent(token)}/replies`, { method: "POST", body: payload });
        text.value = "";
        await load();
        const note = document.querySelector(".public-reply .success");
        if (note) note.textContent = t("pub.reply.done");
      } catch (err) {
        if (err.code === "reply_conflict") {
          held = { text: text.value };
          return load();
        }
        error.textContent = err.status === 429 ? t("err.ratelimited") : errorText(err);
      } finally {
        send.disabled = false;
      }
    });
    const page = h("div", { class: "public-page" },
      h("div", { class: "card public-card" },
        h("p", { class: "ticket-number", text: ticket.number }),
        h("h1", { text: ticket.subject }),
        h("p", {}, t("pub.status"), " ", statusBadge(ticket.status, statusText)),
        h("p", { class: "muted", text: t("pub.dates", { created: fmtDateTime(ticket.created_at), updated: fmtDateTime(ticket.updated_at) }) }),
        ticket.solution_due_at ? h("p", { "data-due": "", text: t("pub.due", { date: fmtDateTime(ticket.solution_due_at) }) }) : null),
      h("ol", { class: "thread" }, ticket.messages.map((m) => h("li", { class: ["msg", m.direction === "outbound" ? "msg-out" : "msg-in"] },
        h("article", {},
          h("header", { class: "msg-head" },
            h("strong", { text: m.direction === "outbound" ? m.from_name || t("pub.us") : m.from_name || t("pub.you") }),
            h("time", { datetime: m.created_at, text: fmtDateTime(m.created_at) })),
          mailBody(m),
          m.shortened ? h("p", { class: "muted", text: t("pub.shortened") }) : null,
          m.attachments.length ? h("ul", { class: "attachments" }, m.attachments.map((a) => h("li", {},
            h("a", { href: a.url, class: "attachment", rel: "noopener noreferrer", download: a.filename, text: a.filename }),
            h("span", { class: "muted", text: ` ${fmtSize(a.size)}` })))) : null)))),
      ticket.status === "trash" ? null : form);
    replace(main, page);
    footer(page);
  }
  load();
  return () => { alive = false; };
}

export function mountContact(main, route) {
  setTitle(t("pub.contact.title"));
  const name = h("input", { name: "name", autocomplete: "name" });
  const email = h("input", { name: "email", type: "email", autocomplete: "email", required: true });
  const subject = h("input", { name: "subject", required: true, maxlength: "300" });
  const body = h("textarea", { name: "body", rows: "8", required: true });
  // Honeypot: hidden from people (and from screen readers), filled in by bots; the server drops such requests.
  const website = h("input", { name: "website", type: "text", tabindex: "-1", autocomplete: "off" });
  const error = h("div", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "btn btn-primary", text: t("pub.contact.send") });
  const notice = h("p", { class: "muted", "data-notice": "" });
  const form = h("form", { class: "card public-card contact-card", novalidate: true },
    h("h1", { text: t("pub.contact.title") }),
    h("p", { class: "muted", text: t("pub.contact.intro") }),
    field(t("pub.contact.name"), name),
    field(t("pub.contact.email"), email),
    field(t("pub.contact.subject"), subject),
    field(t("pub.contact.body"), body),
    h("div", { class: "hp", "aria-hidden": "true" }, h("label", { htmlFor: "hp-website", text: "Website" }),
      Object.assign(website, { id: "hp-website" })),
    error, notice,
    h("div", { class: "actions" }, submit));
  companyInfo().then((found) => { if (found) notice.textContent = found.notice[lang()]; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const missing = [[email, !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim())], [subject, !subject.value.trim()],
      [body, !body.value.trim()]].find(([, bad]) => bad);
    if (missing) {
      error.textContent = t("pub.contact.missing");
      missing[0].setAttribute("aria-invalid", "true");
      return missing[0].focus();
    }
    submit.disabled = true;
    try {
      const payload = { name: name.value.trim(), email: email.value.trim(), subject: subject.value.trim(), body: body.value,
        website: website.value };
      if (notice.textContent) payload.notice_lang = lang(); // the notice it showed is kept with the ticket
      const mailbox = route.query.get("mailbox");
      if (mailbox) payload.mailbox = mailbox;
      const result = await publicApi("public/contact", { method: "POST", body: payload });
      replace(main, h("div", { class: "card public-card contact-card", role: "status" },
        h("h1", { text: t("pub.contact.thanks") }),
        h("p", { text: result.number ? t("pub.contact.number", { number: result.number }) : t("pub.contact.received") })));
    } catch (err) {
      error.textContent = err.status === 429 ? t("err.ratelimited") : errorText(err);
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  footer(main);
}
