// The grid's column header menu and group headers in a real browser: a column's menu (the arrow on
// its header, on the canvas) sorts the view, renames the field, groups by it, hides it and deletes it
// (confirmed); the grouped grid shows a header row per group with its value and count, and a click
// on a header collapses its group. Each change is checked through the API. axe-core on the menu.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { cell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Henry Headers");
let setup: TableSetup;
let token: string;

interface ViewOut {
  id: string;
  config: { sorts?: { field_id: string; direction: string }[]; hidden_fields?: string[]; group_by?: { field_id: string }[] };
}
interface FieldOut {
  id: string;
  name: string;
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Header shop", base: "Stock", table: "Parts" });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Qty", type: "number" } });
  await ok("POST", `/tables/${setup.tableId}/fields`, {
    token,
    body: { name: "Status", type: "single_select", options: { choices: [{ name: "Todo" }, { name: "Done" }] } },
  });
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Note", type: "single_line_text" } });
  await ok("POST", `/tables/${setup.tableId}/records`, {
    token,
    body: {
      records: [1, 2, 3, 4, 5].map((n) => ({ fields: { Name: `Part ${n}`, Qty: n, Status: n <= 3 ? "Todo" : "Done", Note: `note ${n}` } })),
    },
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

async function recordNames(): Promise<string[]> {
  const body = await ok<{ records: { fields: Record<string, unknown> }[] }>("GET", `/tables/${setup.tableId}/records?field_key=name`, { token, expect: 200 });
  return body.records.map((r) => String(r.fields.Name));
}

async function fields(): Promise<FieldOut[]> {
  return (await ok<{ fields: FieldOut[] }>("GET", `/tables/${setup.tableId}/fields`, { token, expect: 200 })).fields;
}

/** The grid's column titles in order, from Glide's accessibility table (the row markers' is empty). */
function columnTitles(page: Page): Promise<string[]> {
  return page.$$eval('[role="columnheader"]', (cells) => cells.map((c) => c.textContent ?? "").filter((t) => t !== ""));
}

// The grid's geometry: row markers 32 px wide (Glide's width under 100 rows), the primary column 240 px,
// the others 180 px (no widths saved in this table), headers 36 px high.
const MARKERS = 32;
const widthOf = (index: number) => (index === 0 ? 240 : 180);

/** Open a column's header menu with a click on its arrow (the right end of the header, on the canvas). */
async function openHeaderMenu(page: Page, fieldName: string): Promise<void> {
  const titles = await eventually(`column ${fieldName}`, async () => {
    const found = await columnTitles(page);
    return found.includes(fieldName) ? found : undefined;
  });
  const index = titles.indexOf(fieldName);
  const box = await page.getByTestId("data-grid-canvas").boundingBox();
  if (!box) throw new Error("no grid canvas");
  let left = box.x + MARKERS;
  for (let i = 0; i < index; i++) left += widthOf(i);
  await page.mouse.move(left + widthOf(index) / 2, box.y + 18);
  await page.mouse.click(left + widthOf(index) - 14, box.y + 18);
  await page.getByTestId("header-menu").waitFor();
}

async function menuItem(page: Page, name: RegExp): Promise<void> {
  await page.getByTestId("header-menu").getByRole("menuitem", { name }).click();
  await page.getByTestId("header-menu").waitFor({ state: "detached" });
}

describe("grid header menu", () => {
  it("sorts, renames, groups (with collapsible group headers), hides and deletes from a column's menu", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(page);
    await waitForCellText(page, "Part 5");

    // Sort 9 -> 1 (a number's labels), saved in the view.
    await openHeaderMenu(page, "Qty");
    await expectAccessible(page, "grid header menu");
    await screenshot(page, "grid-header-menu");
    await menuItem(page, /Sort 9 → 1/);
    const qty = (await fields()).find((f) => f.name === "Qty");
    await eventually("sort saved", async () => (await gridView()).config.sorts?.[0]?.field_id === qty?.id || undefined);
    await eventually("sorted rows", async () => ((await cell(page, 0, 0).textContent()) === "Part 5" ? true : undefined));

    // Rename.
    await openHeaderMenu(page, "Note");
    await menuItem(page, /Rename field/);
    const dialog = page.getByRole("dialog", { name: "Rename field" });
    await dialog.getByLabel("Field name").fill("Remarks");
    await dialog.getByRole("button", { name: "Rename" }).click();
    await dialog.waitFor({ state: "detached" });
    await eventually("renamed", async () => (await fields()).some((f) => f.name === "Remarks") || undefined);
    await eventually("renamed column", async () => (await columnTitles(page)).includes("Remarks") || undefined);

    // Group by Status: one header row per group, with its value and count, collapsible.
    await openHeaderMenu(page, "Status");
    await menuItem(page, /Group by this field/);
    await eventually("grouping saved", async () => ((await gridView()).config.group_by?.length ?? 0) > 0 || undefined);
    await waitForCellText(page, "▾ Status: Todo · 3 records");
    expect(await cell(page, 0, 0).textContent()).toBe("▾ Status: Todo · 3 records");
    expect(await cell(page, 0, 4).textContent()).toBe("▾ Status: Done · 2 records");
    // Within a group the view's sort still applies: Part 3 first among the Todo parts.
    expect(await cell(page, 0, 1).textContent()).toBe("Part 3");
    expect(await cell(page, 0, 5).textContent()).toBe("Part 5");
    await screenshot(page, "grid-groups");
    // A click on the first group's header collapses it: the Done group moves up under it.
    const canvas = await page.getByTestId("data-grid-canvas").boundingBox();
    if (!canvas) throw new Error("no grid canvas");
    await page.mouse.click(canvas.x + 120, canvas.y + 36 + 10);
    await waitForCellText(page, "▸ Status: Todo · 3 records");
    await eventually("collapsed", async () => ((await cell(page, 0, 1).textContent()) === "▾ Status: Done · 2 records" ? true : undefined));
    expect(await cell(page, 0, 2).textContent()).toBe("Part 5");
    // Collapsing changes nothing saved.
    expect(await recordNames()).toHaveLength(5);

    // Hide.
    await openHeaderMenu(page, "Remarks");
    await menuItem(page, /Hide field/);
    const remarks = (await fields()).find((f) => f.name === "Remarks");
    await eventually("hidden in the view", async () => (await gridView()).config.hidden_fields?.includes(remarks?.id ?? "") || undefined);
    await eventually("column gone", async () => !(await columnTitles(page)).includes("Remarks") || undefined);

    // Delete (confirmed; to the trash).
    await openHeaderMenu(page, "Qty");
    await menuItem(page, /Delete field/);
    await page.getByTestId("confirm-delete-field").click();
    await eventually("deleted", async () => !(await fields()).some((f) => f.name === "Qty") || undefined);
    await eventually("column removed", async () => !(await columnTitles(page)).includes("Qty") || undefined);
    expect(errors).toEqual([]);
    await context.close();
  });
});
