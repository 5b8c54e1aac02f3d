// The screens the README opens with: a parts table of an engineering team in the grid (select chips,
// numbers, dimensions with tolerances, threads, materials, dates, people, checkboxes, links to a
// suppliers table), with the views bar, the toolbar and a second person's avatar, then one part in the
// record panel with an editor per field. The data is set up through the API; the checks are that the
// grid and the panel show it as stored.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, inviteAndAccept, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { waitForCellText, waitForGrid } from "./support/grid";
import { signIn, subscribedTo, type SignedIn } from "./support/session";

let browser: Browser;
const owner = newUser("Maya Patel");
const colleague = newUser("Jonas Weber");
let setup: TableSetup;
let token: string;
let ownerId: string;
let colleagueId: string;
let openedId: string;

const SUPPLIERS = ["Hartmann Stahl", "Nordic Bearings", "Precision Castings", "Fastenal"];

/** Name, part number, status, qty, main dimension, thread, material, due, owner (0 Maya, 1 Jonas), inspected, supplier. */
type Part = [string, string, string, number, string, string | null, string, string, 0 | 1, boolean, number];
const PARTS: Part[] = [
  ["Input shaft", "GX-200-101", "Released", 1, "25 ±0.05 mm", "M8x1.25", "42CrMo4", "2026-11-04", 0, true, 0],
  ["Output shaft", "GX-200-102", "Released", 1, "40 ±0.05 mm", "M12x1.5", "42CrMo4", "2026-11-04", 0, true, 0],
  ["Housing", "GX-200-110", "In review", 1, "180 ±0.1 mm", "M10x1.5", "EN-GJL-250", "2026-11-18", 1, false, 2],
  ["Housing cover", "GX-200-111", "In review", 1, "180 ±0.1 mm", "M10x1.5", "EN-GJL-250", "2026-11-18", 1, false, 2],
  ["Spur gear z=21", "GX-200-121", "Released", 1, "66 ±0.02 mm", null, "16MnCr5", "2026-10-28", 0, true, 0],
  ["Spur gear z=63", "GX-200-122", "Prototype", 1, "192 ±0.02 mm", null, "16MnCr5", "2026-12-09", 0, false, 0],
  ["Deep groove bearing 6205", "GX-200-131", "Released", 2, "52 ±0.013 mm", null, "100Cr6", "2026-10-21", 1, true, 1],
  ["Deep groove bearing 6208", "GX-200-132", "Released", 2, "80 ±0.013 mm", null, "100Cr6", "2026-10-21", 1, true, 1],
  ["Shaft seal 40x62x7", "GX-200-141", "Prototype", 2, "62 ±0.1 mm", null, "NBR", "2026-12-02", 1, false, 3],
  ["Feather key 8x7x40", "GX-200-151", "Released", 2, "40 ±0.1 mm", null, "C45", "2026-10-14", 0, true, 0],
  ["Hex bolt", "GX-200-161", "Released", 12, "45 ±0.5 mm", "M10x1.5", "Steel 8.8", "2026-10-14", 0, true, 3],
  ["Breather plug", "GX-200-171", "Obsolete", 1, "22 ±0.2 mm", "M16x1.5", "Brass", "2026-09-30", 1, false, 3],
];
const OPENED = "Input shaft";

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  ownerId = (await ok<{ id: string }>("GET", "/me", { token, expect: 200 })).id;
  setup = await createTable(token, { workspace: "Drive Systems", base: "Gearbox GX-200", table: "Parts" });
  const colleagueToken = await inviteAndAccept(token, setup.workspaceId, colleague, "editor");
  colleagueId = (await ok<{ id: string }>("GET", "/me", { token: colleagueToken, expect: 200 })).id;

  const suppliers = await ok<{ id: string }>("POST", `/bases/${setup.baseId}/tables`, { token, body: { name: "Suppliers" } });
  const supplierIds = (
    await ok<{ records: { id: string }[] }>("POST", `/tables/${suppliers.id}/records`, {
      token,
      body: { records: SUPPLIERS.map((name) => ({ fields: { Name: name } })) },
    })
  ).records.map((r) => r.id);

  const fields = [
    { name: "Part number", type: "single_line_text" },
    {
      name: "Status",
      type: "single_select",
      options: {
        choices: [
          { name: "Prototype", color: "blue" },
          { name: "In review", color: "yellow" },
          { name: "Released", color: "green" },
          { name: "Obsolete", color: "gray" },
        ],
      },
    },
    { name: "Qty", type: "number", options: { precision: 0 } },
    { name: "Main dimension", type: "dimension" },
    { name: "Thread", type: "thread" },
    { name: "Material", type: "material" },
    { name: "Due", type: "date" },
    { name: "Owner", type: "user" },
    { name: "Inspected", type: "checkbox" },
    { name: "Supplier", type: "link", options: { linked_table_id: suppliers.id } },
  ];
  for (const field of fields) await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: field });

  const created = await ok<{ records: { id: string; fields: Record<string, unknown> }[] }>("POST", `/tables/${setup.tableId}/records?field_key=name`, {
    token,
    body: {
      records: PARTS.map(([name, number, status, qty, dimension, thread, material, due, who, inspected, supplier]) => ({
        fields: {
          Name: name,
          "Part number": number,
          Status: status,
          Qty: qty,
          "Main dimension": dimension,
          Thread: thread,
          Material: material,
          Due: due,
          Owner: who === 0 ? ownerId : colleagueId,
          Inspected: inspected,
          Supplier: [supplierIds[supplier]],
        },
      })),
    },
  });
  const opened = created.records.find((r) => r.fields.Name === OPENED);
  if (!opened) throw new Error(`${OPENED} was not created`);
  openedId = opened.id;

  // Widths that fit every column on a wide screen (the grid's default is wider than most values).
  const views = await ok<{ views: { id: string }[] }>("GET", `/tables/${setup.tableId}/views`, { token, expect: 200 });
  const all = await ok<{ fields: { id: string; name: string }[] }>("GET", `/tables/${setup.tableId}/fields`, { token, expect: 200 });
  const widths: Record<string, number> = {
    Name: 200, "Part number": 115, Status: 110, Qty: 60, "Main dimension": 135, Thread: 95,
    Material: 115, Due: 110, Owner: 130, Inspected: 90, Supplier: 150,
  };
  const column_widths = Object.fromEntries(all.fields.filter((f) => f.name in widths).map((f) => [f.id, widths[f.name]]));
  const view = views.views[0];
  if (!view) throw new Error("the table has no view");
  await ok("PATCH", `/views/${view.id}`, { token, body: { config: { column_widths } }, expect: 200 });
});

