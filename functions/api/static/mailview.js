// Mail bodies. HTML from mail (already sanitized by the server) is shown ONLY inside a sandboxed
// <iframe srcdoc> without allow-scripts and without allow-same-origin: an opaque origin that can run
// nothing and reach nothing of ours. A CSP <meta> in the srcdoc blocks every remote load (tracking
// pixels) until the agent asks for the images of that one message ("Bilder laden").
//
// The frame is sized to its content, which the page cannot read from an opaque origin: the same HTML is laid
// out once more, at the frame's width, in a hidden shadow root of ours, rebuilt as plain layout first (no HTML
// sink: element by element, no URL, no handler, nothing active). Up to maxFrameHeight(); beyond, "Vergrößern".
// Quoted history that the server's sanitizer marked (Outlook, Gmail, Thunderbird, Apple Mail) is hidden by the
// frame's CSS until "… zitierter Text" asks for it.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const SANDBOX = "allow-popups allow-popups-to-escape-sandbox";
const REMOTE = /\sdata-remote-src="(https?:\/\/[^"]*)"/i;
// A CSP source expression with a path: no spaces, quotes, commas or semicolons (they would end it).
const SOURCE = /^https?:\/\/[a-z0-9.\-[\]:]+\/[A-Za-z0-9\-._~%/!$&()*+=@]*$/;

const BODY = "margin:0;padding:12px 14px;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;" +
  "color:#1d2330;background:#fff;overflow-wrap:anywhere";
const CONTENT = [
  "img{max-width:100%;height:auto}",
  "table{max-width:100%}",
  "blockquote{margin:0 0 0 4px;padding-left:10px;border-left:3px solid #c9ced6;color:#4a5261}",
  "pre{white-space:pre-wrap}",
  "a{color:#1f5fbf}",
].join("");
const STYLE = `html{color-scheme:light}body{${BODY}}${CONTENT}`;
// Quoted history the server's sanitizer marked, hidden by the frame's own CSS until "… zitierter Text":
// Outlook's divRplyFwdMsg with the rule above it and everything after it, Gmail's gmail_quote, Thunderbird's
// moz-cite-prefix with its quote, Apple Mail's blockquote type=cite.
const FOLD = "hr:has(+#divRplyFwdMsg),#divRplyFwdMsg,#divRplyFwdMsg~*,.gmail_quote,.moz-cite-prefix," +
  'blockquote[type="cite"]{display:none!important}';
const MARKER = /<(?:div|p|span|blockquote|section|table)\b[^>]*\s(?:id="divRplyFwdMsg"|class="(?:gmail_quote|moz-cite-prefix)"|type="cite")/i;

/** Whether the mail has marked quoted history with something of its own above it (else nothing is folded). */
export function hasQuotes(html) {
  const match = MARKER.exec(html || "");
  return !!match && /[^\s\u00a0]/.test(plainText(html.slice(0, match.index)));
}

function plainText(html) {
  return html.replace(/<[^>]*>/g, " ").replace(/&nbsp;|&#160;/g, " ");
}

/** The tallest a frame gets before "Vergrößern": three quarters of the window, at least 360 px, at most 900 px. */
export function maxFrameHeight() {
  return Math.max(360, Math.min(900, Math.round(window.innerHeight * 0.75)));
}

// --- measuring: the sanitized HTML (nh3's canonical output) rebuilt as plain layout, with nothing that could
// load or run: element by element with createElement, text as text nodes, only layout attributes kept, CSS
// without url()/image-set(), images as boxes of their declared size.
const LAYOUT_ATTRS = new Set(["style", "width", "height", "align", "valign", "colspan", "rowspan", "cellpadding",
  "cellspacing", "border", "dir", "nowrap", "size", "id", "class", "type", "start"]);
const VOID = new Set(["br", "hr", "img", "wbr", "col", "area", "input", "meta", "link", "source", "track", "embed"]);
const DROP = new Set(["script", "style", "link", "meta", "base", "iframe", "frame", "object", "embed", "svg", "math",
  "video", "audio", "source", "track", "picture", "input", "button", "form", "template", "noscript", "textarea", "select"]);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>|<!--[\s\S]*?-->|<![^>]*>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|(amp|lt|gt|quot|apos|nbsp));/gi;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decode(text) {
  return text.replace(ENTITY, (whole, dec, hex, name) => {
    if (name) return NAMED[name.toLowerCase()];
    const code = dec ? Number(dec) : parseInt(hex, 16);
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
  });
}

