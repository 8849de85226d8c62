// Sign-in for a page of Keycloak's own: the authorization code flow with PKCE (S256) against a public client.
// Tokens live in this module's memory only: never in a URL, localStorage or a cookie of ours. What the redirect
// needs to come back (state, nonce, verifier, the page to return to) waits in sessionStorage, for one round trip.

const PENDING = "kci.signin";

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const claims = (jwt) => JSON.parse(new TextDecoder().decode(
  Uint8Array.from(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));

/**
 * The ID token answers this page's request: issued by the realm the page signs in to ({@code iss}), for this
 * page's client ({@code aud}, and {@code azp} when it names several), with this request's nonce (none on a
 * refresh). It came straight from the token endpoint over TLS, so its claims are read, not its signature
 * checked (OpenID Connect Core 3.1.3.7); these checks catch an answer meant for another request or client.
 */
function checkIdToken(idToken, config, nonce) {
  const token = idToken ? claims(idToken) : {};
  const audiences = Array.isArray(token.aud) ? token.aud : [token.aud];
  const forThisClient = audiences.includes(config.clientId) && (audiences.length === 1 || token.azp === config.clientId);
  if (token.iss !== config.issuer || !forThisClient || (nonce !== undefined && token.nonce !== nonce)) {
    throw new Error("Sign-in failed: the answer was not for this page's request");
  }
  return token;
}

/**
 * Coming back from Keycloak with this page's request answered: the address is given back its own query at
 * once, as this module loads, so that the page's scripts read the address the person opened, not the code.
 */
const arrival = (() => {
  const params = new URLSearchParams(location.search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  if ((params.has("code") || params.has("error")) && pending && params.get("state") === pending.state) {
    sessionStorage.removeItem(PENDING); // one round trip: a reload of this address does not sign in again
    history.replaceState(null, "", pending.returnTo);
    return { params, pending };
  }
  return null;
})();
let answered = arrival;

/** The refresh token was refused: only a new sign-in helps. */
export class SessionEnded extends Error {}

/** Keycloak answered a silent sign-in with "nobody is signed in to this realm in this browser". */
export class NotSignedIn extends Error {}

/**
 * Resolves to a session ({token(), user, signOut()}); redirects to Keycloak when there is none yet. With
 * {silent: true} Keycloak is asked not to show its login form (prompt=none): the admin console's session
 * in this realm signs the page in, and without one the promise rejects with NotSignedIn.
 */
export async function signIn(config, { silent = false } = {}) {
  if (!config.issuer) throw new Error("config.issuer is required: the realm's issuer, as its ID tokens name it");
  const redirectUri = location.origin + location.pathname;
  if (answered && answered.pending.clientId !== config.clientId) {
    // One sign-in client per page: the answer is for another one, and taking it for this client would fail.
    throw new Error(`This page signed in for ${answered.pending.clientId}; one page signs in to one client`);
  }
  if (answered) {
    const { params, pending } = answered;
    answered = null; // one answer, used once
    if (pending.silent && ["login_required", "interaction_required", "consent_required", "account_selection_required"]
      .includes(params.get("error"))) {
      throw new NotSignedIn("Nobody is signed in to this realm in this browser");
    }
    if (params.has("error")) {
      throw new Error(`Sign-in failed: ${params.get("error_description") || params.get("error")}`);
    }
    const tokens = await post(config.tokenEndpoint, {
      grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectUri,
      client_id: config.clientId, code_verifier: pending.verifier,
    });
    checkIdToken(tokens.id_token, config, pending.nonce);
    return new Session(config, tokens);
  }
  const state = random();
  const nonce = random();
  const verifier = random();
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const returnTo = new URL(location.href);
  for (const name of ["code", "state", "session_state", "iss", "error", "error_description", "error_uri"]) {
    returnTo.searchParams.delete(name);
  }
  sessionStorage.setItem(PENDING, JSON.stringify({ state, nonce, verifier, silent, clientId: config.clientId, returnTo: returnTo.href }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId, redirect_uri: redirectUri, response_type: "code", response_mode: "query",
    scope: "openid", state, nonce, code_challenge: challenge, code_challenge_method: "S256", ...(silent ? { prompt: "none" } : {}),
  }).toString();
  location.assign(url);
  return new Promise(() => {}); // the page is leaving
}

async function post(url, form) {
  const response = await fetch(url, { method: "POST", body: new URLSearchParams(form), credentials: "omit" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`Sign-in failed: ${body.error_description || body.error || response.status}`);
  }
  return body;
}

class Session {
  #config;
  #tokens;
  #idToken;
  #expiresAt;
  #refreshing = null;

  constructor(config, tokens) {
    this.#config = config;
    this.#accept(tokens);
    const idToken = claims(tokens.id_token);
    this.user = idToken.preferred_username || idToken.sub;
  }

  #accept(tokens) {
    if (tokens.id_token) checkIdToken(tokens.id_token, this.#config); // a refreshed one is the realm's and this client's too
    this.#tokens = tokens;
    this.#idToken = tokens.id_token || this.#idToken;
    this.#expiresAt = Date.now() + (tokens.expires_in - 15) * 1000;
  }

  /**
   * A current access token, refreshed first when it is about to expire (or was refused: {@link expire}). When
   * the refresh is refused too (the session ended, or was logged out), rejects with SessionEnded: the page
   * decides (the console signs in again; the plugin host answers the plugin UNAUTHORIZED).
   */
  async token() {
    if (Date.now() >= this.#expiresAt) {
      this.#refreshing ??= post(this.#config.tokenEndpoint, {
        grant_type: "refresh_token", refresh_token: this.#tokens.refresh_token, client_id: this.#config.clientId,
      }).then((tokens) => this.#accept(tokens)).finally(() => { this.#refreshing = null; });
      try {
        await this.#refreshing;
      } catch {
        throw new SessionEnded("The sign-in session ended; sign in again");
      }
    }
    return this.#tokens.access_token;
  }

  /** The server refused the access token: the next {@link token} refreshes it first. */
  expire() {
    this.#expiresAt = 0;
  }

  signOut() {
    const url = new URL(this.#config.endSessionEndpoint);
    url.search = new URLSearchParams({
      id_token_hint: this.#idToken, post_logout_redirect_uri: location.origin + location.pathname,
    }).toString();
    this.#tokens = null;
    location.assign(url);
  }
}
