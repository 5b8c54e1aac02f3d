// Two people on one table, each in their own browser context: an edit typed into the grid by one shows
// in the other's grid without a reload, both ways, and both are saved.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, inviteAndAccept, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { editCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn, subscribedTo, type SignedIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Olivia Owner");
const editor = newUser("Eve Editor");
let setup: TableSetup;
let ownerToken: string;
let ownerSession: SignedIn;
let editorSession: SignedIn;

beforeAll(async () => {
  browser = await launchBrowser();
  ownerToken = await register(owner);
  setup = await createTable(ownerToken, { workspace: "Assembly", base: "Line 2", table: "Stations" });
  await ok("POST", `/tables/${setup.tableId}/records`, {
    token: ownerToken,
    body: { records: [{ fields: { Name: "Press" } }, { fields: { Name: "Lathe" } }] },
  });
  await inviteAndAccept(ownerToken, setup.workspaceId, editor, "editor");
});

afterAll(async () => {
  await browser?.close();
});

describe("live collaboration", () => {
  it("shows each user's grid edit in the other's browser", async () => {
    const path = `/b/${setup.baseId}/t/${setup.tableId}`;
    ownerSession = await signIn(browser, owner);
    editorSession = await signIn(browser, editor);
    for (const { page } of [ownerSession, editorSession]) {
      // Both subscribed before anyone edits: a change made before a subscription is not sent to it.
      const subscribed = subscribedTo(page, setup.tableId);
      await page.goto(path);
      await waitForGrid(page);
      await waitForCellText(page, "Lathe");
      await subscribed;
    }

    await editCell(ownerSession.page, 0, 0, "Press 40 t");
    await waitForCellText(editorSession.page, "Press 40 t", 30_000);

    await editCell(editorSession.page, 0, 1, "Lathe CNC");
    await waitForCellText(ownerSession.page, "Lathe CNC", 30_000);

    const saved = await eventually("both edits saved", async () => {
      const records = await recordsByName(ownerToken, setup.tableId);
      const names = records.map((r) => r.fields.Name);
      return names[0] === "Press 40 t" && names[1] === "Lathe CNC" ? names : undefined;
    });
    expect(saved).toEqual(["Press 40 t", "Lathe CNC"]);
    await expectAccessible(ownerSession.page, "table (two people)");
    await screenshot(ownerSession.page, "table-live");
    expect(ownerSession.errors).toEqual([]);
    expect(editorSession.errors).toEqual([]);
  });
});
