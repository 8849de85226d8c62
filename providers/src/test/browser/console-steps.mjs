// One step of a person using the admin console and the Event subscriptions page, in Debian's chromium driven
// by puppeteer-core. The Java test runs a step at a time (node console-steps.mjs <step>), acts on the server
// between steps, and reads the one JSON line it prints. Every step connects to the same browser, as a person
// keeps theirs open: the Keycloak session cookie of the first sign-in carries the next steps.
import { runStep } from "./browser-step.mjs";

// Waits poll every 100 ms: animation-frame polling (puppeteer's default) can stall in a frame of another process.
const POLL = { polling: 100 };

let page;
let kc;
let shot;
let settled;
let signInIfAsked;
let expectProblem;
const consoleUrl = (loginRealm, query) =>
  `${kc}/realms/${loginRealm}/event-subscriptions/console/?${new URLSearchParams(query)}`;
const SIGNED_IN = "#subscriptions tr, [data-testid=sign-in-choice]";

/** Opens the page of {@code loginRealm} for {@code realm} in a browser nobody signed in yet, and signs in there. */
async function signInToThePage(username, password, loginRealm, realm, alsoDone = "#subscriptions tbody tr", query = {}) {
  await page.goto(consoleUrl(loginRealm, { realm, ...query }));
  await settled("[data-testid=sign-in-choice]");
  await Promise.all([page.waitForNavigation(), page.click("[data-action=sign-in]")]);
  await signInIfAsked(username, password, alsoDone);
}

async function detailOf(subscription) {
  await settled(`#subscriptions tr[data-subscription="${subscription}"]`);
  await settled("#detail:not([hidden]) #chart canvas");
  await page.waitForFunction(() => document.querySelector("#deliveries thead"), POLL);
}

const field = (name) => page.$eval(`#detail dd[data-field="${name}"]`, (dd) => dd.textContent);
const buttons = () => page.$$eval("[data-action]", (all) => all.map((b) => b.dataset.action));
const waitForField = (name, text) => page.waitForFunction((n, t) =>
  document.querySelector(`#detail dd[data-field="${n}"]`)?.textContent.startsWith(t), POLL, name, text);

