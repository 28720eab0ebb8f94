// Forward a message or the whole ticket by mail (issue 14 part 2): to, cc, bcc, a note, the files of the
// forwarded mail(s) to send along, the original as .eml. The recipients' answers come back onto the ticket
// without joining the customer's conversation (docs/threading.md). Like a reply, a forward names the thread
// position the agent saw: when something arrived since, the API answers 409 and nothing is sent. The note is
// rich text, written with the composer's editor (pasted images go inline).

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";
import { api } from "./http.js";
import { toast, field, openDialog, errorText, parseAddresses } from "./ui.js";
import { createEditor } from "./editor.js";

export function openForward({ ticket, message, current = () => ticket, onDone }) {
  const forwarded = message ? [message] : ticket.messages.filter((m) => m.side !== "forward");
  const files = forwarded.flatMap((m) => m.attachments.filter((a) => !a.inline));
  const to = h("input", { type: "text", name: "fwd_to", autocomplete: "off" });
  const cc = h("input", { type: "text", name: "fwd_cc", autocomplete: "off" });
  const bcc = h("input", { type: "text", name: "fwd_bcc", autocomplete: "off" });
  const noteLabel = h("label", { id: uid("note"), text: t("fwd.note") });
  const note = createEditor({ labelId: noteLabel.id, ticketId: ticket.id,
    onError: (e) => { error.textContent = typeof e === "string" ? e : errorText(e); } });
  const picks = files.map((a) => ({ id: a.id,
    box: h("input", { type: "checkbox", name: "fwd_file", value: a.id, checked: true }), name: a.filename }));
  const eml = message && message.direction === "inbound" && message.channel === "email"
    ? h("input", { type: "checkbox", name: "fwd_eml" }) : null;
  const error = h("div", { class: "form-error", role: "alert" });
  const send = h("button", { type: "submit", class: "btn btn-primary", text: t("fwd.send") });
  const form = h("form", { class: "dialog-body forward-form", novalidate: true },
    h("p", { class: "muted", text: t(message ? "fwd.intro.msg" : "fwd.intro.ticket", { number: ticket.number }) }),
    field(t("compose.to"), to, { hint: t("compose.cc.hint") }),
    field(t("compose.cc"), cc),
    field(t("compose.bcc"), bcc, { hint: t("compose.bcc.hint") }),
    h("div", { class: "field field-wide" }, noteLabel, note.el),
    picks.length ? h("fieldset", { class: "fwd-files" }, h("legend", { text: t("fwd.files") }),
      picks.map((p) => h("label", { class: "check" }, p.box, " ", p.name))) : null,
    eml ? h("label", { class: "check" }, eml, " ", t("fwd.eml")) : null,
    error,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }), send));
  const dialog = openDialog(t(message ? "fwd.title.msg" : "fwd.title.ticket"), form, { wide: true });
  to.focus();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const recipients = parseAddresses(to.value);
    if (!recipients.length) {
      error.textContent = t("compose.norecipient");
      return to.focus();
    }
    if (note.uploading()) {
      error.textContent = t("compose.wait");
      return;
    }
    const payload = {
      to: recipients,
      cc: parseAddresses(cc.value),
      bcc: parseAddresses(bcc.value),
      ...(note.empty() ? {} : { note_html: note.mailHtml(), inline: note.inline() }),
      attachment_ids: picks.filter((p) => p.box.checked).map((p) => p.id),
      attach_original: !!(eml && eml.checked),
      seen_thread_version: current().thread_version, // after a 409 the view shows what is new: sent again, it goes
    };
    if (message) payload.message_id = message.id;
    send.disabled = true;
    try {
      await api(`tickets/${encodeURIComponent(ticket.id)}/forwards`, { method: "POST", body: payload });
      toast(t("fwd.sent"), "success");
      dialog.close();
      onDone();
    } catch (err) {
      // 409: the thread grew since; the view reloads and the agent decides with what is new in sight
      error.textContent = err.code === "reply_conflict" ? t("fwd.conflict")
        : err.code === "send_failed" ? t("compose.sendfailed") : errorText(err);
      if (err.code === "reply_conflict" || err.code === "send_failed") onDone();
      if (err.code === "send_failed") dialog.close();
    } finally {
      send.disabled = false;
    }
  });
  return dialog;
}
