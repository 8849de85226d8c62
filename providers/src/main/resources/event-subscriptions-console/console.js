// The Event subscriptions page: every webhook subscription of a realm, its deliveries and attempts, a chart of
// the last hours, and the administrator's actions. Everything it shows comes from
// /admin/realms/{realm}/event-subscriptions with the signed-in administrator's token; the server decides what
// that token may do, and this page only hides the buttons it would refuse. Subscribers choose endpoints,
// filters and receivers' answers: all of it is put on the page as text, never as markup.
import { NotSignedIn, SessionEnded, signIn } from "./oidc.js";
import uPlot from "./vendor/uPlot.esm.js";
import { chooseLocale, messages } from "./messages.js";

const PAGE = 50;
/** The page's words in the person's language: ?lang= (en, ja, zh-CN), else the browser's. */
const t = messages(chooseLocale([new URLSearchParams(location.search).get("lang"), ...navigator.languages]));
document.documentElement.lang = t.locale;
document.title = t("page.title");
document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.getAttribute("data-i18n")); });
/**
 * An element of the page by its id. The page's inputs, selects and buttons are all read through what an input
 * has (value, disabled, hidden), so that is the type given.
 * @param {string} id
 * @returns {HTMLInputElement}
 */
const $ = (id) => /** @type {HTMLInputElement} */ (document.getElementById(id));

/** An element with attributes and children; strings become text nodes, so nothing a party sent is parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

function notice(text, kind = "info") {
  $("notice").replaceChildren(text ? el("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, text) : "");
}

// Silent first: an administrator signed in to this realm's admin console is in at once. Without that session,
// the page asks which way in: this realm's login, or the page of the realm the administrator signs in to
// (master, for most), which manages this realm too.
const config = await settings();
let session;
try {
  session = await signIn(config, { silent: true });
} catch (error) {
  if (!(error instanceof NotSignedIn)) {
    notice(error.message, "error");
    throw error;
  }
  session = await new Promise(() => chooseHowToSignIn());
}

/** The page's settings, from the server that serves it; without them the page can do nothing but say so. */
async function settings() {
  const response = await fetch("config.json", { credentials: "omit" }).catch(() => null);
  if (!response?.ok) {
    notice(t("settings.unavailable", { status: response ? `HTTP ${response.status}` : t("settings.noAnswer") }), "error");
    return new Promise(() => {}); // the page stops here, with that said
  }
  return response.json();
}

function chooseHowToSignIn() {
  const adminRealm = el("input", { id: "admin-realm", value: "master", size: 12, "aria-label": t("signIn.adminRealm") });
  const elsewhere = () => {
    const url = new URL(`../../../${encodeURIComponent(adminRealm.value.trim())}/event-subscriptions/console/`, location.href);
    url.search = new URLSearchParams({ realm: config.realm }).toString();
    location.assign(url);
  };
  $("filters").hidden = true;
  $("notice").replaceChildren(el("div", { class: "notice", "data-testid": "sign-in-choice" },
    el("p", {}, t("signIn.nobody", { realm: config.realm })),
    el("p", {}, el("button", { "data-action": "sign-in", onclick: () => signIn(config) }, t("signIn.button", { realm: config.realm }))),
    el("p", {}, t("signIn.otherRealm"), " ", adminRealm, " ",
      el("button", { "data-action": "sign-in-elsewhere", onclick: elsewhere }, t("signIn.elsewhere")))));
}
// Read after signing in: the address the sign-in came back to has given way to the one the person opened.
const query = new URLSearchParams(location.search);
const state = { realm: query.get("realm") || config.realm, first: 0, manage: false, selected: query.get("subscription"),
  clientId: "", status: "", shown: 0 };
$("user").textContent = session.user;
$("sign-out").addEventListener("click", () => session.signOut());

/** The access token; when the session ended (the refresh was refused) the page starts over and signs in again. */
async function token() {
  try {
    return await session.token();
  } catch (error) {
    if (error instanceof SessionEnded) {
      location.reload();
      return new Promise(() => {});
    }
    throw error;
  }
}