const steps = {
  /**
   * The server cannot give the page its settings (config.json answers 503): the page says so, in its notice,
   * instead of failing on a body that is not its settings.
   */
  async settingsUnavailable({ loginRealm, realm }) {
    expectProblem(/^503 .*\/config\.json$/);
    expectProblem(/^console: Failed to load resource: the server responded with a status of 503/);
    await page.setRequestInterception(true);
    page.on("request", (request) => request.url().includes("/console/config.json")
      ? request.respond({ status: 503, contentType: "text/html", body: "<h1>Service unavailable</h1>" })
      : request.continue());
    await page.goto(consoleUrl(loginRealm, { realm }));
    await page.waitForFunction(() => document.querySelector("#notice")?.textContent.trim(), POLL);
    await shot("13-settings-unavailable");
    return { notice: await page.$eval("#notice", (n) => n.textContent.trim()), filtersHidden: await page.$eval("#filters", (f) => f.hidden) };
  },

  /**
   * Two filters in a row, the first answered last: the table shows what the second asked for. The list answer
   * for status=DISABLED is held back until the one for status=ACTIVE has been shown.
   */
  async fasterSecondFilter({ username, password, loginRealm, realm, clientId }) {
    await signInToThePage(username, password, loginRealm, realm);
    await settled("#subscriptions tbody tr");
    let releaseFirst;
    const firstHeld = new Promise((resolve) => { releaseFirst = resolve; });
    await page.setRequestInterception(true);
    page.on("request", async (request) => {
      if (request.method() === "GET" && /\/event-subscriptions\?.*status=DISABLED/.test(request.url())) {
        await firstHeld;
        await new Promise((resolve) => setTimeout(resolve, 300)); // after the second answer is on the page
      }
      request.continue();
    });
    await page.$eval("#filter-client", (input, value) => { input.value = value; }, clientId);
    await page.select("#filter-status", "DISABLED");
    await page.click("#filters button[type=submit]");
    await page.select("#filter-status", "ACTIVE");
    await page.click("#filters button[type=submit]");
    await page.waitForFunction((id) => document.querySelector("#subscriptions tbody tr td")?.textContent === id, POLL, clientId);
    releaseFirst();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the held answer arrives meanwhile
    await shot("14-faster-second-filter");
    const rows = await page.$$eval("#subscriptions tbody tr", (all) => all.map((tr) => [...tr.cells].map((td) => td.textContent)));
    return { rows, status: await page.$eval("#filter-status", (s) => s.value) };
  },

  /**
   * The token endpoint's answer is tampered with on its way (here: by the test, as a hostile proxy or extension
   * would): its ID token names another client ({@code aud}) or another issuer ({@code iss}). The page refuses it.
   */
  async tamperedIdToken({ username, password, loginRealm, realm, claim, value }) {
    expectProblem(/^page error: Sign-in failed: the answer was not for this page's request(\n|$)/);
    await page.setRequestInterception(true);
    page.on("request", async (request) => {
      if (request.method() !== "POST" || !request.url().endsWith("/protocol/openid-connect/token")
        || !(request.postData() || "").includes("grant_type=authorization_code")) {
        request.continue();
        return;
      }
      const answer = await fetch(request.url(), { method: "POST", headers: request.headers(), body: request.postData() });
      const tokens = await answer.json();
      const [header, payload, signature] = tokens.id_token.split(".");
      const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
      claims[claim] = value;
      tokens.id_token = [header, Buffer.from(JSON.stringify(claims)).toString("base64url"), signature].join(".");
      request.respond({ status: 200, contentType: "application/json", headers: { "Access-Control-Allow-Origin": "*" },
        body: JSON.stringify(tokens) });
    });
    await signInToThePage(username, password, loginRealm, realm, "#notice .error, #subscriptions tbody tr");
    await page.waitForFunction(() => document.querySelector("#notice .error, #subscriptions tbody tr"), POLL);
    await shot(`15-tampered-id-token-${claim}`);
    return { notice: await page.$eval("#notice", (n) => n.textContent.trim()), user: await page.$eval("#user", (u) => u.textContent),
      listed: (await page.$$("#subscriptions tbody tr")).length };
  },

  /** The page in another language (?lang=): its title, labels, column heads and a subscription's terms. */
  async pageInLanguage({ username, password, loginRealm, realm, lang, subscription }) {
    await signInToThePage(username, password, loginRealm, realm, "#subscriptions tbody tr", { lang, subscription });
    await settled("#detail:not([hidden]) dl");
    await page.waitForFunction(() => document.querySelector("#deliveries thead"), POLL);
    await shot(`16-page-in-${lang}`);
    return page.evaluate(() => ({
      lang: document.documentElement.lang,
      langKept: new URL(location.href).searchParams.get("lang"),
      title: document.title,
      heading: document.querySelector("h1").textContent,
      filterLabel: document.querySelector("#filters label span").textContent,
      columns: [...document.querySelectorAll("#subscriptions thead th")].map((th) => th.textContent),
      terms: [...document.querySelectorAll("#detail dt")].map((dt) => dt.textContent),
      statusField: document.querySelector("#detail dd[data-field=status]")?.textContent,
    }));
  },

  /** An administrator signs in to the admin console, finds the page's link there and opens the subscription. */
  async adminOpens({ username, password, realm, subscription }) {
    await page.goto(`${kc}/admin/master/console/`);
    await signInIfAsked(username, password, SIGNED_IN);
    await page.goto(`${kc}/admin/master/console/#/master/clients`);
    const link = await settled(`a[href*="/event-subscriptions/console/"]`);
    const href = await link.evaluate((a) => a.href);
    await shot("01-admin-console-clients");
    await page.goto(href);
    await signInIfAsked(username, password, SIGNED_IN);
    await settled("#realm option");
    await page.select("#realm", realm);
    await settled(`#subscriptions tr[data-subscription="${subscription}"]`);
    const row = await page.$eval(`#subscriptions tr[data-subscription="${subscription}"]`,
      (tr) => [...tr.cells].map((td) => td.textContent));
    await shot("02-subscriptions");
    await page.click(`#subscriptions tr[data-subscription="${subscription}"]`);
    await detailOf(subscription);
    const deliveries = await page.$$eval("#deliveries tbody[data-event]", (all) => all.map((b) => b.dataset.event));
    const attempts = await page.$$eval("#deliveries tr.attempt", (all) => all.map((tr) => tr.textContent));
    await shot("03-subscription-detail");
    // A subscriber's filter is shown as the text it is: markup in it is never run.
    const markupRan = await page.evaluate(() => window.__subscriberMarkupRan === true);
    const filterShown = await field("filter");
    return { link: href, row, deliveries, attempts, buttons: await buttons(), user: await page.$eval("#user", (s) => s.textContent),
      markupRan, filterShown, format: await field("body-format") };
  },

  /**
   * The page of the managed realm itself, opened by an administrator of master: nobody is signed in to that
   * realm, so the page offers the way in through the administrator's own realm, which then shows this realm.
   */
  async adminComesThroughTheRealmsOwnPage({ realm, subscription }) {
    await page.goto(consoleUrl(realm, {}));
    await settled("[data-testid=sign-in-choice]");
    await shot("04-sign-in-choice");
    await Promise.all([page.waitForNavigation(), page.click("[data-action=sign-in-elsewhere]")]);
    await settled(`#subscriptions tr[data-subscription="${subscription}"]`);
    return { url: page.url(), realm: await page.$eval("#realm", (s) => s.value) };
  },

  /** Disables the subscription with a reason, as the page's button does it. */
  async adminDisables({ loginRealm, realm, subscription, reason }) {
    // Which paths the page changes a subscription through: its internal id, which no URL parser rewrites.
    const changes = [];
    page.on("request", (request) => {
      if (request.method() !== "GET" && request.url().includes("/event-subscriptions/")) changes.push(`${request.method()} ${request.url()}`);
    });
    await page.goto(consoleUrl(loginRealm, { realm, subscription }));
    await detailOf(subscription);
    await page.type("#reason", reason);
    await page.click("[data-action=disable]");
    await waitForField("status", "DISABLED");
    await shot("05-disabled");
    return { status: await field("status"), buttons: await buttons(), changes };
  },

  /** Enables it again, then replays a window of capture time. */
  async adminReplays({ loginRealm, realm, subscription, from, to }) {
    await page.goto(consoleUrl(loginRealm, { realm, subscription }));
    await detailOf(subscription);
    await page.click("[data-action=enable]");
    await waitForField("status", "ACTIVE");
    await page.$eval("#replay-from", (input, value) => { input.value = value; }, from);
    await page.$eval("#replay-to", (input, value) => { input.value = value; }, to);
    await page.click("[data-action=replay]");
    await page.waitForFunction(() => /Replay: /.test(document.querySelector("#notice")?.textContent), POLL);
    const notice = await page.$eval("#notice", (n) => n.textContent);
    await shot("06-replayed");
    return { status: await field("status"), notice };
  },

  /**
   * A subject-ordered subscription one of whose users' events fails: the page shows how it sends (ordering,
   * window) and which subject is held by which event.
   */
  async adminSeesHeldSubjects({ loginRealm, realm, subscription }) {
    await page.goto(consoleUrl(loginRealm, { realm, subscription }));
    await detailOf(subscription);
    await settled("#held-keys tbody tr[data-key]");
    const held = await page.$$eval("#held-keys tbody tr[data-key]", (rows) => rows.map((tr) =>
      ({ key: tr.dataset.key, cells: [...tr.cells].map((td) => td.textContent) })));
    await shot("07-held-subjects");
    return { ordering: await field("ordering"), inFlight: await field("in-flight"), heldSubjects: await field("held-subjects"), held };
  },

  /**
   * A user holding only view-events signs in to the admin console of their realm and opens the page: the
   * subscription is there, no action is offered, and the server refuses a change made with the page's own token.
   */
  async viewerLooks({ username, password, realm, subscription }) {
    await page.goto(`${kc}/admin/${realm}/console/`);
    await signInIfAsked(username, password, SIGNED_IN);
    let token = null;
    page.on("request", (request) => {
      const authorization = request.headers().authorization;
      if (request.url().includes("/event-subscriptions") && authorization) token = authorization.slice("Bearer ".length);
    });
    await page.goto(consoleUrl(realm, { realm }));
    await signInIfAsked(username, password, SIGNED_IN);
    await settled(`#subscriptions tr[data-subscription="${subscription}"]`);
    await page.click(`#subscriptions tr[data-subscription="${subscription}"]`);
    await detailOf(subscription);
    await shot("07-view-events-only");
    const change = await fetch(`${kc}/admin/realms/${realm}/event-subscriptions/${subscription}/status`, {
      method: "PUT", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ status: "DISABLED" }),
    });
    return { buttons: await buttons(), status: await field("status"), putWithPageToken: change.status, hadToken: token !== null };
  },

  /** The admin console's Event topics page of a realm: its title, menu entry and the topics it lists. */
  async eventTopics({ username, password, realm }) {
    await page.goto(`${kc}/admin/master/console/#/${realm}/page-section/event-topics`);
    await signInIfAsked(username, password, SIGNED_IN);
    await settled("table tbody tr td a");
    const title = await page.$eval("h1", (h) => h.textContent);
    const topics = await page.$$eval("table tbody tr td a", (all) => all.map((a) => a.textContent));
    const menu = await page.$$eval("nav a, nav button", (all) => all.map((a) => a.textContent.trim()));
    await shot("08-event-topics");
    await page.click("table tbody tr td a");
    await settled("[class*='c-breadcrumb__item']");
    const breadcrumb = await page.$$eval("[class*='c-breadcrumb__item']", (all) => all.map((li) => li.textContent.trim()));
    await shot("09-event-topic");
    return { title, topics, menuHasEventTopics: menu.includes("Event topics"), breadcrumb };
  },

  /** The admin console's Plugin applications page of a realm: its title and the application keys it lists. */
  async pluginApplications({ username, password, realm }) {
    await page.goto(`${kc}/admin/master/console/#/${realm}/page-section/plugin-applications`);
    await signInIfAsked(username, password, SIGNED_IN);
    await settled("table tbody tr td a");
    const title = await page.$eval("h1", (h) => h.textContent);
    const rows = await page.$$eval("table tbody tr", (all) => all.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim())));
    await shot("10-plugin-applications");
    return { title, rows };
  },

  /** An administrator registers an application with the page's form: what the console then says. */
  async registerPluginApplication({ username, password, realm, key, scope }) {
    await page.goto(`${kc}/admin/master/console/#/${realm}/page-section/plugin-applications`);
    await signInIfAsked(username, password, SIGNED_IN);
    await settled("table tbody tr td a");
    await page.click("::-p-text(Create item)");
    await settled("form input");
    const fields = await page.$$eval("form input, form select, form textarea", (all) => all.map((e) => e.name || e.id));
    const fill = async (name, value) => {
      const input = await page.$(`form [name="config.${name}"], form [id="${name}"], form [name="${name}"]`);
      if (!input) throw new Error(`no field ${name} in ${JSON.stringify(fields)}`);
      await input.click({ clickCount: 3 });
      await input.type(value);
    };
    await fill("client", "field-service-plugin");
    await fill("applicationKey", key);
    await fill("scope", scope);
    await shot("11-plugin-application-form");
    await page.click("::-p-text(Save)");
    await settled("[class*='alert__title']");
    const alert = await page.$eval("[class*='alert__title']", (a) => a.textContent.trim());
    await shot("12-plugin-application-saved");
    return { fields, alert };
  },
};

await runStep(Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, (args, tools) => {
  ({ page, kc, shot, settled, signInIfAsked, expectProblem } = tools);
  return step(args);
}])), (url) => url.includes("/event-subscriptions/console/"));
