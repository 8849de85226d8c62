// The plugin host bridge: a web application embeds an Oracle Field Service plugin in an iframe and the plugin,
// unchanged, talks to it in the Plugin API message protocol (apiVersion 1) over window.postMessage. Its
// getAccessTokenByScope calls are answered with tokens from this Keycloak realm's plugin-api, for the user
// signed in to the plugin's client here.
//
//   import { PluginHost } from "https://keycloak.example/realms/acme/plugin-api/host.js";
//   const plugin = await PluginHost.open({ iframe, pluginClientId: "field-service-plugin",
//                                          pluginOrigin: "https://plugins.example", openData: { activityId: 42 } });
//   const closed = await plugin.closed;   // the plugin's close message (activity, backScreen, backFormLabel, …)
//
// The plugin client's applications (admin console: Plugin applications) go to the plugin in init, as Field
// Service sends them; getAccessToken {applicationKey} is answered like getAccessTokenByScope, for the scope
// the server has registered for that key (the browser never chooses it).
//
// A message counts only when it comes from the embedded plugin's window and from its registered origin (the
// plugin client's attribute plugin.origins); every message to the plugin is posted to that origin alone, so a
// token never reaches another window or origin. Tokens stay in this module's memory.
import { SessionEnded, signIn } from "./oidc.js";

const realmUrl = new URL("../", import.meta.url); // …/realms/{realm}/
const API_VERSION = 1;
/** The token procedures, each with the one parameter its errors carry back; the server answers both. */
const TOKEN_PROCEDURES = { getAccessTokenByScope: "scope", getAccessToken: "applicationKey" };
/** Procedures a host page may serve itself (PluginHost.open's `procedures`); without one, they are unavailable. */
const HOST_PROCEDURES = ["getFormDrafts", "getSubmittedForms", "scanBarcode"];
/** Beyond the server's own timeout: time for its 504 envelope to come back before this side gives up. */
const TIMEOUT_MARGIN_MILLIS = 2000;
/** Updates kept for a host that has not asked for them yet (nextUpdate): a plugin cannot grow them without end. */
const MAX_UNREAD_UPDATES = 100;

/**
 * The error envelope of the Plugin API in plugin-api's own shape (PluginEnvelopes): callId always there (null
 * when the message had none that could be read), the procedure when one was named, the scope for token errors.
 */
function failure(message, error, { withParam = false } = {}) {
  const item = { ...error };
  if (typeof message?.procedure === "string") item.procedure = message.procedure;
  const param = TOKEN_PROCEDURES[message?.procedure];
  if (withParam && param) item[param] = message?.params?.[param] ?? null;
  return { apiVersion: API_VERSION, method: "error", callId: message?.callId ?? null, errors: [item] };
}

const internal = (code) => ({ type: "TYPE_INTERNAL", code });
const procedureError = (code) => ({ type: "TYPE_PROCEDURE_ERROR", code });
const tokenProcedure = (nativeApp, code) => nativeApp
  ? { type: "TYPE_PROCEDURE_GET_ACCESS_TOKEN_NATIVE_ERROR", code: `CODE_GET_ACCESS_TOKEN_NATIVE_${code}` }
  : { type: "TYPE_PROCEDURE_GET_ACCESS_TOKEN_ERROR", code: `CODE_GET_ACCESS_TOKEN_${code}` };

export class PluginHost {
  /**
   * Signs the user in to the plugin client (authorization code + PKCE; the page leaves for Keycloak and comes
   * back, and then calls open again), checks the plugin's origin against the client's registration, loads the
   * plugin into the iframe and serves it. Resolves to the open plugin.
   *
   * openLinks: https origins whose pages the plugin may open in a new tab (openLink); none by default.
   * procedures: what this page answers itself, e.g. { getFormDrafts: async (params) => [] }, among
   * getFormDrafts, getSubmittedForms and scanBarcode; a procedure without one is answered CODE_PROCEDURE_UNAVAILABLE.
   */
  static async open({ iframe, pluginClientId, pluginOrigin, openData = {}, src = iframe.src, openLinks = [], procedures = {} }) {
    const origin = new URL(pluginOrigin).origin;
    const unknown = Object.keys(procedures).filter((name) => !HOST_PROCEDURES.includes(name) || typeof procedures[name] !== "function");
    if (unknown.length) {
      throw new Error(`procedures are functions serving ${HOST_PROCEDURES.join(", ")}; not ${unknown.join(", ")}`);
    }
    const linkOrigins = openLinks.map((link) => {
      const url = new URL(link);
      if (url.protocol !== "https:") throw new Error(`openLinks takes https origins, not ${link}`);
      return url.origin;
    });
    if (!src || new URL(src, location.href).origin !== origin) {
      throw new Error(`The plugin's address must be at its origin ${origin}`);
    }
    const session = await signIn({
      clientId: pluginClientId,
      issuer: realmUrl.href.replace(/\/$/, ""), // the realm's issuer, as its tokens name it
      authorizationEndpoint: new URL("protocol/openid-connect/auth", realmUrl).href,
      tokenEndpoint: new URL("protocol/openid-connect/token", realmUrl).href,
      endSessionEndpoint: new URL("protocol/openid-connect/logout", realmUrl).href,
    });
    const response = await fetch(new URL("plugin-api/host", realmUrl),
      { headers: { Authorization: `Bearer ${await session.token()}` }, credentials: "omit" });
    if (!response.ok) {
      throw new Error(`plugin-api/host answered ${response.status}`);
    }
    const host = await response.json();
    if (!host.pluginOrigins.includes(origin)) {
      throw new Error(`${origin} is not registered for ${pluginClientId} (client attribute plugin.origins)`);
    }
    return new OpenPlugin(iframe, origin, src, openData, host, session, { linkOrigins, procedures });
  }
}

