// The agents' web client: shell, login, routes. Views are loaded on first use (import()).

import { h, replace } from "./dom.js";
import { t, lang, setLang, onLangChange } from "./i18n.js";
import { loggedIn, login, newPassword, logout, onAuthLost } from "./http.js";
import { current, navigate } from "./router.js";
import { state, loadSession, isAdmin } from "./store.js";
import { errorText, openDialog, failed, loading, setTitle, field } from "./ui.js";
import { setGlobalKeys, setViewKeys } from "./keys.js";
import { startLive, stopLive, isLive, onLive } from "./live.js";
import { bell } from "./notifications.js";

const VIEWS = {
  inbox: () => import("./inbox.js"),
  ticket: () => import("./ticket.js"),
  new: () => import("./newticket.js"),
  customers: () => import("./customers.js"),
  customer: () => import("./customers.js"),
  reports: () => import("./reports.js"),
  admin: () => import("./admin.js"),
  settings: () => import("./settings.js"),
};
const PUBLIC = { t: "mountTicket", contact: "mountContact" };

const app = document.getElementById("app");
let cleanup = null;
let generation = 0;
let sessionReady = null;
let lostReason = "";
let routed = 0; // counts rendered routes (tests and assistive tools can wait for a view)

function langSwitch() {
  return h("div", { class: "lang-switch", role: "group", "aria-label": t("language") },
    ["de", "en"].map((code) => h("button", {
      type: "button", class: "lang-btn", "data-lang": code, lang: code, "aria-pressed": String(lang() === code),
      title: code === "de" ? "Deutsch" : "English", text: code.toUpperCase(),
      on: { click: () => setLang(code) },
    })));
}

function navLink(route, label) {
  const active = (current().parts[0] || "inbox") === route ||
    (route === "inbox" && current().parts[0] === "ticket") || (route === "customers" && current().parts[0] === "customer");
  return h("a", { href: `#/${route}`, class: "nav-link", "aria-current": active ? "page" : null, text: label });
}

function shell() {
  const main = h("main", { id: "main", tabindex: "-1" });
  const me = state.me || {};
  replace(app,
    h("button", { type: "button", class: "skip-link", text: t("skip"), on: { click: () => main.focus() } }),
    h("header", { class: "topbar" },
      h("a", { class: "brand", href: "#/inbox", text: "Helpdesk" }),
      h("nav", { class: "mainnav", "aria-label": t("nav.main") },
        navLink("inbox", t("nav.tickets")),
        navLink("new", t("nav.new")),
        navLink("customers", t("nav.customers")),
        navLink("reports", t("nav.reports")),
        isAdmin() ? navLink("admin", t("nav.admin")) : null),
      h("div", { class: "topbar-right" },
        liveDot(),
        langSwitch(),
        h("button", { type: "button", class: "icon-btn help-btn", "aria-label": t("help.title"), title: t("help.title"),
          text: "?", on: { click: showHelp } }),
        bell(),
        h("a", { class: "whoami", href: "#/settings", title: `${me.email || ""} – ${t("ntf.nav.settings")}`,
          text: me.name || me.username || "" }),
        h("button", { type: "button", class: "btn btn-small", text: t("logout"), on: { click: () => logout() } }))),
    main);
  return main;
}

// Whether the views update themselves (socket) or poll: a small dot, explained in its title.
function liveDot() {
  return h("span", { class: "live-dot", role: "img", "aria-label": t(isLive() ? "live.on" : "live.off"),
    title: t(isLive() ? "live.on" : "live.off") });
}

onLive((message) => {
  if (message.type !== "status") return;
  for (const dot of document.querySelectorAll(".live-dot")) {
    dot.setAttribute("title", t(message.live ? "live.on" : "live.off"));
    dot.setAttribute("aria-label", t(message.live ? "live.on" : "live.off"));
  }
});

function publicShell() {
  const main = h("main", { id: "main", tabindex: "-1", class: "public-main" });
  replace(app,
    h("header", { class: "topbar topbar-public" }, h("span", { class: "brand", text: "Helpdesk" }),
      h("div", { class: "topbar-right" }, langSwitch())),
    main);
  return main;
}

function showHelp() {
  if (document.querySelector("dialog.help")) return;
  const rows = [
    ["j / k", t("help.jk")], ["o / Enter", t("help.open")], ["x", t("help.select")], ["r", t("help.reply")],
    ["c", t("help.comment")], ["e", t("help.archive")], ["/", t("help.search")], ["?", t("help.help")],
    ["Esc", t("help.escape")],
  ];
  const dialog = openDialog(t("help.title"), h("div", { class: "dialog-body" },
    h("table", { class: "keys" }, h("tbody", {}, rows.map(([key, text]) =>
      h("tr", {}, h("th", { scope: "row" }, h("kbd", { text: key })), h("td", { text })))))));
  dialog.classList.add("help");
}

