// CSV import of 1,000 rows in a real browser: the wizard previews the file with a type per column,
// imports, and reports the rows the API refused with their row number and reason.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { signIn } from "./support/session";

let browser: Browser;
const owner = newUser("Ingrid Importer");
let setup: TableSetup;
let token: string;

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Import shop", base: "Stock", table: "Screws" });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Qty", type: "number" } });
});

afterAll(async () => {
  await browser?.close();
});

describe("CSV import", () => {
  it("imports 1,000 rows and lists the refused ones", async () => {
    // Every 100th row has a quantity that is not a number: 10 rows refused, 990 imported.
    const lines = ["Name,Qty"];
    for (let i = 1; i <= 1000; i += 1) lines.push(`Screw M${i},${i % 100 === 0 ? "lots" : String(i)}`);
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await page.getByTestId("import-csv").click();
    await page.getByTestId("csv-file").setInputFiles({ name: "screws.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
    const preview = page.getByTestId("csv-preview");
    await preview.waitFor();
    expect(await page.getByLabel("Field for Qty").inputValue()).not.toBe("new");
    await expectAccessible(page, "csv import preview");
    await page.getByRole("button", { name: "Import", exact: true }).click();
    const report = page.getByTestId("csv-report");
    await report.waitFor({ timeout: 120_000 });
    expect(await report.textContent()).toContain("990 of 1000 rows imported, 10 left out");
    const rows = page.getByTestId("csv-errors").locator("tbody tr");
    expect(await rows.count()).toBe(10);
    // Row numbers as a spreadsheet shows them (the header is row 1).
    expect(await rows.first().locator("td").first().textContent()).toBe("101");
    await screenshot(page, "csv-import-report");
    const records = await recordsByName(token, setup.tableId);
    expect(records).toHaveLength(990);
    expect(errors).toEqual([]);
    await context.close();
  });
});
