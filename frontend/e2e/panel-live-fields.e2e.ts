// An open record panel stays current: two people have the same record open (?open=<id>, over the grid
// in one browser, over a gallery in the other), a teammate adds fields, and the new fields show in
// both open panels with their editors, without closing and reopening them; a value typed in one is
// saved and shows in the other.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, inviteAndAccept, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { signIn, subscribedTo } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Paula Panel");
const teammate = newUser("Felix Fields");
let setup: TableSetup;
let ownerToken: string;
let teammateToken: string;
let recordId: string;
let galleryId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  ownerToken = await register(owner);
  setup = await createTable(ownerToken, { workspace: "Live schema", base: "Tooling", table: "Fixtures" });
  teammateToken = await inviteAndAccept(ownerToken, setup.workspaceId, teammate, "admin");
  const created = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, {
    token: ownerToken,
    body: { fields: { Name: "Drill jig" } },
  });
  recordId = created.id;
  // The teammate works in a gallery: no grid under their panel.
  galleryId = (await ok<{ id: string }>("POST", `/tables/${setup.tableId}/views`, { token: ownerToken, body: { name: "Cards", type: "gallery", config: {} } })).id;
});

afterAll(async () => {
  await browser?.close();
});

describe("an open record panel", () => {
  it("shows a field a teammate adds meanwhile", async () => {
    const table = `/b/${setup.baseId}/t/${setup.tableId}`;
    const mine = await signIn(browser, owner);
    const theirs = await signIn(browser, teammate);
    const people = [mine, theirs];
    for (const [{ page }, path] of [
      [mine, `${table}?open=${recordId}`],
      [theirs, `${table}?view=${galleryId}&open=${recordId}`],
    ] as const) {
      // Subscribed before the field is added: a change made before a subscription is not sent to it.
      const subscribed = subscribedTo(page, setup.tableId);
      await page.goto(path);
      // Generous: the first load of a table may wake several cold API functions.
      await page.getByTestId("full-record-panel").getByRole("heading", { name: "Drill jig" }).waitFor({ timeout: 60_000 });
      await subscribed;
      expect(await page.getByTestId("panel-field").count()).toBe(1);
      // A mark on the panel's element: gone if the panel were closed and opened again.
      await page.getByTestId("full-record-panel").evaluate((element) => element.setAttribute("data-mark", "first"));
    }

    // The teammate adds two fields (as their script or another client would), the panels stay open.
    await ok("POST", `/tables/${setup.tableId}/fields`, { token: teammateToken, body: { name: "Coolant", type: "single_line_text" } });
    await ok("POST", `/tables/${setup.tableId}/fields`, { token: teammateToken, body: { name: "Batch", type: "number" } });
    // Generous: on a loaded machine an API function can take many seconds to answer.
    for (const { page } of people) {
      const panel = page.getByTestId("full-record-panel");
      await panel.getByLabel("Coolant").waitFor({ timeout: 60_000 });
      await panel.getByLabel("Batch").waitFor({ timeout: 60_000 });
      expect(await panel.getAttribute("data-mark")).toBe("first");
    }

    // The new editor saves.
    const coolant = mine.page.getByTestId("full-record-panel").getByLabel("Coolant");
    await coolant.fill("Emulsion 5 %");
    await coolant.press("Enter");
    const saved = await eventually("the new field's value saved", async () => {
      const records = await recordsByName(ownerToken, setup.tableId);
      return records[0]?.fields.Coolant === "Emulsion 5 %" ? records[0].fields.Coolant : undefined;
    });
    expect(saved).toBe("Emulsion 5 %");
    // The other open panel shows the value too (record events reach the panel as well).
    await theirs.page.waitForFunction(
      () => (document.querySelector<HTMLInputElement>('[data-testid="full-record-panel"] [data-field="Coolant"] input')?.value ?? "") === "Emulsion 5 %",
      undefined,
      { timeout: 60_000, polling: 200 },
    );
    for (const { context, errors } of people) {
      expect(errors).toEqual([]);
      await context.close();
    }
    // Two sign-ins, two cold table loads and three live waits: more than the default 90 s when loaded.
  }, 180_000);
});
