// Kanban, calendar, gallery and form views in a real browser: a card dragged to another stack is
// saved (If-Match PATCH), a record dragged to another day is rescheduled, records without a date are
// listed aside, the gallery shows a card per record, and a public form is filled in signed out
// (a required answer missing is refused on its field, then a thank-you page; the record exists).
// axe-core on each screen, and screenshots.
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { call, newUser, ok, register, type RecordOut } from "./support/api";
import { launchBrowser, newContext, pageErrors } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { signIn, type SignedIn } from "./support/session";

let browser: Browser;
let owner: SignedIn;
let token: string;
let baseId: string;
let tableId: string;
const fieldIds: Record<string, string> = {};
const user = newUser("Grace Hopper");

const today = new Date().toISOString().slice(0, 10);
const day = Number(today.slice(8));
const target = `${today.slice(0, 8)}${String(day <= 20 ? day + 3 : day - 3).padStart(2, "0")}`;

async function byName(): Promise<Map<string, RecordOut>> {
  const page = await ok<{ records: RecordOut[] }>("GET", `/tables/${tableId}/records?field_key=name&page_size=100`, { token, expect: 200 });
  return new Map(page.records.map((r) => [String(r.fields.Name), r]));
}

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string, timeout = 20_000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A pointer drag in small steps (dnd-kit starts a drag after 5 px of movement). */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error("drag: element not visible");
  const x = b.x + b.width / 2;
  const y = b.y + Math.min(b.height / 2, 60);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(50);
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 5 });
  await page.waitForTimeout(100);
  for (let i = 1; i <= 20; i += 1) {
    await page.mouse.move(a.x + (x - a.x) * (i / 20), a.y + (y - a.y) * (i / 20));
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(150);
  await page.mouse.up();
}

async function createView(type: string, name: string, config: Record<string, unknown>): Promise<{ id: string; config: Record<string, unknown> }> {
  return ok("POST", `/tables/${tableId}/views`, { token, body: { name, type, config } });
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(user);
  const workspace = await ok<{ id: string }>("POST", "/workspaces", { token, body: { name: "Tool room" } });
  const base = await ok<{ id: string }>("POST", `/workspaces/${workspace.id}/bases`, { token, body: { name: "Jobs" } });
  baseId = base.id;
  const table = await ok<{ id: string; primary_field_id: string }>("POST", `/bases/${base.id}/tables`, { token, body: { name: "Work orders" } });
  tableId = table.id;
  const fields = [
    { name: "Status", type: "single_select", options: { choices: [{ name: "Todo" }, { name: "Doing" }, { name: "Done" }] } },
    { name: "Due", type: "date" },
    { name: "Contact", type: "email" },
  ];
  for (const field of fields) {
    const made = await ok<{ id: string }>("POST", `/tables/${tableId}/fields`, { token, body: field });
    fieldIds[field.name] = made.id;
  }
  fieldIds.Name = table.primary_field_id;
  await ok("POST", `/tables/${tableId}/records`, {
    token,
    body: {
      typecast: true,
      records: [
        { fields: { Name: "Mill fixture", Status: "Todo", Due: today } },
        { fields: { Name: "Lathe jaws", Status: "Todo", Due: today } },
        { fields: { Name: "Drill jig", Status: "Doing" } },
      ],
    },
  });
  owner = await signIn(browser, user);
});

afterAll(async () => {
  await browser?.close();
});