// ------------------------------------------------------------------------------------------ login

function loginView(message) {
  setTitle(t("login.title"));
  const main = publicShell();
  const user = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "none",
    spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const remember = h("input", { type: "checkbox", name: "remember" });
  const error = h("div", { class: "form-error", role: "alert" });
  if (message) error.textContent = message;
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block", text: t("login.submit") });
  const form = h("form", { class: "card login-card", novalidate: true },
    h("h1", { text: t("login.title") }),
    h("p", { class: "muted", text: t("login.intro") }),
    field(t("login.username"), user),
    field(t("login.password"), password),
    field(t("login.remember"), remember),
    error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!user.value.trim() || !password.value) {
      error.textContent = t("login.missing");
      return;
    }
    submit.disabled = true;
    try {
      const result = await login(user.value.trim(), password.value, remember.checked);
      if (result.challenge === "NEW_PASSWORD_REQUIRED") newPasswordView(user.value.trim(), result.session, remember.checked);
      else if (result.challenge) error.textContent = t("login.challenge", { challenge: result.challenge });
      else route();
    } catch (err) {
      error.textContent = err.status === 401 ? t("login.failed") : errorText(err);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(form);
  user.focus();
}

function newPasswordView(username, session, remember) {
  const main = publicShell();
  const first = h("input", { type: "password", name: "new_password", autocomplete: "new-password", required: true,
    minlength: "8" });
  const second = h("input", { type: "password", name: "repeat", autocomplete: "new-password", required: true });
  const error = h("div", { class: "form-error", role: "alert" });
  const form = h("form", { class: "card login-card", novalidate: true },
    h("h1", { text: t("pw.title") }),
    h("p", { class: "muted", text: t("pw.intro") }),
    field(t("pw.new"), first, { hint: t("pw.rules") }),
    field(t("pw.repeat"), second),
    error,
    h("button", { type: "submit", class: "btn btn-primary btn-block", text: t("pw.submit") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (first.value.length < 8) error.textContent = t("pw.short");
    else if (first.value !== second.value) error.textContent = t("pw.mismatch");
    if (error.textContent) return;
    try {
      const result = await newPassword(username, session, first.value, remember);
      if (result.challenge) error.textContent = t("login.challenge", { challenge: result.challenge });
      else route();
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  main.append(form);
  first.focus();
}

// ------------------------------------------------------------------------------------------ routes

async function route() {
  const mine = ++generation;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* a view's cleanup must not stop navigation */
    }
    cleanup = null;
  }
  setViewKeys({});
  document.documentElement.lang = lang();
  const { parts, query } = current();
  const name = parts[0] || "inbox";

  if (PUBLIC[name]) {
    const main = publicShell();
    loading(main);
    let module;
    try {
      module = await import("./public.js");
    } catch (error) {
      if (mine === generation) failed(main, error, route);
      return;
    }
    if (mine !== generation) return;
    main.replaceChildren();
    cleanup = module[PUBLIC[name]](main, { parts, query }) || null;
    document.documentElement.dataset.routed = String(++routed);
    return;
  }
  if (!loggedIn()) {
    sessionReady = null;
    loginView(lostReason === "expired" ? t("login.expired") : "");
    lostReason = "";
    return;
  }
  if (!state.me) {
    const main = publicShell();
    loading(main);
    sessionReady = sessionReady || loadSession();
    try {
      await sessionReady;
    } catch (error) {
      sessionReady = null;
      if (mine === generation) failed(main, error, route);
      return;
    }
    if (mine !== generation) return;
    startLive();
    if (!localStorage.getItem("helpdesk.lang") && state.me.language && state.me.language !== lang()) {
      setLang(state.me.language, { remember: false });
      return;
    }
  }
  const loader = VIEWS[name];
  if (!loader || (name === "admin" && !isAdmin())) {
    navigate(["inbox"], null, { replace: true });
    return;
  }
  const main = shell();
  loading(main);
  let module;
  try {
    module = await loader();
  } catch (error) {
    if (mine === generation) failed(main, error, route);
    return;
  }
  if (mine !== generation) return;
  main.replaceChildren();
  cleanup = module.mount(main, { parts, query }) || null;
  document.documentElement.dataset.routed = String(++routed);
  if (document.activeElement === document.body) main.focus({ preventScroll: true });
}

setGlobalKeys({
  "?": showHelp,
  "/": () => {
    const search = document.querySelector("[data-search]");
    if (search) search.focus();
    else if (loggedIn() && state.me) navigate(["inbox"], { focus: "search" });
  },
});

onAuthLost((reason) => {
  stopLive();
  state.me = null;
  state.meta = null;
  lostReason = reason;
  const { parts } = current();
  if (!PUBLIC[parts[0]]) route();
});

onLangChange(() => {
  document.documentElement.lang = lang();
  route();
});

window.addEventListener("hashchange", route);
document.documentElement.lang = lang();
route();

