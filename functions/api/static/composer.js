// The composer: reply by mail (the message answered picked at it, reply-all, templates, Cc, Bcc, attachments, "Originalnachricht anhängen", "Einreichen als")
// or an internal comment. Drafts are kept per ticket in localStorage. The reply is rich text (the editor module:
// bold, italic, lists, links, quotes, pasted images inline) or, with "Nur Text" (remembered), plain text; the mail
// answered is quoted below it (team setting quote_replies, per reply "Zitat mitsenden"); templates come filled in.
// No double replies: a reply names the thread position the agent saw (the ticket's thread_version, kept
// current by every update of the view, live ones included). When something arrived since, the API answers
// 409 reply_conflict: the composer shows what is new and offers "Trotzdem senden" / "Entwurf behalten".

import { h, replace, uid } from "./dom.js";
import { t, lang, fmtSize, fmtDateTime } from "./i18n.js";
import { api, uploadTo } from "./http.js";
import { state, statusLabel, targets, agents, agentName } from "./store.js";
import { toast, field, selectEl, errorText, formatAddress, parseAddresses } from "./ui.js";
import { createEditor } from "./editor.js";

const MAX_BYTES = 10 * 1024 * 1024;
const DRAFT_PREFIX = "helpdesk.draft.";
const PLAIN = "helpdesk.plaintext";

function readDraft(ticketId) {
  try {
    return JSON.parse(localStorage.getItem(DRAFT_PREFIX + ticketId) || "null") || {};
  } catch {
    return {};
  }
}

function writeDraft(ticketId, draft) {
  try {
    const empty = !draft.body && !(draft.rich || []).length && !draft.comment && !draft.cc && !draft.bcc && !(draft.files || []).length && !draft.commentTags;
    if (empty) localStorage.removeItem(DRAFT_PREFIX + ticketId);
    else localStorage.setItem(DRAFT_PREFIX + ticketId, JSON.stringify({ ...draft, saved_at: new Date().toISOString() }));
  } catch {
    /* storage full or blocked: the draft lives only on this page */
  }
}

// The message answered (the one picked, else the customer's newest mail) and its To/Cc: the server's
// reply-all defaults of that message (one home for them: services/outbound.py reply_defaults).
function answered(ticket, answerId) {
  if (answerId) {
    const picked = ticket.messages.find((m) => m.id === answerId);
    if (picked) return picked;
  }
  const inbound = ticket.messages.filter((m) => m.direction === "inbound" && m.channel === "email" && m.side !== "forward");
  return inbound[inbound.length - 1] || null;
}

function replyDefaults(ticket, message) {
  const all = message && message.reply_all;
  const to = all ? all.to : ticket.customer ? [ticket.customer] : [];
  const cc = all ? all.cc : [];
  return { to: to.map(formatAddress).join(", "), cc: cc.map(formatAddress).join(", ") };
}

