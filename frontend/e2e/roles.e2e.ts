// Roles in a real browser: a second user invited as viewer sees the table, its editing controls are
// absent or disabled and its cells read-only, and the API refuses their writes (403).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { call, createTable, inviteAndAccept, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { cell, selectCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn } from "./support/session";

let browser: Browser;
const owner = newUser("Olivia Owner");
const viewer = newUser("Victor Viewer");
const names = { workspace: "Shared shop", base: "Jigs", table: "Drills" };
let setup: TableSetup;
let ownerToken: string;
let viewerToken: string;
let tablePath: string;

beforeAll(async () => {
  browser = await launchBrowser();
  ownerToken = await register(owner);
  setup = await createTable(ownerToken, names);
  tablePath = `/b/${setup.baseId}/t/${setup.tableId}`;
  await ok("POST", `/tables/${setup.tableId}/fields`, { token: ownerToken, body: { name: "Diameter", type: "number" } });
  await ok("POST", `/tables/${setup.tableId}/records`, {
    token: ownerToken,
    body: { records: [{ fields: { Name: "Drill bit 6 mm" } }, { fields: { Name: "Drill bit 8 mm" } }] },
  });
  viewerToken = await inviteAndAccept(ownerToken, setup.workspaceId, viewer, "viewer");
});

afterAll(async () => {
  await browser?.close();
});

describe("a viewer", () => {
  it("sees the table with its editing controls present for the owner only", async () => {
    const ownerSession = await signIn(browser, owner);
    await ownerSession.page.goto(tablePath);
    await waitForGrid(ownerSession.page);
    await ownerSession.page.getByRole("button", { name: "Add record" }).waitFor();
    expect(await cell(ownerSession.page, 0, 0).getAttribute("aria-readonly")).not.toBe("true");
    await ownerSession.context.close();

    const { context, page, errors } = await signIn(browser, viewer);
    await page.getByRole("navigation", { name: "Workspaces" }).getByRole("link", { name: names.table }).click();
    await page.getByRole("heading", { level: 1, name: names.table }).waitFor();
    await waitForGrid(page);
    await waitForCellText(page, "Drill bit 6 mm");
    await waitForCellText(page, "Drill bit 8 mm");
    await expectAccessible(page, "table (viewer)");
    await screenshot(page, "table-viewer");
    // No way to write: no add/undo controls, read-only cells, hiding fields disabled.
    for (const name of ["Add record", "Undo", "Redo"]) {
      expect(await page.getByRole("button", { name }).count(), name).toBe(0);
    }
    expect(await cell(page, 0, 0).getAttribute("aria-readonly")).toBe("true");
    await page.getByRole("button", { name: "Hidden fields" }).click();
    const items = page.getByRole("menuitemcheckbox");
    await items.first().waitFor();
    for (const item of await items.all()) expect(await item.getAttribute("aria-disabled")).toBe("true");
    await page.keyboard.press("Escape");
    // The open menu hides the rest of the page from assistive technology until it is gone.
    await items.first().waitFor({ state: "detached" });
    // Typing over a cell changes nothing.
    await selectCell(page, 0, 0);
    await page.keyboard.press("Enter");
    await page.keyboard.type("overwritten");
    await page.keyboard.press("Enter");
    expect(await page.locator("textarea.gdg-input, input.gdg-input").count()).toBe(0);
    const records = await ok<{ records: { fields: Record<string, unknown> }[] }>("GET", `/tables/${setup.tableId}/records`, {
      token: viewerToken,
      expect: 200,
    });
    expect(records.records.map((r) => Object.values(r.fields)[0])).toEqual(["Drill bit 6 mm", "Drill bit 8 mm"]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("cannot write: the API answers 403", async () => {
    const records = await ok<{ records: { id: string }[] }>("GET", `/tables/${setup.tableId}/records`, { token: viewerToken, expect: 200 });
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
