// Drawings in, records out, through the real stack: files dropped in the browser go to LocalStack's
// S3 with the presigned URL, S3's notification reaches the extract function through SQS and the
// poller, the job's status comes back over the WebSocket, the results viewer shows what the DXF
// holds, and the mapping's new records appear in the grid live. A corrupt DXF shows its job's reason,
// and a file the server would refuse is refused before anything is sent.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, ok, recordsByName, register, newUser, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { dropFiles, fixture } from "./support/drop";
import { selectCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn, subscribedTo } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Dora Drafter");
let token: string;

interface Job {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
}

/** A table with a primary Name, an attachment field Drawing and one record, "Seed part". */
async function drawingsTable(names: { workspace: string; base: string; table: string }): Promise<TableSetup & { seedId: string }> {
  const setup = await createTable(token, names);
  await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name: "Drawing", type: "attachment" } });
  const seed = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Seed part" } } });
  return { ...setup, seedId: seed.id };
}

async function openTable(page: Page, setup: TableSetup): Promise<void> {
  const subscribed = subscribedTo(page, setup.tableId);
  await page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
  await waitForGrid(page);
  await subscribed;
}

async function jobsOf(tableId: string): Promise<Job[]> {
  return (await ok<{ jobs: Job[] }>("GET", `/extraction-jobs?table_id=${tableId}`, { token, expect: 200 })).jobs;
}

/** The point (viewport) of the first row's cell in the column whose drag-over hint names `fieldName`. */
async function attachmentCellPoint(page: Page, fieldName: string, file: { name: string; data: Buffer }): Promise<{ x: number; y: number }> {
  const box = await page.getByTestId("data-grid-canvas").boundingBox();
  if (!box) throw new Error("the grid's canvas is not on screen");
  const y = box.y + 36 + 12; // below Glide's 36 px header, inside the first row
  const hint = page.getByTestId("table-drop-hint");
  for (let x = box.x + 60; x < box.x + box.width - 20; x += 40) {
    await dropFiles(page, { x, y }, [file], "dragover");
    const text = await hint.textContent({ timeout: 2_000 }).catch(() => "");
    if (text?.includes(`to ${fieldName} of this record`)) return { x, y };
  }
  throw new Error(`no cell of ${fieldName} found under the pointer`);
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
});

afterAll(async () => {
  await browser?.close();
});

