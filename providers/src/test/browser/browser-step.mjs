// What every browser step shares: connect to the test's browser (testing/Browser.java started it), open a
// page, collect what goes wrong on the pages under test, run the step, print its one JSON line, disconnect.
//
// Environment: WS (the browser's DevTools endpoint), KC (server base URL), SHOTS (screenshot dir), STEP_ARGS (JSON).
import puppeteer from "puppeteer-core";
import { mkdirSync } from "node:fs";

/**
 * Runs steps[process.argv[2]](args, tools). `watched(url)` says which pages' script errors, console errors and
 * failed requests count as problems (the admin console's own noise is not the tests' business).
 */
export async function runStep(steps, watched) {
  const [step] = process.argv.slice(2);
  const args = JSON.parse(process.env.STEP_ARGS || "{}");
  mkdirSync(process.env.SHOTS, { recursive: true });
  const browser = await puppeteer.connect({ browserWSEndpoint: process.env.WS, defaultViewport: { width: 1440, height: 1000 } });
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  const problems = [];
  const expected = []; // what a step provokes on purpose (a refused answer it staged): not a problem
  const ours = (url) => watched(url || page.url());
  page.on("pageerror", (error) => ours() && problems.push(`page error: ${error.message}`));
  page.on("console", (message) => ours(message.location()?.url) && message.type() === "error" && problems.push(`console: ${message.text()}`));
  page.on("response", (response) => ours(response.url()) && response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
  const tools = {
    page,
    kc: process.env.KC.replace(/\/$/, ""),
    shot: (name) => page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true }),
    settled: (selector, options) => settled(page, selector, options),
    signInIfAsked: (username, password, alsoDone) => signInIfAsked(page, username, password, alsoDone),
    expectProblem: (pattern) => expected.push(pattern),
  };
  let result;
  try {
    result = await steps[step](args, tools);
    result.problems = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
  } catch (error) {
    await tools.shot(`failed-${step}`).catch(() => {});
    result = { error: `${error.message}`, url: page.url(), problems };
  } finally {
    await page.close().catch(() => {});
    await browser.disconnect();
  }
  console.log(JSON.stringify(result));
}

/**
 * Waits for a selector while pages come and go: a sign-in passes through two or three documents in a row
 * (the page, Keycloak, the page again with the code), and a wait that was running in one that left is resumed.
 */
async function settled(page, selector, options = {}) {
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
async function signInIfAsked(page, username, password, alsoDone = "") {
  await settled(page, `#username, #kc-login, #page-sidebar, nav${alsoDone ? `, ${alsoDone}` : ""}`, { visible: true });
  if (await page.$("#username")) {
    await page.type("#username", username);
    await page.type("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("#kc-login")]);
  }
}