export function createComposer({ ticketId, onDone, onTyping }) {
  const draft = readDraft(ticketId);
  let ticket = null;
  let seen = null; // the thread_version of the ticket as the view shows it
  let mode = draft.mode === "comment" ? "comment" : "reply";
  let defaults = { to: "", cc: "" };
  let answerId = null; // the message the agent picked to answer (null: the customer's newest mail)
  let files = (draft.files || []).map((f) => ({ ...f, state: "done", progress: 1 }));
  let templates = null;
  let saveTimer = 0;

  const replyTab = h("button", { type: "button", class: "tab", "data-mode": "reply", text: t("compose.reply") });
  const commentTab = h("button", { type: "button", class: "tab", "data-mode": "comment", text: t("compose.comment") });
  const title = h("h2", { class: "sr-only", id: uid("compose"), text: t("compose.title") });

  // reply form
  const to = h("input", { type: "text", name: "to", autocomplete: "off" });
  const cc = h("input", { type: "text", name: "cc", autocomplete: "off", value: draft.cc || "" });
  const bcc = h("input", { type: "text", name: "bcc", autocomplete: "off", value: draft.bcc || "" });
  const answering = h("p", { class: "compose-answering muted", hidden: true });
  const templateLang = selectEl([{ value: "de", label: "Deutsch" }, { value: "en", label: "English" }],
    draft.templateLang || lang(), { name: "template_language" });
  const template = h("select", { name: "template" });
  const body = h("textarea", { name: "body", rows: "9", value: draft.body || "" });
  body.value = draft.body || "";
  let plain = localStorage.getItem(PLAIN) === "1";
  const bodyLabel = h("label", { id: uid("body"), text: t("compose.body") });
  const editor = createEditor({ labelId: bodyLabel.id, ticketId, onInput: typed,
    onFiles: (list) => Promise.all(list.map(upload)), onError: (e) => { replyError.textContent = typeof e === "string" ? e : errorText(e); } });
  if (draft.rich) editor.setTree(draft.rich);
  else if (draft.body && !plain) editor.setText(draft.body);
  const plainToggle = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-pressed": String(plain),
    text: t("compose.plain"), on: { click: () => setPlain(!plain) } });
  const bodySlot = h("div", { class: "field field-wide compose-body" });
  const quoteBox = h("input", { type: "checkbox", name: "quote" });
  const quoted = h("details", { class: "compose-quote" });
  const attachOriginal = h("input", { type: "checkbox", name: "attach_original", checked: !!draft.attachOriginal });
  const fileInput = h("input", { type: "file", name: "files", multiple: true });
  const fileList = h("ul", { class: "upload-list", "aria-live": "polite" });
  const submitAs = h("select", { name: "status" });
  const sendButton = h("button", { type: "submit", class: "btn btn-primary", text: t("compose.send") });
  const replyError = h("div", { class: "form-error", role: "alert" });
  const conflictBox = h("div", { class: "reply-conflict", role: "alert", hidden: true });
  const replyForm = h("form", { class: "compose-form", novalidate: true, "data-mode": "reply" },
    answering,
    h("div", { class: "compose-grid" },
      field(t("compose.to"), to, { hint: t("compose.to.hint") }),
      field(t("compose.cc"), cc, { hint: t("compose.cc.hint") })),
    field(t("compose.bcc"), bcc, { hint: t("compose.bcc.hint") }),
    h("div", { class: "compose-grid compose-templates" },
      field(t("compose.template.lang"), templateLang),
      field(t("compose.template"), template, { hint: t("compose.template.hint") })),
    bodySlot,
    h("div", { class: "compose-quote-row" }, h("label", { class: "check" }, quoteBox, " ", t("compose.quote")), quoted),
    h("div", { class: "compose-grid" },
      h("div", {}, field(t("compose.files"), fileInput, { hint: t("compose.files.hint") }), fileList),
      h("div", {}, field(t("compose.original"), attachOriginal),
        field(t("compose.submitas"), submitAs))),
    replyError,
    conflictBox,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "btn btn-quiet", text: t("compose.discard"), on: { click: discard } }),
      sendButton));

  // comment form
  const comment = h("textarea", { name: "comment", rows: "5", value: draft.comment || "" });
  comment.value = draft.comment || "";
  const commentTags = h("input", { type: "text", name: "comment_tags", autocomplete: "off", value: draft.commentTags || "" });
  const commentButton = h("button", { type: "submit", class: "btn btn-note", text: t("compose.comment.save") });
  const commentError = h("div", { class: "form-error", role: "alert" });
  const commentForm = h("form", { class: "compose-form compose-note", novalidate: true, "data-mode": "comment" },
    field(t("compose.comment.body"), comment, { wide: true, hint: t("compose.comment.hint") }),
    field(t("compose.comment.tags"), commentTags, { hint: t("ticket.tags.hint") }),
    commentError,
    h("div", { class: "actions" }, commentButton));

  const restored = h("p", { class: "muted draft-note", hidden: !draft.saved_at, text: t("compose.restored") });
  const el = h("section", { class: "composer", "aria-labelledby": title.id },
    title,
    h("div", { class: "tabs compose-tabs", role: "group", "aria-label": t("compose.mode") }, replyTab, commentTab),
    restored, replyForm, commentForm);

  function setMode(next) {
    mode = next;
    replyForm.hidden = mode !== "reply";
    commentForm.hidden = mode !== "comment";
    replyTab.setAttribute("aria-pressed", String(mode === "reply"));
    commentTab.setAttribute("aria-pressed", String(mode === "comment"));
    el.classList.toggle("composer-note", mode === "comment");
    save();
  }
  replyTab.addEventListener("click", () => setMode("reply"));
  commentTab.addEventListener("click", () => setMode("comment"));

  function setPlain(next) {
    if (next !== plain) {
      if (next) body.value = editor.text();
      else editor.setText(body.value);
    }
    plain = next;
    plainToggle.setAttribute("aria-pressed", String(plain));
    try { localStorage.setItem(PLAIN, plain ? "1" : "0"); } catch { /* remembered on this page only */ }
    replace(bodySlot, h("div", { class: "compose-body-head" }, plain ? field(t("compose.body"), body).firstChild : bodyLabel, plainToggle),
      plain ? body : editor.el);
    save();
  }

  function typed() {
    save();
    if (onTyping) onTyping();
  }

  function currentDraft() {
    return {
      mode,
      body: plain ? body.value : "",
      rich: plain ? null : editor.tree(),
      to: to.value !== defaults.to ? to.value : "",
      cc: cc.value !== defaults.cc ? cc.value : "",
      bcc: bcc.value,
      ccTouched: cc.value !== defaults.cc,
      status: submitAs.value,
      attachOriginal: attachOriginal.checked,
      quote: quoteBox.checked,
      templateLang: templateLang.value,
      files: files.filter((f) => f.state === "done").map(({ key, name, size }) => ({ key, name, size })),
      comment: comment.value,
      commentTags: commentTags.value,
    };
  }

  function save() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(() => writeDraft(ticketId, currentDraft()), 300);
  }
  for (const input of [to, cc, bcc, body, comment, commentTags]) input.addEventListener("input", save);
  // Presence: typing the reply tells the others on this ticket ("Anna schreibt eine Antwort").
  if (onTyping) body.addEventListener("input", () => onTyping());
  for (const input of [submitAs, attachOriginal, templateLang, quoteBox]) input.addEventListener("change", save);

  // templates
  async function loadTemplates() {
    replace(template, h("option", { value: "", text: t("loading") }));
    try {
      const result = await api("templates", { query: { mailbox: ticket && ticket.mailbox, language: templateLang.value, ticket_id: ticketId } });
      templates = result.items;
    } catch (error) {
      templates = [];
      toast(errorText(error), "error");
    }
    replace(template, h("option", { value: "", text: templates.length ? t("compose.template.choose") : t("compose.template.none") }),
      ...templates.map((item) => h("option", { value: item.id, text: item.name })));
  }
  templateLang.addEventListener("change", loadTemplates);
  template.addEventListener("change", () => {
    const chosen = (templates || []).find((item) => item.id === template.value);
    if (!chosen) return;
    const filled = chosen.filled || chosen.body; // as it is sent: the variables filled in for this ticket
    template.value = "";
    if (!plain) {
      editor.insertText(filled);
      return save();
    }
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? body.value.length;
    const before = body.value.slice(0, start);
    const after = body.value.slice(end);
    const gap = before && !before.endsWith("\n") ? "\n\n" : "";
    body.value = before + gap + filled + after;
    body.focus();
    const caret = (before + gap + filled).length;
    body.setSelectionRange(caret, caret);
    save();
  });

  // attachments
  function renderFiles() {
    replace(fileList, ...files.map((file) => h("li", { class: ["upload", `upload-${file.state}`] },
      h("span", { class: "upload-name", text: file.name }),
      h("span", { class: "muted", text: ` ${fmtSize(file.size)} ` }),
      file.state === "uploading"
        ? h("progress", { max: "1", value: String(file.progress || 0), "aria-label": t("compose.uploading", { name: file.name }) })
        : null,
      file.state === "failed" ? h("span", { class: "upload-error", text: file.error }) : null,
      file.state === "done" ? h("span", { class: "upload-ok", text: t("compose.uploaded") }) : null,
      h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": t("compose.file.remove", { name: file.name }),
        text: t("remove"), on: { click: () => { files = files.filter((f) => f !== file); renderFiles(); save(); } } }))));
  }

  fileInput.addEventListener("change", async () => {
    const chosen = [...fileInput.files];
    fileInput.value = "";
    await Promise.all(chosen.map(upload));
  });

  async function upload(file) {
    const entry = { name: file.name, size: file.size, state: "uploading", progress: 0, key: null, error: "" };
    files.push(entry);
    renderFiles();
    if (file.size > MAX_BYTES) {
      Object.assign(entry, { state: "failed", error: t("compose.file.toolarge", { max: fmtSize(MAX_BYTES) }) });
      return renderFiles();
    }
    try {
      const target = await api(`tickets/${encodeURIComponent(ticketId)}/uploads`, { method: "POST",
        body: { filename: file.name, content_type: file.type || "application/octet-stream", size: file.size || 1 } });
      entry.key = await uploadTo(target, file, (fraction) => {
        entry.progress = fraction;
        const bar = fileList.querySelector(`li:nth-child(${files.indexOf(entry) + 1}) progress`);
        if (bar) bar.value = fraction;
      });
      entry.state = "done";
    } catch (error) {
      entry.state = "failed";
      entry.error = error.code === "upload_failed" ? t("compose.upload.failed") : errorText(error);
    }
    renderFiles();
    save();
  }

  // sending: the reply as the form holds it now (null, with the reason shown, when it cannot go)
  function collect() {
    replyError.textContent = "";
    if (files.some((f) => f.state === "uploading") || (!plain && editor.uploading())) {
      replyError.textContent = t("compose.wait");
      return null;
    }
    if (plain ? !body.value.trim() : editor.empty()) {
      replyError.textContent = t("compose.empty");
      focusBody();
      return null;
    }
    const payload = {
      ...(plain ? { body: body.value } : { html: editor.mailHtml(), inline: editor.inline() }),
      quote: quoteBox.checked && !quoted.hidden,
      status: submitAs.value,
      attach_original: attachOriginal.checked,
      attachments: files.filter((f) => f.state === "done").map((f) => f.key),
    };
    if (to.value.trim() !== defaults.to.trim()) payload.to = parseAddresses(to.value);
    if (cc.value.trim() !== defaults.cc.trim()) payload.cc = parseAddresses(cc.value);
    if (bcc.value.trim()) payload.bcc = parseAddresses(bcc.value);
    if (answerId) payload.answer_message = answerId;
    if (payload.to && !payload.to.length) {
      replyError.textContent = t("compose.norecipient");
      to.focus();
      return null;
    }
    return payload;
  }

  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = collect();
    if (!payload) return;
    if (seen !== null) payload.seen_thread_version = seen;
    await sendReply(payload);
  });

  async function sendReply(payload) {
    conflictBox.hidden = true;
    sendButton.disabled = true;
    try {
      await api(`tickets/${encodeURIComponent(ticketId)}/replies`, { method: "POST", body: payload });
      toast(t("compose.sent", { status: statusLabel(submitAs.value) }), "success");
      body.value = "";
      editor.setText("");
      attachOriginal.checked = false;
      files = [];
      answerId = null;
      defaults = replyDefaults(ticket, answered(ticket, null));
      showAnswering();
      cc.value = defaults.cc;
      to.value = defaults.to;
      bcc.value = "";
      renderFiles();
      writeDraft(ticketId, { ...currentDraft(), body: "", rich: null, files: [] });
      restored.hidden = true;
      submitAs.value = "";
      onDone();
    } catch (error) {
      if (error.code === "reply_conflict") {
        showConflict(error.body);
        onDone(); // the thread shows the new entries too; the draft stays
      } else {
        replyError.textContent = error.code === "send_failed" ? t("compose.sendfailed") : errorText(error);
        if (error.code === "send_failed") onDone();
      }
    } finally {
      sendButton.disabled = false;
    }
  }

  // 409 reply_conflict: what arrived since, and the choice. "Trotzdem senden" sends the reply (as the form
  // holds it then) naming the position the answer reported: it confirms what was shown here, and anything
  // newer still stops it.
  function showConflict(conflict) {
    const news = conflict.new || { messages: [], comments: [] };
    const entries = [
      ...news.messages.map((m) => ({
        at: m.created_at,
        who: m.direction === "inbound"
          ? t("replyconflict.mail", { name: m.from ? m.from.name || m.from.address : "" })
          : t("replyconflict.reply", { name: agentName(m.author) || m.author || "" }),
        text: m.new_text || m.text,
      })),
      ...news.comments.map((c) => ({ at: c.created_at, who: t("replyconflict.comment", { name: agentName(c.author) || c.author }), text: c.body })),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const position = conflict.current ? conflict.current.thread_version : seen;
    const sendAnyway = h("button", { type: "button", class: "btn btn-primary", text: t("replyconflict.send"),
      on: { click: () => {
        const payload = collect();
        if (payload) sendReply(position === null ? payload : { ...payload, seen_thread_version: position });
      } } });
    const keep = h("button", { type: "button", class: "btn btn-quiet", text: t("replyconflict.keep"),
      on: { click: () => { conflictBox.hidden = true; save(); focusBody(); } } });
    replace(conflictBox,
      h("p", {}, h("strong", { text: t(`replyconflict.${conflict.reason}`) }), " ", t("replyconflict.unsent")),
      h("ol", { class: "reply-conflict-list" }, entries.map((e) => h("li", {},
        h("div", { class: "msg-head" }, h("strong", { text: e.who }), " ",
          h("time", { datetime: e.at, text: fmtDateTime(e.at) })),
        h("div", { class: "mail-text", text: (e.text || "").slice(0, 600) })))),
      h("div", { class: "actions" }, keep, sendAnyway));
    conflictBox.hidden = false;
    conflictBox.scrollIntoView({ block: "nearest" });
    sendAnyway.focus();
  }

  commentForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    commentError.textContent = "";
    if (!comment.value.trim()) {
      commentError.textContent = t("compose.empty");
      return comment.focus();
    }
    const known = new Set(agents().map((a) => a.username));
    const mentions = [...new Set([...comment.value.matchAll(/@([a-z0-9][a-z0-9_-]*)/gi)].map((m) => m[1]))]
      .filter((name) => known.has(name));
    const tags = commentTags.value.split(",").map((s) => s.trim()).filter(Boolean);
    commentButton.disabled = true;
    try {
      await api(`tickets/${encodeURIComponent(ticketId)}/comments`, { method: "POST",
        body: { body: comment.value, tags, mentions } });
      toast(t("compose.comment.saved"), "success");
      comment.value = "";
      commentTags.value = "";
      writeDraft(ticketId, currentDraft());
      onDone();
    } catch (error) {
      commentError.textContent = errorText(error);
    } finally {
      commentButton.disabled = false;
    }
  });

  // "Antworten" at a message: answer that one (reply-all to it), not the newest.
  function focusBody() {
    if (plain) body.focus();
    else editor.focus();
  }

  // The mail answered, quoted below the reply (sent with it when "Zitat mitsenden" is ticked), folded.
  function showQuote() {
    const message = ticket && answered(ticket, answerId);
    quoted.hidden = quoteBox.parentNode.hidden = !message;
    if (!message) return;
    const from = message.from ? formatAddress(message.from) : agentName(message.author) || "";
    replace(quoted, h("summary", { text: t("compose.quote.of", { from, at: fmtDateTime(message.created_at) }) }),
      h("div", { class: "mail-text", text: (message.text || "").slice(0, 4000) }));
  }

  function showAnswering() {
    showQuote();
    const message = answerId && ticket ? answered(ticket, answerId) : null;
    answering.hidden = !message;
    if (!message) return replace(answering);
    const from = message.direction === "inbound" && message.from ? formatAddress(message.from)
      : agentName(message.author) || message.author || "";
    replace(answering, t("compose.answering", { from, at: fmtDateTime(message.created_at) }), " ",
      h("button", { type: "button", class: "btn btn-small btn-quiet", text: t("compose.answer.newest"),
        on: { click: () => pick(null) } }));
  }

  function pick(messageId) {
    answerId = messageId;
    defaults = replyDefaults(ticket, answered(ticket, answerId));
    to.value = defaults.to;
    cc.value = defaults.cc;
    showAnswering();
    save();
  }

  function discard() {
    body.value = "";
    editor.setText("");
    comment.value = "";
    commentTags.value = "";
    cc.value = defaults.cc;
    to.value = defaults.to;
    bcc.value = "";
    attachOriginal.checked = false;
    files = [];
    renderFiles();
    writeDraft(ticketId, {});
    restored.hidden = true;
  }

  quoteBox.checked = draft.quote ?? (state.meta ? state.meta.quote_replies !== false : true);
  setPlain(plain);
  setMode(mode);
  renderFiles();

  return {
    el,
    focus(next) {
      setMode(next === "comment" ? "comment" : "reply");
      el.scrollIntoView({ block: "start", behavior: "auto" });
      if (next === "comment") comment.focus();
      else focusBody();
    },
    answer(messageId) {
      setMode("reply");
      pick(messageId);
      el.scrollIntoView({ block: "start", behavior: "auto" });
      focusBody();
    },
    update(next) {
      const first = !ticket;
      ticket = next;
      seen = typeof next.thread_version === "number" ? next.thread_version : null;
      if (answerId && !ticket.messages.some((m) => m.id === answerId)) answerId = null; // split off meanwhile
      const fresh = replyDefaults(ticket, answered(ticket, answerId));
      const ownTo = to.value && to.value !== defaults.to;
      const ownCc = cc.value !== defaults.cc && (first ? !!draft.ccTouched : true);
      defaults = fresh;
      if (first) {
        to.value = draft.to || fresh.to;
        if (!draft.ccTouched) cc.value = fresh.cc;
      } else {
        if (!ownTo) to.value = fresh.to;
        if (!ownCc) cc.value = fresh.cc;
      }
      let wanted = submitAs.value;
      if (!wanted) wanted = (first && draft.status) || (state.meta && state.meta.default_reply_status) || "waiting_customer";
      const options = [...new Set([...targets(ticket.status)])];
      replace(submitAs, ...options.map((s) => h("option", { value: s, text: statusLabel(s) })));
      submitAs.value = options.includes(wanted) ? wanted
        : options.includes("waiting_customer") ? "waiting_customer" : ticket.status;
      showAnswering();
      if (first) loadTemplates();
    },
    destroy() {
      clearTimeout(saveTimer);
      writeDraft(ticketId, currentDraft());
    },
  };
}