/**
 * A subscription's path: by its internal id once it is known. An id saved by an earlier version may be "..",
 * which the browser's URL parser would turn into a call on the realm itself (DELETE /admin/realms/R/).
 */
const uuids = new Map();
function at(id) {
  if (uuids.has(id)) return `/uuid:${encodeURIComponent(uuids.get(id))}`;
  // Not listed yet (a link to it): only an id no URL parser rewrites goes into a path by name.
  if (!/^[a-z0-9][a-z0-9.-]{0,127}$/.test(id) || id.includes("..")) throw new Error(t("error.notListed", { id }));
  return `/${encodeURIComponent(id)}`;
}

async function api(method, path, body, retried = false) {
  const response = await fetch(`${config.adminApi}/${encodeURIComponent(state.realm)}/event-subscriptions${path}`, {
    method,
    credentials: "omit",
    headers: { Authorization: `Bearer ${await token()}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401 && !retried) {
    session.expire(); // expired or revoked: refreshed once, or the page signs in again
    return api(method, path, body, true);
  }
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: the status says enough */ }
  if (!response.ok) {
    throw Object.assign(new Error(json?.errorMessage || json?.error || t("error.server", { status: response.status })),
      { status: response.status });
  }
  return json;
}

const age = (seconds) => seconds == null ? "" : seconds < 120 ? `${seconds} s`
  : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
const when = (iso) => iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, " UTC") : "";

// ---- realm and access ---------------------------------------------------------------------------------------

async function realms() {
  try {
    const response = await fetch(`${config.adminApi}?briefRepresentation=true`,
      { headers: { Authorization: `Bearer ${await token()}` }, credentials: "omit" });
    const list = response.ok ? (await response.json()).map((r) => r.realm) : [];
    return list.includes(state.realm) ? list : [state.realm, ...list];
  } catch {
    return [state.realm];
  }
}

async function open(realm) {
  state.realm = realm;
  uuids.clear(); // ids are a realm's
  state.first = 0;
  $("detail").hidden = true;
  remember();
  try {
    state.manage = (await api("GET", "/access")).manage;
  } catch (error) {
    $("subscriptions").replaceChildren();
    $("filters").hidden = true;
    notice(error.status === 403 ? t("error.forbidden", { realm })
      : error.message, "error");
    return;
  }
  $("filters").hidden = false;
  notice("");
  await list();
  if (state.selected) await detail(state.selected);
}

function remember() {
  const url = new URL(location.href);
  url.search = new URLSearchParams({ realm: state.realm, ...(state.selected ? { subscription: state.selected } : {}),
    ...(query.has("lang") ? { lang: query.get("lang") } : {}) }).toString();
  history.replaceState(null, "", url);
}

// ---- the subscriptions table --------------------------------------------------------------------------------

/** The newest list() asked for: an answer to an older one that arrives after it is not shown. */
let listing = 0;

async function list(first = state.first) {
  const asked = ++listing;
  const filter = new URLSearchParams({ first: String(first), max: String(PAGE) });
  if (state.clientId) filter.set("clientId", state.clientId);
  if (state.status) filter.set("status", state.status);
  let rows;
  try {
    rows = await api("GET", `?${filter}`);
  } catch (error) {
    if (asked === listing) notice(error.message, "error");
    return;
  }
  if (asked !== listing) return; // a newer filter, page or realm was asked for meanwhile: its answer is the one to show
  state.first = first;
  rows.forEach((s) => uuids.set(s.id, s.uuid));
  $("subscriptions").replaceChildren(
    el("thead", {}, el("tr", {}, ["application", "topic", "filter", "endpoint", "status", "failure-streak", "pending",
      "oldest-pending", "last-attempt"].map((h) => el("th", { scope: "col" }, t(`field.${h}`))))),
    el("tbody", {}, rows.length === 0 ? el("tr", {}, el("td", { colspan: 9, class: "empty" }, t("list.empty")))
      : rows.map((s) => el("tr", { "data-subscription": s.id, class: s.id === state.selected ? "selected" : null,
        tabindex: 0, onclick: () => detail(s.id), onkeydown: (e) => e.key === "Enter" && detail(s.id) },
      el("td", {}, s.application.clientId ?? t("list.deletedClient", { id: s.application.id })),
      el("td", {}, s.topic), el("td", { class: "code" }, s.filter), el("td", { class: "code" }, s.endpoint),
      el("td", {}, el("span", { class: `status ${s.status}` }, s.status), s.statusReason ? el("small", {}, s.statusReason) : null),
      el("td", { class: "number" }, s.failureStreak), el("td", { class: "number" }, s.pending),
      el("td", {}, age(s.oldestPendingSeconds)),
      el("td", {}, when(s.lastAttemptAt), s.lastHttpStatus ? el("small", {}, `HTTP ${s.lastHttpStatus}`) : null)))));
  $("previous").disabled = state.first === 0;
  $("next").disabled = rows.length < PAGE;
}

// ---- one subscription ---------------------------------------------------------------------------------------

async function detail(id) {
  state.selected = id;
  remember();
  let subscription;
  try {
    subscription = await api("GET", at(id));
    uuids.set(subscription.id, subscription.uuid);
  } catch (error) {
    notice(error.message, "error");
    return;
  }
  if (state.selected !== id) return; // another subscription was chosen meanwhile: its answer draws the section
  document.querySelectorAll("#subscriptions tr.selected").forEach((row) => row.classList.remove("selected"));
  document.querySelector(`#subscriptions tr[data-subscription="${CSS.escape(id)}"]`)?.classList.add("selected");
  const section = $("detail");
  section.hidden = false;
  // [field, value]: the field names the term (field.<name>) and the dd's data-field, the same in every language
  const facts = [
    ["application", subscription.application.clientId ?? subscription.application.id], ["topic", subscription.topic],
    ["filter", subscription.filter], ["endpoint", subscription.endpoint], ["body-format", subscription.format],
    ["status", `${subscription.status}${subscription.statusReason ? ` (${subscription.statusReason})` : ""}`],
    ["failure-streak", subscription.failureStreak], ["pending", subscription.pending], ["created", when(subscription.createdAt)],
    ...deliveryFacts(subscription.delivery),
  ];
  section.replaceChildren(el("h2", {}, t("detail.title", { id: subscription.id })), el("dl", {}, facts.flatMap(([field, value]) =>
    [el("dt", {}, t(`field.${field}`)), el("dd", { "data-field": field }, value)])));
  if (state.manage) section.append(actions(subscription));
  section.append(el("h3", {}, t("detail.chart")), el("div", { id: "chart", "data-testid": "chart" }),
    el("h3", {}, t("detail.deliveries"), " ", el("select", { id: "delivery-status", "aria-label": t("detail.deliveryStatus"),
      onchange: () => deliveries(id) }, ["", "PENDING", "DELIVERED", "REJECTED", "PARKED", "CANCELLED"]
      .map((s) => el("option", { value: s }, s || t("detail.anyStatus"))))),
    el("table", { id: "deliveries" }));
  if (subscription.delivery?.heldKeys > 0) {
    section.insertBefore(el("div", {}, el("h3", {}, t("field.held-subjects")), el("table", { id: "held-keys" })), section.querySelector("#chart").previousSibling);
  }
  await Promise.all([chart(id), deliveries(id), subscription.delivery?.heldKeys > 0 ? heldKeys(id) : null]);
}

/** How the subscription's lane sends: ordering, window, held subjects, why it waits, batches. */
function deliveryFacts(delivery) {
  if (!delivery) return [];
  const facts = [["ordering", t(delivery.ordering === "subject" ? "ordering.subject" : "ordering.subscription")],
    ["in-flight", delivery.ordering === "subject" ? t("inFlight.window", { window: delivery.window, max: delivery.maxInFlight }) : "1"],
    ["held-subjects", delivery.heldKeys]];
  if (delivery.blockedBy) {
    const why = ["HEAD", "KEYS", "RECEIVER"].includes(delivery.blockedBy) ? t(`blocked.${delivery.blockedBy}`) : delivery.blockedBy;
    facts.push(["waiting-until", `${when(delivery.blockedUntil)} (${why})`]);
  }
  if (delivery.batch) facts.push(["batches", t("batches", { events: delivery.batch.maxEvents, ms: delivery.batch.maxWaitMs })]);
  return facts;
}

async function heldKeys(id) {
  let held;
  try {
    held = await api("GET", `${at(id)}/held-keys`);
  } catch (error) {
    $("held-keys")?.replaceChildren(el("caption", {}, error.message));
    return;
  }
  if (state.selected !== id || !$("held-keys")) return;
  $("held-keys").replaceChildren(
    el("thead", {}, el("tr", {}, ["subject", "event", "attempts", "next", "last"]
      .map((h) => el("th", { scope: "col" }, t(`held.${h}`))))),
    el("tbody", {}, ...held.map((k) => el("tr", { "data-key": k.key },
      el("td", { class: "code" }, k.key), el("td", {}, k.eventType, el("small", { class: "code" }, k.eventId)),
      el("td", { class: "number" }, k.attempts), el("td", {}, when(k.nextAttemptAt)),
      el("td", {}, k.lastHttpStatus ? `HTTP ${k.lastHttpStatus}` : "", k.lastError ? el("small", {}, k.lastError) : null)))));
}

function actions(subscription) {
  const path = at(subscription.id);
  const hourAgo = new Date(Date.now() - 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
  const now = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z");
  const act = (label, run) => async () => {
    const action = t(label);
    try {
      const answer = await run();
      notice(answer?.queued !== undefined ? t("action.doneQueued", { action, queued: answer.queued }) : t("action.done", { action }));
      await list();
      if (state.selected) await detail(state.selected);
    } catch (error) {
      notice(t("action.failed", { action, message: error.message }), "error");
    }
  };
  const disabled = subscription.status === "DISABLED";
  return el("div", { class: "actions" },
    el("div", { class: "row" },
      el("label", {}, t("action.reason"), " ", el("input", { id: "reason", maxlength: 255, placeholder: t("action.reasonHint") })),
      el("button", { "data-action": disabled ? "enable" : "disable", onclick: act(disabled ? "action.enable" : "action.disable",
        () => api("PUT", `${path}/status`, { status: disabled ? "ACTIVE" : "DISABLED", reason: $("reason").value || undefined })) },
      t(disabled ? "action.enable" : "action.disable")),
      el("button", { "data-action": "redeliver-parked", onclick: act("action.redeliverParked",
        () => api("POST", `${path}/redeliver`, { status: "PARKED" })) }, t("action.redeliverParked")),
      el("button", { "data-action": "delete", class: "danger", onclick: act("action.delete", async () => {
        if (!confirm(t("action.confirmDelete", { id: subscription.id }))) throw new Error(t("action.notDeleted"));
        await api("DELETE", path);
        state.selected = null;
        remember();
        $("detail").hidden = true;
      }) }, t("action.delete"))),
    el("div", { class: "row" },
      el("label", {}, t("action.replayFrom"), " ", el("input", { id: "replay-from", value: hourAgo, size: 22 })),
      el("label", {}, t("action.replayTo"), " ", el("input", { id: "replay-to", value: now, size: 22 })),
      el("button", { "data-action": "replay", onclick: act("action.replay", () => api("POST", `${path}/redeliver`,
        { from: $("replay-from").value.trim(), to: $("replay-to").value.trim() })) }, t("action.replayWindow")),
      el("small", {}, t("action.replayHint"))));
}

async function chart(id) {
  let activity;
  try {
    activity = await api("GET", `${at(id)}/activity?hours=6`);
  } catch (error) {
    $("chart")?.replaceChildren(el("p", { class: "notice error" }, error.message));
    return;
  }
  if (state.selected !== id || !$("chart")) return;
  const b = activity.buckets;
  const data = [b.map((x) => Date.parse(x.start) / 1000), b.map((x) => x.delivered), b.map((x) => x.failed),
    b.map((x) => x.pending), b.map((x) => x.meanDeliveryMillis ?? null)];
  const width = Math.max(320, $("chart").clientWidth || 720);
  $("chart").replaceChildren();
  new uPlot({
    width, height: 220,
    scales: { x: { time: true }, ms: { auto: true } },
    series: [{},
      { label: t("chart.delivered"), stroke: "#3e8635", fill: "rgba(62,134,53,.15)", width: 2 },
      { label: t("chart.failed"), stroke: "#c9190b", width: 2 },
      { label: t("chart.pending"), stroke: "#f0ab00", width: 2 },
      { label: t("chart.latency"), stroke: "#0066cc", dash: [6, 4], width: 2, scale: "ms", spanGaps: false }],
    axes: [{}, { label: t("chart.perBucket", { minutes: activity.bucketSeconds / 60 }) }, { side: 1, scale: "ms", label: "ms", grid: { show: false } }],
  }, data, $("chart"));
}

async function deliveries(id) {
  const status = $("delivery-status")?.value || "";
  let rows;
  try {
    rows = (await api("GET", `${at(id)}/deliveries?max=20${status ? `&status=${status}` : ""}`)).deliveries;
  } catch (error) {
    $("deliveries")?.replaceChildren(el("caption", {}, error.message));
    return;
  }
  if (state.selected !== id || !$("deliveries")) return;
  const redeliver = (delivery) => async () => {
    try {
      await api("POST", `${at(id)}/deliveries/${encodeURIComponent(delivery.deliveryId)}/redeliver`);
      notice(t("delivery.queued", { id: delivery.deliveryId }));
      await deliveries(id);
    } catch (error) {
      notice(t("action.failed", { action: t("delivery.redeliver"), message: error.message }), "error");
    }
  };
  $("deliveries").replaceChildren(
    el("thead", {}, el("tr", {}, ["created", "event", "status", "attempts", "last", "finished"]
      .map((h) => el("th", { scope: "col" }, t(`delivery.${h}`))), el("th", { scope: "col" }))),
    ...rows.map((d) => el("tbody", { "data-delivery": d.deliveryId, "data-event": d.eventId },
      el("tr", {},
        el("td", {}, when(d.createdAt)), el("td", {}, d.eventType, el("small", { class: "code" }, d.eventId)),
        el("td", {}, el("span", { class: `status ${d.status}` }, d.status)), el("td", { class: "number" }, d.attempts),
        el("td", {}, d.lastHttpStatus ? `HTTP ${d.lastHttpStatus}` : "", d.lastError ? el("small", {}, d.lastError) : null),
        el("td", {}, when(d.finishedAt)),
        el("td", {}, state.manage && d.status !== "PENDING"
          ? el("button", { "data-action": "redeliver", onclick: redeliver(d) }, t("delivery.redeliver")) : null)),
      (d.attemptLog || []).map((a) => el("tr", { class: "attempt" },
        el("td", {}, t("attempt.at", { at: when(a.at) })), el("td", {}, a.outcome),
        el("td", {}, a.httpStatus ? `HTTP ${a.httpStatus}` : t("attempt.noAnswer")), el("td", { class: "number" }, `${a.latencyMs} ms`),
        el("td", { class: "code excerpt" }, a.response ?? a.error ?? ""), el("td", {}, a.node ? t("attempt.node", { node: a.node }) : ""), el("td"))))));
}

// ---- wiring -------------------------------------------------------------------------------------------------

$("realm").replaceChildren(...(await realms()).map((r) => el("option", { value: r, selected: r === state.realm }, r)));
$("realm").addEventListener("change", () => { state.selected = null; open($("realm").value); });
$("filters").addEventListener("submit", (e) => {
  e.preventDefault();
  state.clientId = $("filter-client").value.trim();
  state.status = $("filter-status").value;
  list(0);
});
$("previous").addEventListener("click", () => list(Math.max(0, state.first - PAGE)));
$("next").addEventListener("click", () => list(state.first + PAGE));
await open(state.realm);
