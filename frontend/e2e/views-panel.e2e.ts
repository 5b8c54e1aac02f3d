// Views and the record panel in a real browser: a kanban view created from the view tabs, a card
// opening the record panel through ?open= (kept by a reload, closed by Back), a user field shown by
// its person's name, and a button field added in the field dialog opening its URL.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { screenshot } from "./support/checks";
import { signIn } from "./support/session";

let browser: Browser;
const owner = newUser("Vera Viewmaker");
let setup: TableSetup;
let token: string;
let recordId: string;
let ownerId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Views shop", base: "Views base", table: "Jobs" });
  const me = await ok<{ id: string }>("GET", "/me", { token, expect: 200 });
  ownerId = me.id;
  await ok("POST", `/tables/${setup.tableId}/fields`, {
    token,
    body: { name: "Status", type: "single_select", options: { choices: [{ name: "Todo" }, { name: "Done" }] } },
  });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Owner", type: "user" } });
  const created = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, {
    token,
    body: { fields: { Name: "Weld frame", Status: "Todo", Owner: me.id } },
  });
  recordId = created.id;
});

afterAll(async () => {
  await browser?.close();
});

describe("views and the record panel", () => {
  it("creates a kanban from the tabs, opens a card by URL and shows people and buttons", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await page.getByTestId("new-view").click();
    await page.getByRole("menuitem", { name: "Kanban" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Create" }).click();
    const card = page.getByTestId("kanban-card").filter({ hasText: "Weld frame" });
    await card.waitFor();
    expect(await page.getByTestId("view-tabs").locator('[data-view-type="kanban"]').count()).toBe(1);
    const views = await ok<{ views: { type: string; config: Record<string, unknown> }[] }>("GET", `/tables/${setup.tableId}/views`, { token, expect: 200 });
    expect(views.views.map((v) => v.type).sort()).toEqual(["grid", "kanban"]);

    await card.getByRole("button", { name: "Weld frame" }).click();
    const panel = page.getByTestId("full-record-panel");
    await panel.getByRole("heading", { name: "Weld frame" }).waitFor();
    expect(new URL(page.url()).searchParams.get("open")).toBe(recordId);
    // The user field shows its person by name (with an initials avatar), not the user ID.
    await panel.locator(`[data-user-id="${ownerId}"]`).filter({ hasText: owner.name }).first().waitFor();
    await page.reload();
    await page.getByTestId("full-record-panel").getByRole("heading", { name: "Weld frame" }).waitFor();
    await page.goBack();
    await page.getByTestId("full-record-panel").waitFor({ state: "detached" });
    expect(new URL(page.url()).searchParams.get("open")).toBeNull();

    await page.getByTestId("add-field").click();
    const fieldDialog = page.getByTestId("field-dialog");
    await fieldDialog.getByLabel("Field name").fill("Site");
    await fieldDialog.getByLabel("Type").selectOption("button");
    await fieldDialog.getByLabel("Label").fill("Open site");
    await fieldDialog.getByRole("combobox", { name: /URL formula/ }).fill('"https://example.com/jobs"');
    await fieldDialog.getByRole("button", { name: "Add field" }).click();
    await fieldDialog.waitFor({ state: "detached" });
    // A record made after the field: its button carries the URL the formula gives.
    const later = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Paint frame" } } });
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}?open=${later.id}`);
    const button = page.getByTestId("full-record-panel").getByRole("link", { name: /Open site/ });
    await button.waitFor();
    expect(await button.getAttribute("href")).toBe("https://example.com/jobs");
    expect(await button.getAttribute("target")).toBe("_blank");
    await screenshot(page, "record-panel-button-and-user");
    expect(errors).toEqual([]);
    await context.close();
  });
});
