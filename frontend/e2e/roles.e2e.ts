// Roles in a real browser: a second user invited as viewer sees the table, and the API refuses their
// writes (403).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { call, createTable, inviteAndAccept, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser, newContext, pageErrors } from "./support/browser";
import { expectAccessible } from "./support/checks";

let browser: Browser;
const owner = newUser("Olivia Owner");
const viewer = newUser("Victor Viewer");
const names = { workspace: "Shared shop", base: "Jigs", table: "Drills" };
let setup: TableSetup;
let ownerToken: string;
let viewerToken: string;

beforeAll(async () => {
  browser = await launchBrowser();
  ownerToken = await register(owner);
  setup = await createTable(ownerToken, names);
  await ok("POST", `/tables/${setup.tableId}/records`, { token: ownerToken, body: { fields: { Name: "Drill bit 6 mm" } } });
  viewerToken = await inviteAndAccept(ownerToken, setup.workspaceId, viewer, "viewer");
});

afterAll(async () => {
  await browser?.close();
});

describe("a viewer", () => {
  it("sees the table and its records", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto("/sign-in");
    const form = page.getByRole("form", { name: "Sign in" });
    await form.getByLabel("Email").fill(viewer.email);
    await form.getByLabel("Password").fill(viewer.password);
    await form.getByRole("button", { name: "Sign in" }).click();

    await page.getByRole("navigation", { name: "Workspaces" }).getByRole("link", { name: names.table }).click();
    await page.getByRole("heading", { level: 1, name: names.table }).waitFor();
    await page.getByText("Drill bit 6 mm").waitFor();
    await expectAccessible(page, "table (viewer)");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("cannot write: the API answers 403", async () => {
    const records = await ok<{ records: { id: string }[] }>("GET", `/tables/${setup.tableId}/records`, { token: viewerToken });
    const recordId = records.records[0]?.id;
    expect(recordId).toBeTruthy();
    const edit = await call<{ error: { code: string } }>("PATCH", `/tables/${setup.tableId}/records/${recordId}`, {
      token: viewerToken,
      body: { fields: { Name: "changed" } },
    });
    expect(edit.status).toBe(403);
    expect(edit.body.error.code).toBeTruthy();
    const create = await call("POST", `/tables/${setup.tableId}/records`, { token: viewerToken, body: { fields: { Name: "new" } } });
    expect(create.status).toBe(403);
  });
});
