// Fields and views in a real browser: a filter built in the filter builder and a sort are saved in the
// view and still apply after a reload; the record count follows the filter; a formula field is added
// through the field dialog with the server's error shown while it is wrong; a type change shows its
// conversion report before converting. axe-core runs on the filter builder and the field dialog.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { cell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Fiona Fields");
let setup: TableSetup;
let token: string;

interface ViewOut {
  id: string;
  config: { filters?: unknown; sorts?: { field_id: string; direction: string }[] };
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Views shop", base: "Stock", table: "Parts" });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Qty", type: "number" } });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Code", type: "single_line_text" } });
  await ok("POST", `/tables/${setup.tableId}/records`, {
    token,
    body: { records: [1, 2, 3, 4, 5, 6].map((n) => ({ fields: { Name: `Part ${n}`, Qty: n, Code: n % 2 ? `${n * 10}` : "none" } })) },
  });
});

afterAll(async () => {
  await browser?.close();
});

async function gridView(): Promise<ViewOut> {
  const body = await ok<{ views: ViewOut[] }>("GET", `/tables/${setup.tableId}/views`, { token, expect: 200 });
  const first = body.views[0];
  if (!first) throw new Error("the table has no view");
  return first;
}

describe("fields and views", () => {
  it("saves a filter and a sort in the view, and they apply after a reload", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(page);
    await waitForCellText(page, "Part 6");

    await page.getByTestId("filter-button").click();
    await page.getByRole("button", { name: "Add condition", exact: true }).click();
    const row = page.getByTestId("filter-condition");
    await row.getByLabel("Field").selectOption({ label: "Qty" });
    await row.getByLabel("Operator").selectOption(">");
    await row.getByLabel("Value").fill("2");
    await expectAccessible(page, "filter builder");
    await screenshot(page, "filter-builder");
    await eventually("filter saved", async () => JSON.stringify((await gridView()).config.filters ?? null).includes('">"') || undefined);
    await page.keyboard.press("Escape");

    await page.getByTestId("sort-button").click();
    await page.getByRole("button", { name: "Add sort" }).click();
    await page.getByLabel("Sort field 1").selectOption({ label: "Qty" });
    await page.getByLabel("Direction 1").selectOption("desc");
    await eventually("sort saved", async () => (await gridView()).config.sorts?.[0]?.direction === "desc" || undefined);
    await page.keyboard.press("Escape");

    await page.reload();
    await waitForGrid(page);
    await eventually("sorted rows", async () => ((await cell(page, 0, 0).textContent()) === "Part 6" ? true : undefined));
    expect(await page.getByTestId("filter-button").textContent()).toContain("Filtered by 1");
    expect(await page.getByTestId("sort-button").textContent()).toContain("Sorted by 1 field");
    await page.getByTestId("count-records").click();
    await page.getByTestId("count-records").getByText("4 records").waitFor();
    expect(await cell(page, 0, 3).textContent()).toBe("Part 3");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("adds a formula field checked live, and previews a type change before converting", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(page);
    await page.getByTestId("add-field").click();
    const dialog = page.getByTestId("field-dialog");
    await dialog.getByLabel("Field name").fill("Double");
    await dialog.getByLabel("Type").selectOption("formula");
    const editor = dialog.getByRole("combobox", { name: "Formula" });
    await editor.fill("{Nope} * 2");
    await dialog.getByTestId("formula-error").waitFor();
    await editor.fill("");
    await editor.type("{Qt");
    await dialog.getByRole("option", { name: /\{Qty\}/ }).waitFor();
    await page.keyboard.press("Enter");
    await editor.type(" * 2");
    expect(await editor.inputValue()).toBe("{Qty} * 2");
    await dialog.getByTestId("formula-ok").waitFor();
    await expectAccessible(page, "field dialog");
    await screenshot(page, "field-dialog");
    await dialog.getByRole("button", { name: "Add field" }).click();
    await dialog.waitFor({ state: "detached" });
    const fields = await ok<{ fields: { id: string; name: string; type: string; options: Record<string, unknown> }[] }>(
      "GET",
      `/tables/${setup.tableId}/fields`,
      { token, expect: 200 },
    );
    const double = fields.fields.find((f) => f.name === "Double");
    expect(double?.type).toBe("formula");
    expect(double?.options.result_type).toBe("number");

    // Code: text -> number converts 3 of 6 values (the three "none" cannot).
    await page.getByTestId("fields-menu").click();
    await page.getByRole("menuitem", { name: "Code" }).click();
    await page.getByRole("menuitem", { name: /Edit field/ }).click();
    await dialog.getByLabel("Type").selectOption("number");
    await dialog.getByRole("button", { name: "Preview conversion" }).click();
    const report = dialog.getByTestId("conversion-report");
    await report.waitFor();
    expect(await report.textContent()).toContain("3 of 6 values convert; 3 cannot and will be cleared.");
    const before = await ok<{ fields: { name: string; type: string }[] }>("GET", `/tables/${setup.tableId}/fields`, { token, expect: 200 });
    expect(before.fields.find((f) => f.name === "Code")?.type).toBe("single_line_text");
    await dialog.getByRole("button", { name: "Convert to Number" }).click();
    await dialog.waitFor({ state: "detached" });
    const after = await ok<{ fields: { name: string; type: string }[] }>("GET", `/tables/${setup.tableId}/fields`, { token, expect: 200 });
    expect(after.fields.find((f) => f.name === "Code")?.type).toBe("number");
    expect(errors).toEqual([]);
    await context.close();
  });
});
