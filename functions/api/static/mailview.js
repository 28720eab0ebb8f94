// Mail bodies. HTML from mail (already sanitized by the server) is shown ONLY inside a sandboxed
// <iframe srcdoc> without allow-scripts and without allow-same-origin: an opaque origin that can run
// nothing and reach nothing of ours. A CSP <meta> in the srcdoc blocks every remote load (tracking
// pixels) until the agent asks for the images of that one message ("Bilder laden").

import { h } from "./dom.js";
import { t } from "./i18n.js";

const SANDBOX = "allow-popups allow-popups-to-escape-sandbox";
const REMOTE = /\sdata-remote-src="(https?:\/\/[^"]*)"/i;
// A CSP source expression with a path: no spaces, quotes, commas or semicolons (they would end it).
const SOURCE = /^https?:\/\/[a-z0-9.\-[\]:]+\/[A-Za-z0-9\-._~%/!$&()*+=@]*$/;

const STYLE = [
  "html{color-scheme:light}",
  "body{margin:0;padding:12px 14px;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;",
  "color:#1d2330;background:#fff;overflow-wrap:anywhere}",
  "img{max-width:100%;height:auto}",
  "table{max-width:100%}",
  "blockquote{margin:0 0 0 4px;padding-left:10px;border-left:3px solid #c9ced6;color:#4a5261}",
  "pre{white-space:pre-wrap}",
  "a{color:#1f5fbf}",
].join("");

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

export function srcdoc(html, loadImages, sources = []) {
  const own = sources.filter((s) => SOURCE.test(s)).join(" ");
  const images = loadImages ? "data: https: http:" : `data:${own ? " " + own : ""}`;
  const csp = `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; font-src data:; ` +
    "base-uri 'none'; form-action 'none'";
  const body = loadImages ? withRemoteImages(html) : html;
  return `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${csp}">` +
    `<meta name="referrer" content="no-referrer"><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function estimateHeight(html, text) {
  const plain = text || (html || "").replace(/<(br|\/p|\/div|\/tr|\/li|\/h\d)\b[^>]*>/gi, "\n").replace(/<[^>]*>/g, "");
  const lines = plain.split("\n").reduce((sum, line) => sum + Math.max(1, Math.ceil(line.length / 95)), 0);
  const images = ((html || "").match(/<img\b/gi) || []).length;
  const tables = ((html || "").match(/<tr\b/gi) || []).length;
  return Math.max(90, Math.min(560, lines * 21 + images * 36 + tables * 6 + 32));
}

export function mailFrame(html, { loadImages = false, title = t("mail.frame"), text = "", sources = [] } = {}) {
  const frame = h("iframe", { class: "mail-frame", sandbox: SANDBOX, referrerpolicy: "no-referrer", title });
  frame.srcdoc = srcdoc(html, loadImages, sources);
  const height = estimateHeight(html, text);
  const box = h("div", { class: "mail-frame-box", style: { height: `${height}px` } }, frame);
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

  function render() {
    root.replaceChildren();
    const bar = h("div", { class: "mail-tools" });
    if (html && message.direction !== "outbound") {
      const box = mailFrame(html, { loadImages: imagesLoaded, text, sources: inlineSources(message.attachments), title: t("mail.frame.of", {
        from: (message.from && (message.from.name || message.from.address)) || message.from_name || "" }) });
      if (expanded) box.style.height = "80vh";
      root.append(box);
      if (hasRemoteImages(html) && !imagesLoaded) {
        bar.append(h("span", { class: "muted", text: t("mail.images.blocked") }),
          h("button", { type: "button", class: "btn btn-small load-images", text: t("mail.images.load"),
            on: { click: () => { imagesLoaded = true; render(); } } }));
      } else if (imagesLoaded) {
        bar.append(h("span", { class: "muted", text: t("mail.images.loaded") }));
      }
      bar.append(h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-pressed": String(expanded),
        text: expanded ? t("mail.shrink") : t("mail.expand"), on: { click: () => { expanded = !expanded; render(); } } }));
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
