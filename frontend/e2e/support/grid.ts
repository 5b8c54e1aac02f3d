// Driving the canvas grid (Glide Data Grid). Cells are painted on a <canvas>; Glide keeps an
// accessibility table inside it (<td role="gridcell" data-testid="glide-cell-<col>-<row>">, column 0
// being the row markers) for the rows on screen, which is what these helpers read. Pointer and keyboard
// go to the canvas like a person's would: click the first cell, move with the arrow keys.
import type { Page } from "playwright-core";

const HEADER_HEIGHT = 36; // Glide's default header height (the grid does not change it)

export function grid(page: Page) {
  return page.getByTestId("grid");
}

/** The text of data column `col` (0 = the primary field) in row `row`, as the grid shows it. */
export function cell(page: Page, col: number, row: number) {
  return page.getByTestId(`glide-cell-${col + 1}-${row}`);
}

/** Resolves once a cell showing exactly `text` is in the grid. */
export async function waitForCellText(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    (needle) => [...document.querySelectorAll('[role="gridcell"]')].some((td) => td.textContent === needle),
    text,
    { timeout, polling: 100 },
  );
}

/** The grid shows its first row. Generous: the first load of a table may wake several cold API functions. */
export async function waitForGrid(page: Page): Promise<void> {
  await cell(page, 0, 0).waitFor({ state: "attached", timeout: 60_000 });
}

const EDITOR = "textarea.gdg-input, input.gdg-input";

/**
 * Select the cell at (col, row): a click on the first cell, then the arrow keys; checked through the
 * accessibility table (aria-selected). A click on a cell that is already selected opens its editor:
 * that one is closed before moving.
 */
export async function selectCell(page: Page, col: number, row: number): Promise<void> {
  const canvas = page.getByTestId("data-grid-canvas");
  const box = await canvas.boundingBox();
  if (!box) throw new Error("the grid's canvas is not on screen");
  // 60 px in: past the row markers, inside the primary column (at least 150 px wide); 10 px below the
  // header: inside the first row whatever the row height.
  await page.mouse.click(box.x + 60, box.y + HEADER_HEIGHT + 10);
  const editor = page.locator(EDITOR).first();
  if (await editor.waitFor({ timeout: 300 }).then(() => true, () => false)) {
    await page.keyboard.press("Escape");
    await editor.waitFor({ state: "hidden" });
  }
  for (let i = 0; i < col; i++) await page.keyboard.press("ArrowRight");
  for (let i = 0; i < row; i++) await page.keyboard.press("ArrowDown");
  await page.locator(`[data-testid="glide-cell-${col + 1}-${row}"][aria-selected="true"]`).waitFor({ state: "attached", timeout: 5_000 });
}

/**
 * Put `value` in the cell at (col, row) through the cell's editor, committed with Enter. The editor is
 * opened with Enter on the selected cell (or is already open: a click on a selected cell opens it), and
 * filled in one input event: typing key by key races the editor's first render.
 */
export async function editCell(page: Page, col: number, row: number, value: string): Promise<void> {
  const editor = page.locator(EDITOR).first();
  for (let attempt = 0; ; attempt++) {
    if (await editor.isVisible()) await page.keyboard.press("Escape");
    const selected = await selectCell(page, col, row).then(() => true, () => false);
    if (selected) {
      await page.keyboard.press("Enter");
      if (await editor.waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
    }
    if (attempt === 3) throw new Error(`the editor of cell (${col}, ${row}) does not open`);
  }
  await editor.fill(value);
  await editor.press("Enter");
  await editor.waitFor({ state: "hidden" });
}

/** Paste `text` (what a spreadsheet puts on the clipboard: TSV) into the grid at its selected cell. */
export async function pasteText(page: Page, text: string): Promise<void> {
  await grid(page).evaluate((wrapper, tsv) => {
    const data = new DataTransfer();
    data.setData("text/plain", tsv);
    const target = wrapper.querySelector("canvas") ?? wrapper;
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}