function layoutElement(name, attrs) {
  const el = document.createElement(name === "img" ? "span" : name);
  let match;
  ATTR.lastIndex = 0;
  while ((match = ATTR.exec(attrs))) {
    const key = match[1].toLowerCase();
    if (!LAYOUT_ATTRS.has(key)) continue;
    const value = decode(match[2] ?? match[3] ?? match[4] ?? "");
    el.setAttribute(key, key === "style" ? value.replace(/(?:url|image-set|expression|src)\s*\(|@import|\\/gi, "x(") : value);
  }
  if (name === "img") {
    const px = (v, fallback) => (/^\d{1,4}$/.test(v || "") ? `${v}px` : fallback);
    el.setAttribute("style", `display:inline-block;vertical-align:bottom;max-width:100%;` +
      `width:${px(el.getAttribute("width"), "48px")};height:${px(el.getAttribute("height"), "32px")}`);
  }
  return el;
}

/** A detached tree with the layout of `html` and nothing active in it. */
export function layoutTree(html) {
  const root = document.createElement("div");
  const stack = [root];
  let dropping = 0;
  let last = 0;
  const text = (chunk) => { if (chunk && !dropping) stack[stack.length - 1].append(document.createTextNode(decode(chunk))); };
  TAG.lastIndex = 0;
  let match;
  while ((match = TAG.exec(html || ""))) {
    text(html.slice(last, match.index));
    last = TAG.lastIndex;
    if (!match[2]) continue; // a comment or doctype
    const name = match[2].toLowerCase();
    if (match[1]) {
      if (DROP.has(name)) dropping = Math.max(0, dropping - 1);
      else if (!dropping) {
        const open = stack.findLastIndex((el, i) => i > 0 && el.localName === (name === "img" ? "span" : name));
        if (open > 0) stack.length = open;
      }
      continue;
    }
    if (DROP.has(name)) {
      if (!VOID.has(name) && !match[4]) dropping += 1;
      continue;
    }
    if (dropping) continue;
    const el = layoutElement(name, match[3]);
    stack[stack.length - 1].append(el);
    if (!VOID.has(name) && !match[4]) stack.push(el);
  }
  text((html || "").slice(last));
  return root;
}

let measurer = null;

/** The height the frame's document needs for `html` at `width` px (laid out in a hidden shadow root of ours). */
export function contentHeight(html, width, folded = false) {
  if (!measurer) {
    measurer = h("div", { class: "mail-measure", "aria-hidden": "true" });
    document.body.append(measurer);
    measurer.attachShadow({ mode: "open" });
  }
  const root = measurer.shadowRoot;
  const body = layoutTree(html);
  body.className = "body";
  body.setAttribute("style", `box-sizing:border-box;width:${width}px`);
  const css = `:host{all:initial}.body{display:block;${BODY}}${CONTENT}${folded ? FOLD : ""}`;
  root.replaceChildren(h("style", { text: css }), body);
  const wide = body.scrollWidth > width + 1; // the frame shows a horizontal scrollbar
  const height = Math.ceil(body.getBoundingClientRect().height) + (wide ? 17 : 0) + 2;
  root.replaceChildren();
  return height;
}

export function hasRemoteImages(html) {
  return REMOTE.test(html || "");
}

/**
 * CSP sources for a message's own inline images: the API resolves `cid:` references to short-lived links
 * of the stored attachments, and lists the same attachments with download links. Those links (not the
 * mail's HTML, which could name any host) say which storage paths the frame may load.
 */
export function inlineSources(attachments) {
  const sources = new Set();
  for (const a of attachments || []) {
    if (!a.url || !a.content_id || !String(a.content_type || "").startsWith("image/")) continue;
    try {
      const url = new URL(a.url);
      const source = url.origin + url.pathname;
      if (SOURCE.test(source)) sources.add(source);
    } catch {
      /* not a URL: nothing to allow */
    }
  }
  return [...sources];
}

/** The sanitized HTML with every blocked remote image's original URL moved back into `src`. */
export function withRemoteImages(html) {
  return (html || "").replace(/\ssrc="[^"]*"(\s+data-remote-src="(https?:\/\/[^"]*)")/gi, ' src="$2"');
}

export function srcdoc(html, loadImages, sources = [], folded = false) {
  const own = sources.filter((s) => SOURCE.test(s)).join(" ");
  const images = loadImages ? "data: https: http:" : `data:${own ? " " + own : ""}`;
  const csp = `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:; ` +
    "base-uri 'none'; form-action 'none'";
  const body = loadImages ? withRemoteImages(html) : html;
  return `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="referrer" content="no-referrer"><style>${STYLE}${folded ? FOLD : ""}</style></head><body>${body}</body></html>`;
}

function estimateHeight(html, text) {
  const plain = text || (html || "").replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, "\n").replace(/<[^>]*>/g, "");
  const lines = plain.split("\n").reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 95)), 0);
  const images = ((html || "").match(/<img\b/gi) || []).length;
  const tables = ((html || "").match(/<tr\b/gi) || []).length;
  return Math.max(90, Math.min(560, lines * 21 + images * 36 + tables * 6 + 32));
}

