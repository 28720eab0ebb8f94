// Rich text for the reply and the forward note (issue 14 part 3): a contenteditable area with a toolbar (bold,
// italic, lists, link, quote; Ctrl+B/I/K). Pasted or dropped images are uploaded and shown inline (cid:).
// No HTML string is ever parsed here: pasted text goes in as text, the HTML sent is written from the area's
// nodes on an allow-list (drafts keep those nodes as a tree), and the server sanitizes it again.

import { h, replace } from "./dom.js";
import { t, fmtSize } from "./i18n.js";
import { api, uploadTo } from "./http.js";

const TAGS = new Set(["B", "STRONG", "I", "EM", "U", "UL", "OL", "LI", "A", "BLOCKQUOTE", "P", "DIV", "BR", "IMG"]);
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp)$/;
export const MAX_IMAGE = 5 * 1024 * 1024;
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const linkable = (url) => /^(https?:\/\/|mailto:)/i.test(url);

// The area's nodes as [tag, attrs, children] and text: what a draft keeps and what is sent.
function tree(node) {
  if (node.nodeType === 3) return node.data;
  if (node.nodeType !== 1) return null;
  const tag = TAGS.has(node.tagName) ? node.tagName.toLowerCase() : "";
  if (tag === "img") return node.dataset.key ? ["img", { cid: node.dataset.cid, key: node.dataset.key, alt: node.alt }, []] : null;
  const attrs = tag === "a" && linkable(node.getAttribute("href") || "") ? { href: node.getAttribute("href") } : {};
  return [tag, attrs, [...node.childNodes].map(tree).filter((c) => c !== null)];
}

function toHtml(n) {
  if (typeof n === "string") return esc(n);
  const [tag, a, kids] = n;
  const inner = kids.map(toHtml).join("");
  if (tag === "br") return "<br>";
  if (tag === "img") return `<img src="cid:${esc(a.cid)}" alt="${esc(a.alt || "")}">`;
  if (tag === "a") return a.href ? `<a href="${esc(a.href)}">${inner}</a>` : inner;
  return tag ? `<${tag}>${inner}</${tag}>` : inner;
}

function build(n) {
  if (typeof n === "string") return document.createTextNode(n);
  const [tag, a, kids] = n;
  if (tag === "img") return h("img", { alt: a.alt || "", dataset: { cid: a.cid, key: a.key } });
  if (!tag) return kids.map(build);
  return h(tag, tag === "a" && linkable(a.href || "") ? { href: a.href } : {}, kids.map(build));
}

const keys = { bold: "Ctrl+B", italic: "Ctrl+I", link: "Ctrl+K" };
const TOOLS = [
  ["bold", "B", "bold"], ["italic", "I", "italic"], ["ul", "•", "insertUnorderedList"],
  ["ol", "1.", "insertOrderedList"], ["link", "Link", null], ["quote", "❝", null],
];

async function upload(ticketId, file) {
  const target = await api(`tickets/${encodeURIComponent(ticketId)}/uploads`, { method: "POST",
    body: { filename: file.name || "image.png", content_type: file.type, size: file.size || 1 } });
  return uploadTo(target, file);
}

