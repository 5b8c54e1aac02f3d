// The browser half of bench/web_views_bench.py: prints one JSON line of measurements on stdout.
// Frame times come from a requestAnimationFrame loop in the page, started before and stopped after
// each interaction; every interaction is driven one step per frame, as a person's pointer would.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launchArgs } from "./browser_args.mjs";

const frontend = join(dirname(fileURLToPath(import.meta.url)), "..", "frontend");
const require = createRequire(join(frontend, "package.json"));
const { chromium } = require("playwright-core");
const sparticuzModule = require("@sparticuz/chromium");
const sparticuz = sparticuzModule.default ?? sparticuzModule;

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const log = (message) => process.stderr.write(`[web-views-bench] ${message}\n`);

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function startFrames(page) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = [];
    w.__framesOn = true;
    let last = performance.now();
    const tick = (now) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__framesOn) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function stopFrames(page) {
  const frames = await page.evaluate(() => {
    window.__framesOn = false;
    return window.__frames.slice(1);
  });
  return { frames: frames.length, max: Math.round(Math.max(...frames)), p95: Math.round(percentile(frames, 95)) };
}

const nextFrame = (page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));

async function pointerDrag(page, from, to, steps = 30) {
  // Both ends on screen first: after a scroll a windowed list can be re-rendering, and a box read
  // then is null.
  await from.waitFor({ state: "visible" });
  await to.waitFor({ state: "visible" });
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error(`a drag end is not on screen (from ${JSON.stringify(a)}, to ${JSON.stringify(b)})`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= steps; i += 1) {
    const t = i / steps;
    await page.mouse.move(a.x + a.width / 2 + (b.x + b.width / 2 - a.x - a.width / 2) * t, a.y + a.height / 2 + (b.y + 30 - a.y - a.height / 2) * t);
    await nextFrame(page);
  }
  await page.mouse.up();
  await page.waitForTimeout(300);
}

const browser = await chromium.launch({
  executablePath: await sparticuz.executablePath(),
  args: launchArgs(sparticuz.args, config.rendering),
  headless: true,
});
const results = {};
try {
  const context = await browser.newContext({ baseURL: config.webUrl, viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(120_000);
  const page = await context.newPage();
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(config.owner.email);
  await form.getByLabel("Password").fill(config.owner.password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));

  // Kanban: 2,000 cards in 4 stacks.
  await page.goto(config.kanbanPath);
  await page.getByTestId("kanban-card").first().waitFor();
  const kanbanFirst = await page.evaluate(() => Math.round(performance.now()));
  log(`kanban first cards at ${kanbanFirst} ms`);
  const interactions = {};
  const board = page.getByTestId("kanban-board");
  await startFrames(page);
  for (let i = 0; i < 60; i += 1) {
    await board.evaluate((el, y) => {
      el.scrollLeft = (el.scrollWidth - el.clientWidth) * (y / 60);
      for (const stack of el.querySelectorAll("[data-testid=kanban-stack] > div")) stack.scrollTop = stack.scrollHeight * (y / 60);
    }, i);
    await nextFrame(page);
  }
  interactions["scroll the board and its stacks"] = await stopFrames(page);
  await board.evaluate((el) => {
    el.scrollLeft = 0;
    for (const stack of el.querySelectorAll("[data-testid=kanban-stack] > div")) stack.scrollTop = 0;
  });
  await nextFrame(page);
  await nextFrame(page);
  const stacks = page.getByTestId("kanban-stack");
  // PYBASE_WEB_BENCH_PROFILE=file.cpuprofile: a JavaScript CPU profile of the card drag (DevTools format).
  const profilePath = process.env.PYBASE_WEB_BENCH_PROFILE;
  const cdp = profilePath ? await context.newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await cdp.send("Profiler.start");
  }
  await startFrames(page);
  await pointerDrag(page, stacks.nth(0).getByRole("button", { name: "Move card" }).first(), stacks.nth(2));
  interactions["drag a card to another stack"] = await stopFrames(page);
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(profilePath, JSON.stringify(profile));
    log(`CPU profile of the drag written to ${profilePath}`);
  }
  await startFrames(page);
  await stacks.nth(1).getByRole("button", { name: /^Show \d+ more$/ }).click();
  await page.waitForTimeout(500);
  interactions["show 500 more cards in a stack"] = await stopFrames(page);
  results.kanban = { first_ms: kanbanFirst, interactions };

  // Calendar: 5,000 events over three months.
  await page.goto(config.calendarPath);
  await page.getByTestId("calendar-event").first().waitFor();
  const calendarFirst = await page.evaluate(() => Math.round(performance.now()));
  log(`calendar first events at ${calendarFirst} ms`);
  const cal = {};
  await startFrames(page);
  for (const name of ["Previous month", "Next month", "Next month", "Previous month"]) {
    await page.getByRole("button", { name }).click();
    await nextFrame(page);
    await nextFrame(page);
  }
  cal["page through months"] = await stopFrames(page);
  const days = page.getByTestId("calendar-day");
  await startFrames(page);
  await pointerDrag(page, page.getByTestId("calendar-event").first(), days.nth(17));
  cal["drag an event to another day"] = await stopFrames(page);
  await startFrames(page);
  await page.getByRole("button", { name: "Week" }).click();
  await page.waitForTimeout(300);
  await page.getByRole("button", { name: "Month" }).click();
  await page.waitForTimeout(300);
  cal["switch to the week and back"] = await stopFrames(page);
  results.calendar = { first_ms: calendarFirst, interactions: cal };
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(results)}\n`);
