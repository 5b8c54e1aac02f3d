// The full record panel in a real browser: opened from ?open=<id>, a comment mentioning a teammate
// (completed from the workspace's people) is saved and shown by name, and the history lists who
// changed which field from what to what.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, inviteAndAccept, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { signIn } from "./support/session";

let browser: Browser;
const owner = newUser("Rita Recorder");
const teammate = newUser("Mario Mentioned");
let setup: TableSetup;
let token: string;
let recordId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Panel shop", base: "Parts base", table: "Brackets" });
  await inviteAndAccept(token, setup.workspaceId, teammate, "editor");
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Qty", type: "number" } });
  const created = await ok<{ id: string; version: number }>("POST", `/tables/${setup.tableId}/records`, {
    token,
    body: { fields: { Name: "Corner bracket", Qty: 2 } },
  });
  recordId = created.id;
  await ok("PATCH", `/tables/${setup.tableId}/records/${recordId}`, { token, body: { fields: { Qty: 5 } }, expect: 200 });
});

afterAll(async () => {
  await browser?.close();
});

describe("the record panel", () => {
  it("comments with a mention and shows the history", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}?open=${recordId}`);
    const panel = page.getByTestId("full-record-panel");
    await panel.getByRole("heading", { name: "Corner bracket" }).waitFor();
    expect(await panel.getByLabel("Qty").inputValue()).toBe("5");
    await expectAccessible(page, "record panel");

    await panel.getByRole("tab", { name: "Comments" }).click();
    const box = panel.getByLabel("New comment");
    await box.click();
    await box.pressSequentially("Please check the hole pattern @Mar");
    await panel.getByRole("option", { name: teammate.name }).click();
    await panel.getByRole("button", { name: "Comment" }).click();
    const mention = panel.getByTestId("mention");
    await mention.waitFor();
    expect(await mention.textContent()).toBe(`@${teammate.name}`);
    const comments = await ok<{ comments: { text: string; mentions: { name: string }[] }[] }>(
      "GET",
      `/tables/${setup.tableId}/records/${recordId}/comments`,
      { token, expect: 200 },
    );
    expect(comments.comments.map((c) => c.mentions.map((m) => m.name))).toEqual([[teammate.name]]);
    await screenshot(page, "record-panel-comments");

    await panel.getByRole("tab", { name: "History" }).click();
    const entry = panel.getByTestId("history-entry").first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain(`${owner.name} changed Qty`);
    expect(await entry.locator("del").first().textContent()).toBe("2");
    expect(await entry.locator("ins").first().textContent()).toBe("5");
    await expectAccessible(page, "record panel history");
    await screenshot(page, "record-panel-history");
    expect(errors).toEqual([]);
    await context.close();
  });
});