/**
 * The sandboxed frame in a box sized to its content (once the box has a width), up to `maxFrameHeight()` unless
 * `expanded`; `onTall(tall)` says whether the content is taller than that.
 */
export function mailFrame(html, { loadImages = false, title = t("mail.frame"), text = "", sources = [], expanded = false,
  folded = false, onTall = null } = {}) {
  const frame = h("iframe", { class: "mail-frame", sandbox: SANDBOX, referrerpolicy: "no-referrer", title });
  frame.srcdoc = srcdoc(html, loadImages, sources, folded);
  const box = h("div", { class: "mail-frame-box", style: { height: `${estimateHeight(html, text)}px` } }, frame);
  let width = 0;
  const fit = () => {
    const now = box.clientWidth;
    if (!now || now === width || !box.isConnected) return;
    width = now;
    const needed = contentHeight(html, width, folded);
    const most = maxFrameHeight();
    box.dataset.contentHeight = String(needed);
    const border = box.offsetHeight - box.clientHeight; // the box's height includes its border
    box.style.height = `${(expanded ? needed : Math.min(needed, most)) + border}px`;
    if (onTall) onTall(needed > most);
  };
  if (typeof ResizeObserver === "function") new ResizeObserver(fit).observe(box);
  return box;
}

/**
 * A message body with its controls: HTML in the sandbox (with "Bilder laden"), or plain text.
 * `loadFull` fetches the complete body of a shortened message.
 */
export function mailBody(message, { loadFull } = {}) {
  const root = h("div", { class: "mail-body" });
  let html = message.html || "";
  let text = message.text || "";
  let imagesLoaded = false;
  let expanded = false;
  let quotesShown = false;

  function render() {
    root.replaceChildren();
    const bar = h("div", { class: "mail-tools" });
    if (html && (message.direction !== "outbound" || message.rich)) { // a reply written as rich text: its HTML
      const quoted = hasQuotes(html);
      const grow = h("button", { type: "button", class: "btn btn-small btn-quiet mail-grow", "aria-pressed": String(expanded),
        hidden: !expanded, text: expanded ? t("mail.shrink") : t("mail.expand"),
        on: { click: () => { expanded = !expanded; render(); } } });
      const box = mailFrame(html, {
        loadImages: imagesLoaded, text, sources: inlineSources(message.attachments), expanded, folded: quoted && !quotesShown,
        onTall: (tall) => { grow.hidden = !tall && !expanded; },
        title: t("mail.frame.of", { from: (message.from && (message.from.name || message.from.address)) || message.from_name || "" }) });
      root.append(box);
      if (hasRemoteImages(html) && !imagesLoaded) {
        bar.append(h("span", { class: "muted", text: t("mail.images.blocked") }),
          h("button", { type: "button", class: "btn btn-small load-images", text: t("mail.images.load"),
            on: { click: () => { imagesLoaded = true; render(); } } }));
      } else if (imagesLoaded) {
        bar.append(h("span", { class: "muted", text: t("mail.images.loaded") }));
      }
      if (quoted) {
        bar.append(h("button", { type: "button", class: "btn btn-small btn-quiet mail-quotes", "aria-expanded": String(quotesShown),
          text: quotesShown ? t("mail.quote.hide") : t("mail.quote.folded"),
          on: { click: () => { quotesShown = !quotesShown; render(); } } }));
      }
      bar.append(grow);
    } else {
      // Inbound: the new text without quotes first. Outbound: what was sent (new_text holds the unrendered draft).
      const short = message.direction !== "outbound" && message.new_text && message.new_text.trim() &&
        message.new_text.trim() !== text.trim() ? message.new_text : "";
      const shown = short && !expanded ? short : text || message.new_text || "";
      root.append(h("div", { class: "mail-text", text: shown }));
      if (short) {
        bar.append(h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-expanded": String(expanded),
          text: expanded ? t("mail.quote.hide") : t("mail.quote.show"),
          on: { click: () => { expanded = !expanded; render(); } } }));
      }
    }
    if (message.omitted) root.append(h("p", { class: "muted mail-omitted", text: t("mail.omitted") }));
    if (message.truncated && loadFull) {
      bar.append(h("button", { type: "button", class: "btn btn-small", text: t("mail.full"), on: {
        click: async (event) => {
          event.currentTarget.disabled = true;
          const full = await loadFull(message).catch(() => null);
          if (full) {
            html = full.html || "";
            text = full.text || "";
            message = { ...message, truncated: false, omitted: false, new_text: "" };
          }
          render();
        },
      } }));
    }
    if (bar.childNodes.length) root.append(bar);
  }
  render();
  return root;
}