describe.sequential("views", () => {
  it("kanban: drags a card to another stack and the record is saved", async () => {
    const board = await createView("kanban", "Board", { stack_field_id: fieldIds.Status });
    const page = owner.page;
    await page.goto(`/b/${baseId}/t/${tableId}?view=${board.id}`);
    const todo = page.locator('[data-testid="kanban-stack"][data-stack="Todo"]');
    const done = page.locator('[data-testid="kanban-stack"][data-stack="Done"]');
    // The first screen of the run: the local API's functions start cold on a loaded machine.
    await todo.getByText("Mill fixture").waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
      await screenshot(page, "kanban-load-failure");
      throw error;
    });
    expect(await todo.getByTestId("kanban-card").count()).toBe(2);
    await expectAccessible(page, "kanban");
    const card = todo.getByTestId("kanban-card").filter({ hasText: "Mill fixture" });
    await drag(page, card.getByRole("button", { name: "Move card" }), done);
    await done.getByText("Mill fixture").waitFor({ timeout: 10_000 }).catch(async (error: unknown) => {
      // Say why: the toasts shown (a refused write) and what the board looks like.
      await screenshot(page, "kanban-failure");
      const toasts = await page.locator("[data-sonner-toast]").allTextContents();
      throw new Error(`card not in Done (toasts: ${JSON.stringify(toasts)}): ${String(error)}`);
    });
    const saved = await until(async () => {
      const r = (await byName()).get("Mill fixture");
      return r?.fields.Status === "Done" ? r : null;
    }, "the moved card to be saved");
    expect(saved.fields.Status).toBe("Done");
    await screenshot(page, "views-kanban");
    expect(owner.errors).toEqual([]);
  });

  it("calendar: shows dated records by day, lists undated ones aside, and reschedules by dragging", async () => {
    const calendar = await createView("calendar", "Schedule", { date_field_id: fieldIds.Due });
    const page = owner.page;
    await page.goto(`/b/${baseId}/t/${tableId}?view=${calendar.id}`);
    const cell = page.locator(`[data-testid="calendar-day"][data-day="${today}"]`);
    await cell.getByText("Lathe jaws").waitFor();
    await page.getByTestId("calendar-undated").getByText("Drill jig").waitFor();
    await expectAccessible(page, "calendar");
    await screenshot(page, "views-calendar");
    const event = cell.getByTestId("calendar-event").filter({ hasText: "Lathe jaws" });
    await drag(page, event, page.locator(`[data-testid="calendar-day"][data-day="${target}"]`));
    await until(async () => (await byName()).get("Lathe jaws")?.fields.Due === target, "the rescheduled date");
    await page.getByRole("button", { name: "Week" }).click();
    expect(await page.getByTestId("calendar-day").count()).toBe(7);
    expect(owner.errors).toEqual([]);
  });

  it("gallery: a card per record", async () => {
    const gallery = await createView("gallery", "Cards", {});
    const page = owner.page;
    await page.goto(`/b/${baseId}/t/${tableId}?view=${gallery.id}`);
    await page.getByTestId("gallery-card").first().waitFor();
    expect(await page.getByTestId("gallery-card").count()).toBe(3);
    await expectAccessible(page, "gallery");
    await screenshot(page, "views-gallery");
  });

  it("form: filled in signed out through the public link, with per-field messages and a thank-you page", async () => {
    const form = await createView("form", "Request", {
      title: "Request a fixture",
      public: true,
      submit_message: "Thanks, the tool room has it.",
      fields: [
        { field_id: fieldIds.Name, required: true, label: "What do you need?", help: "One line" },
        { field_id: fieldIds.Contact, required: false },
      ],
    });
    const share = String(form.config.share_token);
    // The builder shows the public link to the owner.
    await owner.page.goto(`/b/${baseId}/t/${tableId}?view=${form.id}`);
    await expect.poll(() => owner.page.getByTestId("form-share-link").inputValue()).toContain(share);
    await expectAccessible(owner.page, "form builder");
    await screenshot(owner.page, "views-form-builder");

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors = pageErrors(page);
    await page.goto(`/form/${form.id}?share=${share}`);
    await page.getByRole("heading", { name: "Request a fixture" }).waitFor();
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("What do you need? is required.").waitFor();
    await page.getByLabel("Contact").fill("not-an-email");
    await page.getByLabel("What do you need?").fill("Vise soft jaws");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByText("Enter an email address like name@example.com.").waitFor();
    await expectAccessible(page, "public form");
    await screenshot(page, "views-public-form");
    await page.getByLabel("Contact").fill("grace@example.com");
    await page.getByRole("button", { name: "Submit" }).click();
    await page.getByTestId("form-thanks").getByText("Thanks, the tool room has it.").waitFor();
    await until(async () => (await byName()).get("Vise soft jaws"), "the submitted record");
    // A wrong token: the form is not shown.
    const refused = await call("GET", `/forms/${form.id}?share=wrong`);
    expect(refused.status).toBe(404);
    await page.goto(`/form/${form.id}?share=wrong`);
    await page.getByText("This form is not available").waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
