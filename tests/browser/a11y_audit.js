// An accessibility audit run inside the page (page.evaluate): returns a list of findings, one string each.
// Checks what a machine can decide reliably (WCAG 2.1 AA):
//   - every visible form control and every button/link has an accessible name (1.3.1, 4.1.2),
//   - no positive tabindex (it breaks the focus order, 2.4.3),
//   - images have alt text, iframes a title, the document a lang, an h1 and unique ids (1.1.1, 4.1.2, 3.1.1),
//   - text contrast against its effective background: 4.5:1, 3:1 for large text (1.4.3).
(() => {
  const findings = [];
  const where = (el) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
    const text = (el.textContent || el.getAttribute("name") || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${el.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  const visible = (el) => {
    if (!el.isConnected) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0;
  };
  const byIds = (ids) => ids.split(/\s+/).map((id) => document.getElementById(id)).filter(Boolean);
  const nameOf = (el) => {
    const aria = (el.getAttribute("aria-label") || "").trim();
    if (aria) return aria;
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      const text = byIds(labelledby).map((x) => x.textContent.trim()).join(" ").trim();
      if (text) return text;
    }
    if (el.labels && el.labels.length) {
      const text = [...el.labels].map((l) => l.textContent.trim()).join(" ").trim();
      if (text) return text;
    }
    if (["BUTTON", "A", "SUMMARY"].includes(el.tagName) || el.getAttribute("role") === "button") {
      const text = (el.innerText || el.textContent || "").trim();
      if (text) return text;
      const img = el.querySelector("img[alt]:not([alt=''])");
      if (img) return img.getAttribute("alt");
      const svgTitle = el.querySelector("svg title");
      if (svgTitle && svgTitle.textContent.trim()) return svgTitle.textContent.trim();
    }
    if (el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type) && el.value) return el.value;
    return (el.getAttribute("title") || "").trim();
  };

  if (!document.documentElement.lang) findings.push("document: no lang attribute");
  if (![...document.querySelectorAll("h1")].some((el) => el.textContent.trim())) findings.push("document: no h1");
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  const doubled = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
  if (doubled.length) findings.push(`document: duplicate ids ${doubled.join(", ")}`);

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    if (!nameOf(el)) findings.push(`name: form control without a label ${where(el)}`);
  }
  for (const el of document.querySelectorAll("button, a[href], summary, [role=button]")) {
    if (!visible(el)) continue;
    if (!nameOf(el)) findings.push(`name: ${el.tagName.toLowerCase()} without an accessible name ${where(el)}`);
  }
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (Number(el.getAttribute("tabindex")) > 0) findings.push(`focus: positive tabindex ${where(el)}`);
  }
  for (const el of document.querySelectorAll("img")) {
    if (visible(el) && !el.hasAttribute("alt")) findings.push(`alt: image without alt ${where(el)}`);
  }
  for (const el of document.querySelectorAll("iframe")) {
    if (visible(el) && !(el.getAttribute("title") || "").trim()) findings.push(`name: iframe without a title ${where(el)}`);
  }

  // ---- contrast
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = "1"] = m[1].split(/[,\s/]+/).filter(Boolean);
    return [Number(r), Number(g), Number(b), Number(a)];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const luminance = (rgb) => {
    const [r, g, b] = rgb.slice(0, 3).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  // The colour behind an element: its own and its ancestors' backgrounds, composed; null when an
  // image or gradient is in the way (then a machine cannot decide).
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== "none") return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue; // visually hidden text for screen readers (.sr-only)
    if (el.closest("[disabled], [aria-disabled=true], [aria-hidden=true]")) continue;
    const style = getComputedStyle(el);
    if (Number(style.opacity) === 0) continue;
    const bg = background(el);
    const fg = parse(style.color);
    if (!bg || !fg) continue;
    const ratio = (a, b) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const contrast = ratio(luminance(over(fg, bg)), luminance(bg));
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (contrast < needed - 0.005) {
      findings.push(`contrast: ${contrast.toFixed(2)}:1 < ${needed}:1 (${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(",")})) ${where(el)}`);
    }
  }
  return findings;
})();
