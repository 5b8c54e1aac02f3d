import type { Browser, BrowserContext, Page } from "playwright-core";

import type { TestUser } from "./api";
import { newContext, pageErrors } from "./browser";

export interface SignedIn {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** A fresh browser context signed in through the sign-in screen. */
export async function signIn(browser: Browser, user: TestUser): Promise<SignedIn> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Sign in" });
  await form.getByLabel("Email").fill(user.email);
  await form.getByLabel("Password").fill(user.password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return { context, page, errors };
}

/**
 * Resolves when the page's WebSocket is subscribed to the table (the server's "subscribed" answer).
 * Call before navigating: changes made before the subscription are not sent to it.
 */
export function subscribedTo(page: Page, tableId: string, timeout = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no WebSocket subscription to ${tableId} in ${timeout} ms`)), timeout);
    page.on("websocket", (socket) => {
      socket.on("framereceived", ({ payload }) => {
        try {
          const message = JSON.parse(String(payload)) as { type?: string; table_id?: string };
          if (message.type === "subscribed" && message.table_id === tableId) {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          // not JSON: not ours
        }
      });
    });
  });
}