afterAll(async () => {
  await browser?.close();
});

describe("showcase", () => {
  let ownerSession: SignedIn;
  let colleagueSession: SignedIn;

  it("shows the parts table with a colleague on it", async () => {
    const path = `/b/${setup.baseId}/t/${setup.tableId}`;
    ownerSession = await signIn(browser, owner);
    colleagueSession = await signIn(browser, colleague);
    // Wide enough for every column next to the sidebar.
    await ownerSession.page.setViewportSize({ width: 1680, height: 760 });
    for (const { page } of [colleagueSession, ownerSession]) {
      const subscribed = subscribedTo(page, setup.tableId);
      await page.goto(path);
      await waitForGrid(page);
      await subscribed;
    }
    const page = ownerSession.page;
    // Every row, a linked supplier's name and the colleague's avatar are on screen before the picture.
    await waitForCellText(page, "Breather plug");
    await waitForCellText(page, "Precision Castings");
    await waitForCellText(page, "M8x1.25");
    const presence = page.getByTestId("presence");
    await presence.getByText("JW").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Filter" }).waitFor();
    await page.getByText(`${PARTS.length} records`).waitFor();
    await expectAccessible(page, "parts table");
    await screenshot(page, "showcase-table");
  }, 180_000);

  it("opens a part in the record panel with an editor per field", async () => {
    const page = ownerSession.page;
    await page.setViewportSize({ width: 1280, height: 1320 });
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}?open=${openedId}`);
    const panel = page.getByTestId("full-record-panel");
    await panel.getByRole("heading", { name: OPENED }).waitFor({ timeout: 60_000 });
    expect(await panel.getByLabel("Part number").inputValue()).toBe("GX-200-101");
    expect(await panel.getByLabel("Main dimension").inputValue()).toBe("25 ±0.05 mm");
    expect(await panel.getByLabel("Thread").inputValue()).toBe("M8x1.25");
    // The link's picker lists the suppliers once its search has answered (an empty list is not a listbox yet).
    for (const supplier of SUPPLIERS) await panel.getByRole("option", { name: supplier }).waitFor();
    await expectAccessible(page, "parts record panel");
    await screenshot(page, "showcase-record-panel");
    expect(ownerSession.errors).toEqual([]);
    expect(colleagueSession.errors).toEqual([]);
  }, 120_000);
});