/** Images go up as uploads of ``ticketId``; onFiles(files): dropped files that are no images (attachments). */
export function createEditor({ labelId, ticketId, onInput, onFiles, onError }) {
  const area = h("div", { class: "editor-area", contenteditable: "true", role: "textbox", "aria-multiline": "true",
    "aria-labelledby": labelId, spellcheck: "true" });
  let saved = null; // the selection inside the area, kept while a toolbar field or the template list has the focus
  const buttons = new Map();
  const linkInput = h("input", { type: "url", name: "link_url", "aria-label": t("editor.link.url"), placeholder: "https://…" });
  const linkBox = h("div", { class: "editor-link", hidden: true }, linkInput,
    h("button", { type: "button", class: "btn btn-small", text: t("editor.link.ok"), on: { click: applyLink } }),
    h("button", { type: "button", class: "btn btn-small btn-quiet", text: t("cancel"), on: { click: () => closeLink(true) } }));
  const bar = h("div", { class: "editor-bar", role: "toolbar", "aria-label": t("editor.toolbar") },
    TOOLS.map(([name, symbol, command]) => {
      const button = h("button", { type: "button", class: "btn btn-small editor-tool", "aria-pressed": "false",
        "aria-label": t(`editor.${name}`), title: t(`editor.${name}`) + (keys[name] ? ` (${keys[name]})` : ""),
        "aria-keyshortcuts": keys[name] ? `Control+${keys[name].slice(-1)}` : null, text: symbol,
        on: { mousedown: (e) => e.preventDefault(), click: () => (command ? exec(command) : name === "link" ? openLink() : quote()) } });
      buttons.set(name, button);
      return button;
    }));
  const el = h("div", { class: "editor" }, bar, linkBox, area);

  const inside = (node) => node && area.contains(node);
  function keep() {
    const sel = getSelection();
    if (sel.rangeCount && inside(sel.anchorNode)) saved = sel.getRangeAt(0).cloneRange();
  }
  function restore() {
    area.focus();
    if (!saved) { // never in the area yet: at the end of what is there
      saved = document.createRange();
      saved.selectNodeContents(area);
      saved.collapse(false);
    }
    const sel = getSelection();
    sel.removeAllRanges();
    sel.addRange(saved);
  }
  const changed = () => { keep(); states(); if (onInput) onInput(); };
  function exec(command, value) {
    restore();
    document.execCommand(command, false, value);
    changed();
  }
  const at = (selector) => {
    const node = getSelection().anchorNode;
    const found = node && (node.nodeType === 1 ? node : node.parentElement).closest(selector);
    return inside(found) ? found : null;
  };
  function states() {
    const sel = getSelection();
    const here = sel.rangeCount > 0 && inside(sel.anchorNode);
    const on = { bold: "bold", italic: "italic", ul: "insertUnorderedList", ol: "insertOrderedList" };
    for (const [name, button] of buttons) {
      const pressed = here && (on[name] ? document.queryCommandState(on[name]) : !!at(name === "link" ? "a" : "blockquote"));
      button.setAttribute("aria-pressed", String(pressed));
    }
  }
  function quote() {
    exec("formatBlock", at("blockquote") ? "div" : "blockquote");
  }
  function openLink() {
    keep();
    const link = at("a");
    linkInput.value = link ? link.getAttribute("href") : "";
    linkBox.hidden = false;
    linkInput.focus();
  }
  function closeLink(back) {
    linkBox.hidden = true;
    if (back) restore();
  }
  function applyLink() {
    let url = linkInput.value.trim();
    if (url && !linkable(url)) url = /^[^\s@/]+@[^\s@/]+$/.test(url) ? `mailto:${url}` : `https://${url}`;
    closeLink(true);
    if (!url) return exec("unlink");
    if (!saved || saved.collapsed) {
      const a = h("a", { href: url }, url.replace(/^mailto:/i, ""));
      saved.insertNode(a);
      getSelection().collapse(a.parentNode, [...a.parentNode.childNodes].indexOf(a) + 1);
      return changed();
    }
    exec("createLink", url);
  }
  linkInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); applyLink(); }
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); closeLink(true); }
  });

  area.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === "k") { e.preventDefault(); openLink(); }
    else if (key === "b" || key === "i") { e.preventDefault(); exec(key === "b" ? "bold" : "italic"); }
  });
  const selected = () => { if (inside(getSelection().anchorNode)) { keep(); states(); } };
  area.addEventListener("input", changed);
  area.addEventListener("focus", () => document.addEventListener("selectionchange", selected));
  area.addEventListener("blur", () => { keep(); document.removeEventListener("selectionchange", selected); });

  // images: pasted or dropped, uploaded as the ticket's, shown at once from the file itself
  async function addFiles(list) {
    const others = [];
    for (const file of list) {
      if (!IMAGE_TYPES.test(file.type)) { others.push(file); continue; }
      if (file.size > MAX_IMAGE) { onError(t("editor.image.toolarge", { name: file.name, max: fmtSize(MAX_IMAGE) })); continue; }
      const cid = `img-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}@helpdesk`;
      const url = URL.createObjectURL(file);
      const img = h("img", { src: url, alt: file.name || "image.png", class: "uploading", dataset: { cid } });
      restore();
      const range = getSelection().rangeCount ? getSelection().getRangeAt(0) : null;
      if (range && inside(range.startContainer)) {
        range.deleteContents();
        range.insertNode(img);
        getSelection().collapse(img.parentNode, [...img.parentNode.childNodes].indexOf(img) + 1);
      } else area.append(img);
      changed();
      upload(ticketId, file).then((key) => { img.dataset.key = key; img.classList.remove("uploading"); changed(); },
        (error) => { img.remove(); URL.revokeObjectURL(url); onError(error); changed(); });
    }
    if (others.length && onFiles) onFiles(others);
  }
  area.addEventListener("paste", (e) => {
    e.preventDefault();
    const files = [...(e.clipboardData.files || [])];
    if (files.length) return addFiles(files);
    exec("insertText", e.clipboardData.getData("text/plain"));
  });
  area.addEventListener("dragover", (e) => { if (e.dataTransfer.types.includes("Files")) e.preventDefault(); });
  area.addEventListener("drop", (e) => {
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    const spot = document.caretRangeFromPoint && document.caretRangeFromPoint(e.clientX, e.clientY);
    if (spot && inside(spot.startContainer)) saved = spot;
    addFiles([...e.dataTransfer.files]);
  });

  const content = () => [...area.childNodes].map(tree).filter((c) => c !== null);
  return {
    el,
    area,
    focus: () => restore(),
    mailHtml: () => content().map(toHtml).join(""),
    text: () => area.innerText.replace(/\u00a0/g, " ").replace(/\n$/, ""),
    tree: content,
    uploading: () => !!area.querySelector("img.uploading"),
    inline: () => [...area.querySelectorAll("img[data-key]")].map((img) => ({ content_id: img.dataset.cid, key: img.dataset.key })),
    empty: () => !area.textContent.trim() && !area.querySelector("img"),
    setTree(nodes) { replace(area, (nodes || []).map(build)); saved = null; },
    setText(text) {
      const lines = String(text || "").split("\n");
      replace(area, text ? [lines[0], ...lines.slice(1).map((line) => h("div", {}, line || h("br")))] : []);
      saved = null;
    },
    insertText(text) { exec("insertText", text); },
  };
}
