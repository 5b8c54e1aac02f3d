// A field of every type the server offers (GET /field-types) in one table. Each editable type gets a
// value through the record panel's editor (an attachment through its file picker), checked through
// the API; each computed type is shown read-only (no input) with its value. A type the server adds
// later fails this scenario until it is covered here.
import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { signIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Tara Types");
let setup: TableSetup;
let token: string;
let recordId: string;
let userId: string;
let types: string[];

/** The field of each type is named after it; how the panel sets it and what the API then holds. */
interface Edit {
  set: (box: Locator, panel: Locator) => Promise<void>;
  check: (value: unknown) => boolean;
}
const fillEnter = (text: string) => async (box: Locator) => {
  await box.fill(text);
  await box.press("Enter");
};
const fillTab = (text: string) => async (box: Locator) => {
  await box.fill(text);
  await box.press("Tab");
};
const has = (key: string, expected: unknown) => (value: unknown) =>
  typeof value === "object" && value !== null && (value as Record<string, unknown>)[key] === expected;

/** The file given to the attachment field. */
const NOTES = { name: "inspection-notes.txt", data: Buffer.from("Bore checked at 10.5 mm, within tolerance.\n") };

const EDITS: Record<string, Edit> = {
  single_line_text: { set: fillEnter("Bracket"), check: (v) => v === "Bracket" },
  long_text: { set: fillTab("Two holes,\nthen deburr"), check: (v) => v === "Two holes,\nthen deburr" },
  number: { set: fillEnter("12.5"), check: (v) => v === 12.5 },
  currency: { set: fillEnter("99.95"), check: (v) => v === 99.95 },
  percent: { set: fillEnter("0.25"), check: (v) => v === 0.25 },
  checkbox: { set: (box) => box.click(), check: (v) => v === true },
  date: { set: fillTab("2026-03-04"), check: (v) => v === "2026-03-04" },
  datetime: { set: fillTab("2026-03-04T10:30"), check: (v) => typeof v === "string" && new Date(v).getTime() === new Date("2026-03-04T10:30").getTime() },
  duration: { set: fillEnter("1:30"), check: (v) => v === 5400 },
  email: { set: fillEnter("ops@example.com"), check: (v) => v === "ops@example.com" },
  url: { set: fillEnter("https://example.com/part"), check: (v) => v === "https://example.com/part" },
  phone: { set: fillEnter("+1 555 0100"), check: (v) => v === "+1 555 0100" },
  barcode: { set: fillEnter("4006381333931"), check: has("text", "4006381333931") },
  single_select: { set: (box) => box.selectOption("Blue").then(() => undefined), check: (v) => v === "Blue" },
  multiple_select: {
    set: (_box, panel) => panel.locator('[data-field="multiple_select"]').getByLabel("Red").click(),
    check: (v) => Array.isArray(v) && v.includes("Red"),
  },
  rating: { set: (_box, panel) => panel.getByRole("radio", { name: "4 of 5" }).click(), check: (v) => v === 4 },
  user: { set: (box) => box.selectOption({ label: owner.name }).then(() => undefined), check: (v) => JSON.stringify(v).includes(userId) },
  dimension: { set: fillEnter("10.5 ±0.1 mm"), check: has("display", "10.5 ±0.1 mm") },
  thread: { set: fillEnter("M8x1.25"), check: has("designation", "M8x1.25") },
  material: { set: fillEnter("Brass"), check: (v) => JSON.stringify(v).includes("Brass") },
  surface_finish: { set: fillEnter("Ra 3.2 µm"), check: has("grade", "N8") },
  link: {
    set: async (_box, panel) => {
      const section = panel.locator('section[aria-label="link"]');
      await section.getByPlaceholder("Search records").fill("Acme");
      await section.getByRole("option", { name: /Acme/ }).click();
    },
    check: (v) => JSON.stringify(v).includes("Acme"),
  },
  // Chosen in the field's file picker, as a person does: uploaded to S3 (LocalStack) with the
  // presigned URL, then completed into the record, which the panel shows once reloaded.
  attachment: {
    set: async (_box, panel) => {
      const section = panel.locator('section[aria-label="attachment"]');
      // The picker is enabled once the server's upload limits are known.
      await section.getByText(/^Up to /).waitFor({ timeout: 30_000 });
      await section.getByLabel("Drop files here or choose files").setInputFiles({ name: NOTES.name, mimeType: "text/plain", buffer: NOTES.data });
      const item = section.getByTestId("upload-item").filter({ hasText: NOTES.name });
      await item.and(panel.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
      await section.getByTestId("attachment-item").filter({ hasText: NOTES.name }).waitFor({ timeout: 30_000 });
    },
    check: (v) =>
      Array.isArray(v) &&
      v.some((a: { filename?: unknown; size?: unknown }) => a.filename === NOTES.name && a.size === NOTES.data.length),
  },
};
const COMPUTED = new Set(["autonumber", "button", "count", "created_by", "created_time", "formula", "last_modified_by", "last_modified_time", "lookup", "rollup"]);

function options(type: string, ids: { link: string; suppliersPrimary: string }): Record<string, unknown> {
  switch (type) {
    case "single_select":
    case "multiple_select":
      return { choices: [{ name: "Red" }, { name: "Blue" }] };
    case "link":
      return { linked_table_id: ids.link };
    case "lookup":
      return { link_field_id: "LINK", field_id: ids.suppliersPrimary };
    case "rollup":
      return { link_field_id: "LINK", field_id: ids.suppliersPrimary, function: "ARRAYJOIN" };
    case "count":
      return { link_field_id: "LINK" };
    case "formula":
      return { formula: "{number} * 2" };
    case "button":
      return { label: "Visit", url_formula: "'https://example.com'" };
    default:
      return {};
  }
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  userId = (await ok<{ id: string }>("GET", "/me", { token, expect: 200 })).id;
  setup = await createTable(token, { workspace: "Type shop", base: "Catalogue", table: "Everything" });
  const suppliers = await ok<{ id: string; primary_field_id: string }>("POST", `/bases/${setup.baseId}/tables`, { token, body: { name: "Suppliers" } });
  await ok("POST", `/tables/${suppliers.id}/records`, { token, body: { fields: { Name: "Acme" } } });
  types = (await ok<{ types: string[] }>("GET", "/field-types", { token, expect: 200 })).types;
  let linkId = "";
  // Links first (lookups, rollups and counts name theirs), computed types last (the formula names a field).
  const order = (t: string) => (t === "link" ? 0 : COMPUTED.has(t) ? 2 : 1);
  for (const type of [...types].sort((a, b) => order(a) - order(b))) {
    const raw = options(type, { link: suppliers.id, suppliersPrimary: suppliers.primary_field_id });
    const body = { name: type, type, options: JSON.parse(JSON.stringify(raw).replace('"LINK"', JSON.stringify(linkId))) as unknown };
    const created = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/fields`, { token, body });
    if (type === "link") linkId = created.id;
  }
  recordId = (await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Sample" } } })).id;
});

afterAll(async () => {
  await browser?.close();
});

describe("every field type", () => {
  it("sets each editable type in the record panel and shows each computed type read-only", async () => {
    const unknown = types.filter((t) => !(t in EDITS) && !COMPUTED.has(t));
    expect(unknown).toEqual([]);
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}?open=${recordId}`);
    const panel = page.getByTestId("full-record-panel");
    await panel.getByRole("heading", { name: "Sample" }).waitFor({ timeout: 60_000 });

    for (const type of types.filter((t) => t in EDITS)) {
      const edit = EDITS[type];
      if (!edit) continue;
      await edit.set(panel.getByLabel(type, { exact: true }).first(), panel);
    }
    const record = await eventually(
      "every edit saved",
      async () => {
        const current = await ok<{ fields: Record<string, unknown> }>("GET", `/tables/${setup.tableId}/records/${recordId}?field_key=name`, {
          token,
          expect: 200,
        });
        const missing = Object.entries(EDITS).filter(([type, edit]) => types.includes(type) && !edit.check(current.fields[type]));
        if (missing.length) throw new Error(`not yet: ${missing.map(([t]) => `${t}=${JSON.stringify(current.fields[t])}`).join(", ")}`);
        return current;
      },
      60_000,
    );
    expect(record.fields.formula).toBe(25);
    expect(record.fields.count).toBe(1);

    for (const type of types.filter((t) => COMPUTED.has(t))) {
      const shown = panel.locator(`[data-testid="panel-field"][data-field="${type}"]`);
      await shown.waitFor();
      expect(await shown.locator("input, textarea, select").count(), `${type} is read-only`).toBe(0);
    }
    await panel.locator('[data-field="formula"]').getByText("25").waitFor();
    await panel.locator('[data-field="lookup"]').getByText("Acme").waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 170_000);
});
