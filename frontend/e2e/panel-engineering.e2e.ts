// Engineering values in the record panel: a dimension typed as "10.5 ±0.1 mm" shows how it reads
// while typing, a typo shows its error and is not saved, and thread, surface finish and material are
// saved as the API parses them.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { signIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const owner = newUser("Erik Engineer");
let setup: TableSetup;
let token: string;
let recordId: string;

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(owner);
  setup = await createTable(token, { workspace: "Design office", base: "Drawings", table: "Parts" });
  for (const [name, type] of [
    ["Length", "dimension"],
    ["Thread", "thread"],
    ["Finish", "surface_finish"],
    ["Material", "material"],
  ] as const) {
    await ok("POST", `/tables/${setup.tableId}/fields`, { token, body: { name, type } });
  }
  recordId = (await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Spacer" } } })).id;
});

afterAll(async () => {
  await browser?.close();
});

describe("engineering values in the record panel", () => {
  it("reads them as typed, refuses a typo and saves what reads", async () => {
    const { context, page, errors } = await signIn(browser, owner);
    await page.goto(`/b/${setup.baseId}/t/${setup.tableId}?open=${recordId}`);
    const panel = page.getByTestId("full-record-panel");
    await panel.getByRole("heading", { name: "Spacer" }).waitFor({ timeout: 60_000 });

    const length = panel.getByLabel("Length");
    await length.fill("10.5 ±0.1 mmm");
    await panel.getByTestId("structured-error").getByText("Not a dimension", { exact: false }).waitFor();
    await length.press("Enter");
    await length.fill("10.5 ±0.1 mm");
    expect(await panel.getByTestId("structured-reading").textContent()).toBe("Reads as 10.5 ±0.1 mm");
    await expectAccessible(page, "record panel engineering values");
    await screenshot(page, "record-panel-dimension");
    await length.press("Enter");
    await eventually("the dimension saved", async () => {
      const value = (await recordsByName(token, setup.tableId))[0]?.fields.Length as { display?: string } | undefined;
      return value?.display === "10.5 ±0.1 mm" || undefined;
    });

    for (const [label, typed] of [
      ["Thread", "M8x1.25-6g"],
      ["Finish", "Ra 1.6 µm"],
      ["Material", "AISI 304"],
    ] as const) {
      const box = panel.getByLabel(label);
      await box.fill(typed);
      await box.press("Enter");
    }
    const saved = await eventually("thread, finish and material saved", async () => {
      const fields = (await recordsByName(token, setup.tableId))[0]?.fields ?? {};
      return fields.Thread && fields.Finish && fields.Material ? fields : undefined;
    });
    expect(saved.Thread).toMatchObject({ designation: "M8x1.25-6g", pitch_mm: 1.25 });
    expect(saved.Finish).toMatchObject({ parameter: "Ra", value: 1.6, grade: "N7" });
    expect(saved.Material).toMatchObject({ name: expect.stringMatching(/304/) });
    expect(errors).toEqual([]);
    await context.close();
  }, 150_000);
});