class OpenPlugin {
  #iframe;
  #origin;
  #openData;
  #host;
  #session;
  #asObjects = false;
  #updates = []; // hosts waiting in nextUpdate()
  #unread = []; // updates nobody waited for yet, oldest first, at most MAX_UNREAD_UPDATES
  #disposed = false;
  #closed;
  #close;
  #listener;
  #linkOrigins;
  #procedures;

  constructor(iframe, origin, src, openData, host, session, { linkOrigins, procedures }) {
    this.#linkOrigins = linkOrigins;
    this.#procedures = procedures;
    this.#iframe = iframe;
    this.#origin = origin;
    this.#openData = openData;
    this.#host = host;
    this.#session = session;
    this.user = session.user;
    this.environment = host.environment;
    this.#closed = new Promise((resolve) => { this.#close = resolve; });
    this.#listener = (event) => this.#receive(event);
    window.addEventListener("message", this.#listener);
    iframe.src = src; // loaded (again) only now, so that its "ready" cannot come before the listener
  }

  /**
   * Resolves with the plugin's close message (its data for the host, e.g. activity changes), or with null when
   * the host disposed of the plugin first.
   */
  get closed() {
    return this.#closed;
  }

  /**
   * Resolves with the plugin's next update message (the host has answered it with updateResult already): the
   * oldest one not taken yet, so a host that saves each update before it asks for the next loses none. Resolves
   * with null once the plugin is closed or disposed of and every update was taken.
   */
  nextUpdate() {
    if (this.#unread.length) return Promise.resolve(this.#unread.shift());
    if (this.#disposed) return Promise.resolve(null);
    return new Promise((resolve) => this.#updates.push(resolve));
  }

  /** Stops listening; the plugin gets nothing more, and whatever waits on it (closed, nextUpdate) gets null. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    window.removeEventListener("message", this.#listener);
    this.#updates.splice(0).forEach((resolve) => resolve(null));
    this.#close(null); // no effect when the plugin's close message resolved it already
  }

  #send(message) {
    // Only the plugin's window, and only while it shows the registered origin: never "*".
    this.#iframe.contentWindow?.postMessage(this.#asObjects ? message : JSON.stringify(message), this.#origin);
  }

  #receive(event) {
    if (event.source !== this.#iframe.contentWindow || event.origin !== this.#origin) {
      return; // another window, or the plugin's frame navigated elsewhere: not the plugin
    }
    let message = event.data;
    if (typeof message === "string") {
      try {
        message = JSON.parse(message);
      } catch {
        this.#send(failure(null, internal("CODE_JSON_INVALID")));
        return;
      }
    }
    if (message === null || typeof message !== "object" || Array.isArray(message)) {
      this.#send(failure(null, internal("CODE_JSON_INVALID")));
      return;
    }
    switch (message.method) {
      case "ready":
        this.#asObjects = message.sendMessageAsJsObject === true;
        if (message.sendInitData) {
          // applications as Field Service sends them: key -> {type, resourceUrl} (@ofs-users/plugin builds its
          // proxy from the first "ofs" one, at open, with getAccessToken).
          this.#send({ apiVersion: API_VERSION, method: "init", attributeDescription: {}, buttons: [],
            applications: this.#host.applications ?? {}, environment: this.#host.environment });
        } else {
          this.#open();
        }
        break;
      case "initEnd":
        this.#open();
        break;
      case "update": {
        this.#send({ apiVersion: API_VERSION, method: "updateResult" });
        const waiting = this.#updates.shift();
        if (waiting) {
          waiting(message);
        } else if (this.#unread.push(message) > MAX_UNREAD_UPDATES) {
          this.#unread.shift(); // a plugin sending faster than its host reads: the oldest give way, memory stays bounded
        }
        break;
      }
      case "close":
        // The host page gets the message whole: the activity and other entities, and where Field Service would
        // go next (backScreen with backFormLabel, backPluginLabel, backPluginOpenParams, …): its to follow.
        this.#close(message);
        this.dispose(); // the plugin is done: nothing it (or whatever loads in its frame) sends counts any more
        break;
      case "sleep":
        break; // nothing to keep awake here: the host never wakes a plugin up
      case "callProcedure":
        this.#call(message);
        break;
      default:
        this.#send(failure(message, internal("CODE_METHOD_NOT_SUPPORTED")));
    }
  }

  #open() {
    // The host's openData (activity, resource, …, as the plugin expects them), with the realm's Environment and
    // the procedures this bridge serves (Field Service's allowedProcedures).
    const allowedProcedures = Object.fromEntries([...Object.keys(TOKEN_PROCEDURES),
      ...(this.#linkOrigins.length ? ["openLink"] : []), ...Object.keys(this.#procedures)].map((name) => [name, true]));
    this.#send({
      user: { ulogin: this.#session.user }, ...this.#openData,
      apiVersion: API_VERSION, method: "open", environment: this.#host.environment, allowedProcedures,
    });
  }

  /** A callProcedure other than the token procedures: answered here, or refused with Field Service's codes. */
  async #serve(message) {
    if (message.procedure === "openLink") {
      this.#openLink(message);
      return;
    }
    const handler = HOST_PROCEDURES.includes(message.procedure) ? this.#procedures[message.procedure] : undefined;
    if (!HOST_PROCEDURES.includes(message.procedure)) {
      this.#send(failure(message, procedureError("CODE_PROCEDURE_UNKNOWN")));
    } else if (!handler) {
      this.#send(failure(message, procedureError("CODE_PROCEDURE_UNAVAILABLE")));
    } else {
      try {
        // Bounded like the token procedures: a handler that never settles still gets the plugin an answer.
        const resultData = await Promise.race([handler(message.params ?? {}), new Promise((_, reject) => {
          setTimeout(() => reject(new Error("timeout")), this.#host.timeoutMillis);
        })]);
        this.#send({ apiVersion: API_VERSION, method: "callProcedureResult", callId: message.callId ?? null,
          procedure: message.procedure, resultData });
      } catch {
        this.#send(failure(message, procedureError("CODE_PROCEDURE_FAILED")));
      }
    }
  }

  /** openLink {url}: only an https page of an origin the host allowed, in a new tab that cannot reach back. */
  #openLink(message) {
    if (!this.#linkOrigins.length) {
      this.#send(failure(message, procedureError("CODE_PROCEDURE_UNAVAILABLE")));
      return;
    }
    let url;
    try {
      url = new URL(message.params?.url);
    } catch {
      url = null;
    }
    if (typeof message.params?.url !== "string" || url?.protocol !== "https:") {
      this.#send(failure(message, { type: "TYPE_PROCEDURE_PARAM", code: "CODE_PROCEDURE_PARAM_VALUE_INVALID", paramName: "url" }));
    } else if (!this.#linkOrigins.includes(url.origin)) {
      this.#send(failure(message, procedureError("CODE_PROCEDURE_FAILED")));
    } else {
      // noopener: the new page gets no handle on this one (window.open then returns null, whatever happened).
      window.open(url.href, "_blank", "noopener,noreferrer");
      this.#send({ apiVersion: API_VERSION, method: "callProcedureResult", callId: message.callId ?? null,
        procedure: "openLink", resultData: {} });
    }
  }

  /**
   * Relays a token call (getAccessTokenByScope, getAccessToken) to plugin-api with the user's token; several may be in flight, each
   * answered by its callId. The whole of it (a token refresh included) is bounded by the server's own timeout
   * and a margin, so a plugin always gets an answer: the server's (its 504 envelope when issuing was too slow),
   * or the same code from here when nothing came back in time.
   */
  async #call(message) {
    const nativeApp = this.#host.nativeApp === true;
    if (!Object.hasOwn(TOKEN_PROCEDURES, message.procedure)) {
      await this.#serve(message);
      return;
    }
    if (!navigator.onLine) {
      this.#send(failure(message, tokenProcedure(nativeApp, "OFFLINE_NOT_SUPPORTED"), { withParam: true }));
      return;
    }
    const signal = AbortSignal.timeout(this.#host.timeoutMillis + TIMEOUT_MARGIN_MILLIS);
    try {
      let response = await this.#post(message, signal);
      if (response.status === 401) {
        this.#session.expire(); // expired or revoked meanwhile: refreshed once and asked again
        response = await this.#post(message, signal);
      }
      this.#send(await response.json()); // the envelope, success or error, exactly as plugin-api wrote it
    } catch (error) {
      const code = error.name === "TimeoutError" ? "PROCEDURE_TIMEOUT"
        : error instanceof SessionEnded ? "UNAUTHORIZED" : !navigator.onLine ? "OFFLINE_NOT_SUPPORTED" : null;
      this.#send(code ? failure(message, tokenProcedure(nativeApp, code), { withParam: code !== "UNAUTHORIZED" })
        : failure(message, internal("CODE_UNKNOWN")));
    }
  }

  async #post(message, signal) {
    const token = await Promise.race([this.#session.token(), new Promise((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    })]);
    return fetch(new URL("plugin-api", realmUrl), {
      method: "POST", credentials: "omit", signal, body: JSON.stringify(message),
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    });
  }
}
