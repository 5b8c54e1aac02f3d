// Paste a 100 x 5 block copied from a spreadsheet (TSV) into the grid: the first row lands on the
// existing record, the other 99 become new records, values typecast per field type.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { pasteText, selectCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const user = newUser("Paula Paste");
let setup: TableSetup;
let token: string;
const ROWS = 100;

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(user);
  setup = await createTable(token, { workspace: "Purchasing", base: "Orders", table: "Lines" });
  for (const field of [
    { name: "Qty", type: "number", options: { precision: 0 } },
    { name: "Price", type: "currency", options: { precision: 2 } },
    { name: "Received", type: "checkbox" },
    { name: "Notes", type: "long_text" },
  ]) {
    await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: field });
  }
  await ok("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "placeholder" } } });
});

afterAll(async () => {
  await browser?.close();
});

function row(i: number): string[] {
  return [`Line ${String(i).padStart(3, "0")}`, String(i * 3), (i * 1.25).toFixed(2), i % 2 === 0 ? "TRUE" : "FALSE", `Lot ${i}, bin ${i % 7}`];
}

describe("paste from a spreadsheet", () => {
  it("writes a 100 x 5 TSV block, creating the missing rows", async () => {
    const { page, errors } = await signIn(browser, user);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(page);
    await waitForCellText(page, "placeholder");
    await selectCell(page, 0, 0);
    const tsv = Array.from({ length: ROWS }, (_, i) => row(i + 1).join("\t")).join("\n");
    await pasteText(page, tsv);

    const records = await eventually(
      "100 records saved",
      async () => {
        const all = await recordsByName(token, setup.tableId);
        return all.length === ROWS && all.every((r) => typeof r.fields.Notes === "string") ? all : undefined;
      },
      60_000,
    );
    records.sort((a, b) => String(a.fields.Name).localeCompare(String(b.fields.Name)));
    records.forEach((record, index) => {
      const i = index + 1;
      expect(record.fields.Name).toBe(row(i)[0]);
      expect(record.fields.Qty).toBe(i * 3);
      expect(Number(record.fields.Price)).toBeCloseTo(i * 1.25, 2);
      expect(Boolean(record.fields.Received)).toBe(i % 2 === 0);
      expect(record.fields.Notes).toBe(`Lot ${i}, bin ${i % 7}`);
    });
    await page.getByTestId("record-count").getByText("100 records").waitFor({ timeout: 30_000 });
    await waitForCellText(page, "Line 001");
    expect(errors).toEqual([]);
  });
});
