// The browser half of bench/web_bench.py (which starts the stack, loads the data and calls this with a
// JSON config file). Prints one JSON line of measurements on stdout; progress goes to stderr.
//
// It measures what the table screen shows, whatever renders it: a record is "visible" when its text is in
// the document (the HTML table, or the accessibility tree a canvas grid keeps inside its <canvas>).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { launchArgs } from "./browser_args.mjs";

// playwright-core and @sparticuz/chromium are the web app's dev dependencies (frontend/node_modules).
const frontend = join(dirname(fileURLToPath(import.meta.url)), "..", "frontend");
const require = createRequire(join(frontend, "package.json"));
const { chromium } = require("playwright-core");
const sparticuzModule = require("@sparticuz/chromium");
const sparticuz = sparticuzModule.default ?? sparticuzModule;

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const log = (message) => process.stderr.write(`[web-bench] ${message}\n`);

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function signIn(browser, user) {
  const context = await browser.newContext({ baseURL: config.webUrl, viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(user.email);
  await form.getByLabel("Password").fill(user.password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return { context, page };
}

/** Resolves to the page's performance.now() (ms since navigation start) once `text` is in the document. */
function whenVisible(page, text, { clock = "performance", timeout = 60_000 } = {}) {
  return page.waitForFunction(
    ([needle, which]) => (document.body.textContent?.includes(needle) ? (which === "date" ? Date.now() : performance.now()) : false),
    [text, clock],
    { polling: "raf", timeout },
  ).then((handle) => handle.jsonValue());
}

const browser = await chromium.launch({
  executablePath: await sparticuz.executablePath(),
  args: launchArgs(sparticuz.args, config.rendering),
  headless: true,
});
const results = {};
try {
  const owner = await signIn(browser, config.owner);

  // First rows visible after navigating to the table (a full page load each time, signed in).
  // One load first, not counted: the local API starts a Python worker per concurrent request on first use.
  // On a loaded machine that first start can outlast the local Lambda timeout: load again (3 tries).
  const warm = await owner.context.newPage();
  for (let attempt = 1; ; attempt++) {
    try {
      await warm.goto(config.tablePath);
      await whenVisible(warm, config.firstText);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      log(`warm-up load ${attempt} showed no rows, loading again`);
    }
  }
  await warm.close();
  const loads = [];
  for (let i = 0; i < config.loads; i++) {
    const page = await owner.context.newPage();
    await page.goto(config.tablePath, { waitUntil: "commit" });
    loads.push(await whenVisible(page, config.firstText));
    if (i < config.loads - 1) await page.close();
    else owner.tablePage = page;
  }
  results.first_rows_ms = { runs: loads.map((v) => Math.round(v)), p50: Math.round(percentile(loads, 50)) };
  log(`first rows visible: ${results.first_rows_ms.runs.join(", ")} ms`);

  // Scroll the table from top to bottom, one step per frame, timing frames with requestAnimationFrame
  // and collecting long animation frames (LoAF) where Chromium reports them.
  const page = owner.tablePage;
  // PYBASE_WEB_BENCH_PROFILE=file.cpuprofile: a JavaScript CPU profile of the scroll (open it in
  // Chromium's DevTools, Performance panel) to see what the long frames run.
  const profilePath = process.env.PYBASE_WEB_BENCH_PROFILE;
  const cdp = profilePath ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await cdp.send("Profiler.start");
  }
  const scroll = await page.evaluate(async (steps) => {
    const scrollers = [...document.querySelectorAll("*")].filter((el) => {
      const style = getComputedStyle(el);
      return /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 10;
    });
    scrollers.sort((a, b) => b.scrollHeight - b.clientHeight - (a.scrollHeight - a.clientHeight));
    const el = scrollers[0];
    if (!el) return { scrollable: false };
    const long = [];
    let observer = null;
    try {
      observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => long.push(e.duration)));
      observer.observe({ type: "long-animation-frame", buffered: false });
    } catch {
      observer = null;
    }
    const distance = el.scrollHeight - el.clientHeight;
    const frames = [];
    await new Promise((resolve) => {
      let i = 0;
      let last = performance.now();
      const tick = (now) => {
        if (i > 0) frames.push(now - last);
        last = now;
        if (i++ >= steps) return resolve();
        el.scrollTop = (distance * i) / steps;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    observer?.disconnect();
    return { scrollable: true, distance, frames, long, atBottom: el.scrollTop + el.clientHeight >= el.scrollHeight - 2 };
  }, config.scrollSteps);
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    writeFileSync(profilePath, JSON.stringify(profile));
    log(`CPU profile of the scroll written to ${profilePath}`);
  }
  if (scroll.scrollable) {
    results.scroll = {
      distance_px: scroll.distance,
      frames: scroll.frames.length,
      frame_max_ms: Math.round(Math.max(...scroll.frames) * 10) / 10,
      frame_p95_ms: Math.round(percentile(scroll.frames, 95) * 10) / 10,
      long_animation_frames: scroll.long.length,
      long_animation_frame_max_ms: scroll.long.length ? Math.round(Math.max(...scroll.long)) : 0,
    };
    // After reaching the bottom: how long until the last record shows (rows fetched by position).
    const started = await page.evaluate(() => performance.now());
    try {
      const shown = await whenVisible(page, config.lastText, { timeout: 15_000 });
      results.scroll.last_rows_after_bottom_ms = Math.round(shown - started);
    } catch {
      results.scroll.last_rows_after_bottom_ms = null; // the screen never shows the last record
    }
  } else {
    results.scroll = null;
  }
  log(`scroll: ${JSON.stringify(results.scroll)}`);

  // An edit by the owner (through the API, as the app sends it) until it shows in the editor's browser.
  const editor = await signIn(browser, config.editor);
  await editor.page.goto(config.tablePath);
  await whenVisible(editor.page, config.firstText);
  const edit = async (text) => {
    const response = await fetch(`${config.apiUrl}/tables/${config.tableId}/records/${config.firstRecordId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json", authorization: `Bearer ${config.ownerToken}` },
      body: JSON.stringify({ fields: { [config.primaryField]: text } }),
    });
    if (!response.ok) throw new Error(`edit failed: ${response.status} ${await response.text()}`);
  };
  const marker = (label) => `${label} ${Math.random().toString(36).slice(2, 8)}`;
  // Warm-up until one edit shows: the second browser's subscription is in place (an edit made before
  // it is not replayed) and the API's records function is warm.
  for (let attempt = 0; ; attempt++) {
    const text = marker(`Warm-up ${attempt}`);
    const seen = whenVisible(editor.page, text, { timeout: 10_000 }).then(() => true, () => false);
    await edit(text);
    if (await seen) break;
    if (attempt >= 5) throw new Error("no edit reached the second browser in 6 attempts");
  }
  const latencies = [];
  for (let i = 0; i < config.edits; i++) {
    const text = marker(`Edited ${i}`);
    const seen = whenVisible(editor.page, text, { clock: "date", timeout: 20_000 });
    const sent = Date.now();
    await edit(text);
    latencies.push((await seen) - sent);
  }
  results.edit_visible_ms = {
    runs: latencies.length,
    p50: Math.round(percentile(latencies, 50)),
    p95: Math.round(percentile(latencies, 95)),
    max: Math.round(Math.max(...latencies)),
  };
  log(`edit visible in the second browser: ${JSON.stringify(results.edit_visible_ms)}`);
} finally {
  await browser.close();
}
process.stdout.write(`${JSON.stringify(results)}\n`);
