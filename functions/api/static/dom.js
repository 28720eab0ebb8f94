// Tiny DOM helper: elements are built from data, never from HTML strings.
// Text always becomes a text node, so mail data (subjects, names, file names) can never become markup.

const PROPS = new Set([
  "value", "checked", "selected", "disabled", "hidden", "indeterminate", "multiple", "required",
  "readOnly", "open", "defaultValue", "htmlFor", "tabIndex", "autofocus",
]);
const FORBIDDEN = /^(innerHTML|outerHTML|srcdoc|on.+)$/i;

function set(el, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (FORBIDDEN.test(key)) throw new Error(`h(): ${key} is not allowed`);
    if (key === "class") el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "on") for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "ref") value(el);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** h("button", {class: "btn", on: {click}}, "Text", otherNode) */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  set(el, props);
  return append(el, children);
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** SVG elements (charts) */
export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  set(el, props);
  return append(el, children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  clear(el);
  return append(el, children);
}

let counter = 0;
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** True when the keyboard focus is in something the user types into. */
export function typing(target) {
  const el = target || document.activeElement;
  if (!el) return false;
  return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}
