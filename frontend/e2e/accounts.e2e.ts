// Accounts and navigation in a real browser: sign up, create a workspace, a base and a table through the
// sidebar, land on the table screen; sign out and sign in again. axe-core runs on every screen reached,
// and the main screens are saved as screenshots.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { newUser } from "./support/api";
import { launchBrowser, newContext, pageErrors } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";

let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const user = newUser("Ada Lovelace");
const names = { workspace: "Machine shop", base: "Fixtures", table: "Parts" };

beforeAll(async () => {
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
  errors = pageErrors(page);
});

afterAll(async () => {
  await browser?.close();
});

async function nameDialog(label: string, value: string, submit: string): Promise<void> {
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(label).fill(value);
  await dialog.getByRole("button", { name: submit }).click();
  await dialog.waitFor({ state: "detached" });
}

describe.sequential("accounts and navigation", () => {
  it("signs up, creates a workspace, a base and a table, and shows the table screen", async () => {
    await page.goto("/");
    await page.waitForURL("**/sign-in");
    await expectAccessible(page, "sign-in");
    await screenshot(page, "sign-in");

    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL("**/sign-up");
    const form = page.getByRole("form", { name: "Create account" });
    await form.getByLabel("Name").fill(user.name);
    await form.getByLabel("Email").fill(user.email);
    await form.getByLabel("Password").fill(user.password);
    await expectAccessible(page, "sign-up");
    await form.getByRole("button", { name: "Create account" }).click();

    const sidebar = page.getByRole("navigation", { name: "Workspaces" });
    await sidebar.getByText("No workspaces yet.").waitFor();
    await expectAccessible(page, "home (no workspaces)");

    await page.getByRole("button", { name: "New workspace" }).click();
    await nameDialog("Workspace name", names.workspace, "Create workspace");
    await page.getByRole("button", { name: `Workspace ${names.workspace} actions` }).click();
    await page.getByRole("menuitem", { name: "New base" }).click();
    await nameDialog("Base name", names.base, "Create base");
    await page.getByRole("button", { name: `Base ${names.base} actions` }).click();
    await page.getByRole("menuitem", { name: "New table" }).click();
    await nameDialog("Table name", names.table, "Create table");

    // Creating a table opens it.
    await page.waitForURL(/\/b\/[^/]+\/t\/[^/]+$/);
    await page.getByRole("heading", { level: 1, name: names.table }).waitFor();
    await sidebar.getByRole("link", { name: names.table }).waitFor();
    await page.locator('[aria-busy="true"]').first().waitFor({ state: "detached" });
    await expectAccessible(page, "table");
    await screenshot(page, "table");
    expect(errors).toEqual([]);
  });

  it("signs out and signs in again, back to the same workspace", async () => {
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    // Signed out for real: the app asks for a sign-in again on the way back in.
    await page.goto("/");
    await page.waitForURL("**/sign-in");

    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Email").fill(user.email);
    await form.getByLabel("Password").fill("not the password");
    await form.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").first().waitFor();
    await expectAccessible(page, "sign-in (refused)");

    await form.getByLabel("Password").fill(user.password);
    await form.getByRole("button", { name: "Sign in" }).click();
    const sidebar = page.getByRole("navigation", { name: "Workspaces" });
    await sidebar.getByRole("link", { name: names.table }).click();
    await page.getByRole("heading", { level: 1, name: names.table }).waitFor();
    expect(errors).toEqual([]);
  });
});
