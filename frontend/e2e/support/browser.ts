import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

import { webUrl } from "./env";

/**
 * Headless Chromium from the npm package (nothing downloaded at run time). Its Lambda-oriented
 * `--single-process` is dropped: several contexts (two users side by side) need separate renderers.
 * `--no-sandbox` because CI runs as root.
 */
export async function launchBrowser(): Promise<Browser> {
  const args = sparticuz.args.filter((arg) => arg !== "--single-process");
  return chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: [...args, "--no-sandbox"],
    headless: true,
  });
}

/** A fresh context (own storage: one signed-in user) with the app's base URL and a desktop viewport. */
export async function newContext(browser: Browser): Promise<BrowserContext> {
  // Clipboard access as a person's browser grants it after the first prompt (copy/paste in the grid).
  const context = await browser.newContext({
    baseURL: webUrl,
    viewport: { width: 1280, height: 800 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  // Generous: on a loaded 2-core machine a cold API function takes seconds to answer its first request.
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/** Collects uncaught page errors so a test can assert the app logged none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`${error.name}: ${error.message}`));
  return errors;
}
