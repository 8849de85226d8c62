// One step of a person using the admin console and the Event subscriptions page, in Debian's chromium driven
// by puppeteer-core. The Java test starts the browser (testing/Browser.java), runs a step at a time
// (node console-steps.mjs <step>), acts on the server between steps, and reads the one JSON line this prints.
// Every step connects to that same browser, as a person keeps theirs open: the Keycloak session cookie of the
// first sign-in carries the next steps.
//
// Environment: WS (the browser's DevTools endpoint), KC (server base URL), SHOTS (screenshot dir), STEP_ARGS (JSON).
import puppeteer from "puppeteer-core";
import { mkdirSync } from "node:fs";

const [step] = process.argv.slice(2);
const args = JSON.parse(process.env.STEP_ARGS || "{}");
const kc = process.env.KC.replace(/\/$/, "");
mkdirSync(process.env.SHOTS, { recursive: true });

const browser = await puppeteer.connect({ browserWSEndpoint: process.env.WS, defaultViewport: { width: 1440, height: 1000 } });
const page = await browser.newPage();
page.setDefaultTimeout(30_000);
const problems = [];
// What goes wrong on the project's page (the admin console's own noise is not this test's business).
const ours = () => page.url().includes("/event-subscriptions/console/");
page.on("pageerror", (error) => ours() && problems.push(`page error: ${error.message}`));
page.on("console", (message) => ours() && message.type() === "error" && problems.push(`console: ${message.text()}`));
page.on("response", (response) => ours() && response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
const shot = (name) => page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
const consoleUrl = (loginRealm, query) =>
  `${kc}/realms/${loginRealm}/event-subscriptions/console/?${new URLSearchParams(query)}`;

/**
 * Waits for a selector while pages come and go: a sign-in passes through two or three documents in a row
 * (the page, Keycloak, the page again with the code), and a wait that was running in one that left is resumed.
 */
async function settled(selector, options = {}) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await page.waitForSelector(selector, { ...options, timeout: Math.max(1, deadline - Date.now()) });
    } catch (error) {
      if (error.name === "TimeoutError" || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Keycloak's login form, when the page shows it (with a live SSO session it does not). */
async function signInIfAsked(username, password) {
  await settled("#username, #kc-login, #page-sidebar, nav, #subscriptions tr, [data-testid=sign-in-choice]", { visible: true });
  if (await page.$("#username")) {
    await page.type("#username", username);
    await page.type("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("#kc-login")]);
  }
}

async function detailOf(subscription) {
  await settled(`#subscriptions tr[data-subscription="${subscription}"]`);
  await settled("#detail:not([hidden]) #chart canvas");
  await page.waitForFunction(() => document.querySelector("#deliveries thead"));
}

const field = (name) => page.$eval(`#detail dd[data-field="${name}"]`, (dd) => dd.textContent);
const buttons = () => page.$$eval("[data-action]", (all) => all.map((b) => b.dataset.action));
const waitForField = (name, text) => page.waitForFunction((n, t) =>
  document.querySelector(`#detail dd[data-field="${n}"]`)?.textContent.startsWith(t), {}, name, text);

const steps = {
  /** An administrator signs in to the admin console, finds the page's link there and opens the subscription. */
  async adminOpens({ username, password, realm, subscription }) {
    await page.goto(`${kc}/admin/master/console/`);
    await signInIfAsked(username, password);
    await page.goto(`${kc}/admin/master/console/#/master/clients`);
    const link = await settled(`a[href*="/event-subscriptions/console/"]`);
    const href = await link.evaluate((a) => a.href);
    await shot("01-admin-console-clients");
    await page.goto(href);
    await signInIfAsked(username, password);
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
    return { link: href, row, deliveries, attempts, buttons: await buttons(), user: await page.$eval("#user", (s) => s.textContent) };
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
    await page.goto(consoleUrl(loginRealm, { realm, subscription }));
    await detailOf(subscription);
    await page.type("#reason", reason);
    await page.click("[data-action=disable]");
    await waitForField("status", "DISABLED");
    await shot("05-disabled");
    return { status: await field("status"), buttons: await buttons() };
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
    await page.waitForFunction(() => /Replay: /.test(document.querySelector("#notice")?.textContent));
    const notice = await page.$eval("#notice", (n) => n.textContent);
    await shot("06-replayed");
    return { status: await field("status"), notice };
  },

  /**
   * A user holding only view-events signs in to the admin console of their realm and opens the page: the
   * subscription is there, no action is offered, and the server refuses a change made with the page's own token.
   */
  async viewerLooks({ username, password, realm, subscription }) {
    await page.goto(`${kc}/admin/${realm}/console/`);
    await signInIfAsked(username, password);
    let token = null;
    page.on("request", (request) => {
      const authorization = request.headers().authorization;
      if (request.url().includes("/event-subscriptions") && authorization) token = authorization.slice("Bearer ".length);
    });
    await page.goto(consoleUrl(realm, { realm }));
    await signInIfAsked(username, password);
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
    await signInIfAsked(username, password);
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
};

let result;
try {
  result = await steps[step](args);
  result.problems = problems;
} catch (error) {
  await shot(`failed-${step}`).catch(() => {});
  result = { error: `${error.message}`, url: page.url(), problems };
} finally {
  await page.close().catch(() => {});
  await browser.disconnect();
}
console.log(JSON.stringify(result));