describe("drawings in, records out", () => {
  it("a DXF dropped on the table becomes a record; its results show and its parts list maps into records in the grid", async () => {
    const setup = await drawingsTable({ workspace: "Drawing office", base: "Gearbox", table: "Drawings" });
    const { context, page, errors } = await signIn(browser, owner);
    await openTable(page, setup);

    await dropFiles(page, { locator: page.getByTestId("table-drop-zone") }, [
      { name: "gear-cover.dxf", data: fixture("make_dxf_tables") },
    ]);
    const tray = page.getByTestId("upload-tray");
    const item = tray.getByTestId("upload-item").filter({ hasText: "gear-cover.dxf" });
    await item.waitFor();
    // The progress bar of the file, full once S3 has it.
    await item.getByRole("progressbar", { name: "Upload of gear-cover.dxf" }).waitFor();
    await item.and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    expect(await item.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");

    // The record named after the file, holding it, shows in the grid (live).
    await waitForCellText(page, "gear-cover");
    const records = await recordsByName(token, setup.tableId);
    const dropped = records.find((r) => r.fields.Name === "gear-cover");
    expect((dropped?.fields.Drawing as { filename: string }[] | undefined)?.map((a) => a.filename)).toEqual(["gear-cover.dxf"]);

    // Extraction done (pushed through the WebSocket), then the results.
    await item.getByTestId("extraction-done").waitFor({ timeout: 90_000 });
    await item.getByTestId("open-extraction").click();
    const dialog = page.getByTestId("extraction-dialog");
    await dialog.getByTestId("extraction-results").waitFor();
    await dialog.getByRole("tab", { name: /^Title block/ }).click();
    await dialog.getByRole("table", { name: "Title block" }).getByText("PB-2001").waitFor();
    await dialog.getByRole("tab", { name: /^Dimensions/ }).click();
    const dimensions = dialog.getByRole("table", { name: "Dimensions" });
    await dimensions.getByText("M8x1.25").first().waitFor();
    expect(await dimensions.locator("tbody tr").count()).toBeGreaterThanOrEqual(4);
    await dialog.getByRole("tab", { name: /^Layers/ }).click();
    expect(await dialog.getByRole("table", { name: "Layers" }).locator("tbody tr").count()).toBeGreaterThan(0);
    await dialog.getByRole("tab", { name: /^Tables/ }).click();
    await dialog.getByText("PB-300").first().waitFor();
    await expectAccessible(page, "extraction results");
    await screenshot(page, "drawings-extraction-results");

    // Map the parts lists (BOM rows) into records of this table.
    const form = dialog.getByTestId("mapping-form");
    await form.getByLabel("What to map").selectOption("bom");
    const create = form.getByRole("button", { name: /^Create \d+ records$/ });
    await create.waitFor();
    const count = Number((await create.textContent())?.match(/\d+/)?.[0]);
    expect(count).toBeGreaterThanOrEqual(5); // the drawn parts list (3 rows) and the ACAD_TABLE one (2)
    await screenshot(page, "drawings-mapping");
    await create.click();
    await form.getByTestId("mapping-done").waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });

    // The new records reach the grid through its live updates: seed + dropped file + BOM rows.
    const total = 2 + count;
    await page.getByTestId("record-count").getByText(`${total} records`).waitFor({ timeout: 30_000 });
    await waitForCellText(page, "PB-300");
    const after = await recordsByName(token, setup.tableId);
    expect(after).toHaveLength(total);
    await screenshot(page, "drawings-mapped-records");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a corrupt DXF dropped on an attachment cell shows its job's reason; a refused file is never sent", async () => {
    const setup = await drawingsTable({ workspace: "Drawing office 2", base: "Pumps", table: "Sheets" });
    const { context, page, errors } = await signIn(browser, owner);
    await openTable(page, setup);

    const broken = { name: "broken.dxf", data: fixture("make_corrupt_dxf") };
    const point = await attachmentCellPoint(page, "Drawing", broken);
    await dropFiles(page, point, [broken]);
    const item = page.getByTestId("upload-tray").getByTestId("upload-item").filter({ hasText: "broken.dxf" });
    await item.and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });

    // Into the seed record's field, not a new record.
    const records = await recordsByName(token, setup.tableId);
    expect(records).toHaveLength(1);
    expect((records[0]?.fields.Drawing as { filename: string }[] | undefined)?.map((a) => a.filename)).toEqual(["broken.dxf"]);

    const failed = await eventually("the job failed", async () => (await jobsOf(setup.tableId)).find((j) => j.status === "failed"), 90_000);
    expect(failed.error?.message).toBeTruthy();
    const shown = item.getByTestId("extraction-failed");
    await shown.waitFor({ timeout: 30_000 });
    expect(await shown.textContent()).toBe(`Extraction failed: ${failed.error?.message}`);

    // The attachment's own menu finds the job too (GET /extraction-jobs?attachment_id=).
    // Enter on the selected cell opens it; on a loaded machine the first Enter can land before the
    // grid has taken the selection, so select and press again (a missed dialog fails the third time).
    const cellDialog = page.getByTestId("attachment-cell-dialog");
    for (let attempt = 1; ; attempt++) {
      await selectCell(page, 1, 0);
      await page.keyboard.press("Enter");
      if (await cellDialog.waitFor({ timeout: 10_000 }).then(() => true, () => false)) break;
      if (attempt === 3) throw new Error("Enter on the selected attachment cell opened no dialog, 3 times");
    }
    const reason = cellDialog.getByTestId("attachment-extraction-error");
    await reason.waitFor();
    expect(await reason.textContent()).toBe(failed.error?.message);
    await expectAccessible(page, "attachment cell");
    await screenshot(page, "drawings-failed-extraction");
    await page.keyboard.press("Escape");
    await cellDialog.waitFor({ state: "hidden" });

    // A file the server's limits refuse: refused in the browser, no record, no upload.
    await dropFiles(page, { locator: page.getByTestId("table-drop-zone") }, [{ name: "notes.exe", data: Buffer.from("MZ not a drawing") }]);
    const refused = page.getByTestId("upload-item").filter({ hasText: "notes.exe" });
    await refused.and(page.locator('[data-status="refused"]')).waitFor();
    expect(await refused.textContent()).toContain(".exe files cannot be uploaded.");
    expect(await recordsByName(token, setup.tableId)).toHaveLength(1);
    expect(errors).toEqual([]);
    await context.close();
  });
});
