// Engineering values typed in a grid cell: the cell's editor shows how a dimension reads while typing,
// keeps a typo open with its error (nothing is written), Escape drops the text, and what reads is
// saved as the API parses it (each save is one write: the record's version counts them).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { selectCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn, subscribedTo } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Greta Grid");
let setup: TableSetup;
let token: string;
let recordId: string;

interface Stored {
  version: number;
  fields: Record<string, unknown>;
}

async function stored(): Promise<Stored> {
  return ok<Stored>("GET", `/tables/${setup.tableId}/records/${recordId}?field_key=name`, { token, expect: 200 });
}

/** Open the editor of the Length cell of the first row (Enter on the selected cell), retried: on a
 * loaded machine the first Enter can land before the grid has taken the selection. */
async function openLengthEditor(page: Page): Promise<ReturnType<Page["getByTestId"]>> {
  const editor = page.getByTestId("engineering-editor");
  for (let attempt = 1; ; attempt++) {
    await selectCell(page, 1, 0);
    await page.keyboard.press("Enter");
    if (await editor.waitFor({ timeout: 10_000 }).then(() => true, () => false)) return editor;
    if (attempt === 3) throw new Error("Enter on the selected Length cell opened no editor, 3 times");
  }
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Machine shop", base: "Turning", table: "Shafts" });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Length", type: "dimension" } });
  recordId = (await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Shaft A" } } })).id;
});

afterAll(async () => {
  await browser?.close();
});

describe("engineering values in grid cells", () => {
  it("reads a dimension as typed in its cell, refuses a typo and saves what reads", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    const subscribed = subscribedTo(page, setup.tableId);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(page);
    await subscribed;
    const created = await stored();

    let editor = await openLengthEditor(page);
    const input = editor.locator("input.gdg-input");
    // A typo: its error shows, Enter leaves the editor open with the text to correct.
    await input.fill("10.5 ±0.1 mmm");
    await editor.getByTestId("structured-error").getByText("Not a dimension", { exact: false }).waitFor();
    await input.press("Enter");
    await editor.getByTestId("structured-error").waitFor();
    expect(await input.inputValue()).toBe("10.5 ±0.1 mmm");
    expect(await input.getAttribute("aria-invalid")).toBe("true");

    await input.fill("10.50 +/- 0.10");
    await editor.getByTestId("structured-reading").getByText("Reads as 10.5 ±0.1 mm").waitFor();
    await expectAccessible(page, "grid engineering cell editor");
    await screenshot(page, "grid-dimension-editor");
    await input.press("Enter");
    await editor.waitFor({ state: "hidden" });
    const first = await eventually("the dimension saved", async () => {
      const current = await stored();
      return (current.fields.Length as { display?: string } | undefined)?.display === "10.5 ±0.1 mm" ? current : undefined;
    });
    expect(first.fields.Length).toMatchObject({ unit: "mm", tolerance: { type: "symmetric" } });
    // One write: the refused typo sent nothing.
    expect(first.version).toBe(created.version + 1);
    await waitForCellText(page, "10.5 ±0.1 mm");

    // Escape drops what was typed; then limits, saved with Tab.
    editor = await openLengthEditor(page);
    await input.fill("ten millimetres");
    await editor.getByTestId("structured-error").waitFor();
    await input.press("Escape");
    await editor.waitFor({ state: "hidden" });
    editor = await openLengthEditor(page);
    expect(await input.inputValue()).toBe("10.5 ±0.1 mm");
    await input.fill("12.0..12.2");
    await editor.getByTestId("structured-reading").getByText("Reads as 12..12.2 mm").waitFor();
    await input.press("Tab");
    await editor.waitFor({ state: "hidden" });
    const second = await eventually("the limits saved", async () => {
      const current = await stored();
      return current.version > first.version ? current : undefined;
    });
    expect(second.version).toBe(first.version + 1);
    expect((second.fields.Length as { display?: string }).display).toBe("12..12.2 mm");
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);
});
