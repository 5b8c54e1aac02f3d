// The 412 flow: a cell edited in the grid after someone else changed the record (this browser did not
// hear about it: its WebSocket's change messages are held back) answers 412; the grid shows both values,
// and the person keeps theirs or takes the other.
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTable, newUser, ok, recordsByName, register, type TableSetup } from "./support/api";
import { launchBrowser } from "./support/browser";
import { expectAccessible, screenshot } from "./support/checks";
import { editCell, waitForCellText, waitForGrid } from "./support/grid";
import { signIn, type SignedIn } from "./support/session";
import { eventually } from "./support/wait";

let browser: Browser;
const user = newUser("Carl Conflict");
let setup: TableSetup;
let token: string;
let recordId: string;
let session: SignedIn;

/** Lets this context's WebSocket connect and send, but drops the server's change notifications. */
async function holdBackChanges(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/ws/, (socket) => {
    const server = socket.connectToServer();
    server.onMessage((message) => {
      const type = typeof message === "string" ? (JSON.parse(message) as { type?: string }).type : undefined;
      if (type !== "events" && type !== "refetch" && type !== "resync") socket.send(message);
    });
  });
}

async function changeElsewhere(value: string): Promise<void> {
  await ok("PATCH", `/tables/${setup.tableId}/records/${recordId}`, { token, body: { fields: { Name: value } }, expect: 200 });
}

async function savedName(): Promise<unknown> {
  return (await recordsByName(token, setup.tableId))[0]?.fields.Name;
}

beforeAll(async () => {
  browser = await launchBrowser();
  token = await register(user);
  setup = await createTable(token, { workspace: "Tooling", base: "Moulds", table: "Cavities" });
  const created = await ok<{ id: string }>("POST", `/tables/${setup.tableId}/records`, { token, body: { fields: { Name: "Original" } } });
  recordId = created.id;
});

afterAll(async () => {
  await browser?.close();
});

describe.sequential("an edit over a newer version (412)", () => {
  it("shows both values and keeps mine", async () => {
    session = await signIn(browser, user);
    await holdBackChanges(session.context);
    await session.page.goto(`/b/${setup.baseId}/t/${setup.tableId}`);
    await waitForGrid(session.page);
    await waitForCellText(session.page, "Original");

    await changeElsewhere("Theirs");
    await editCell(session.page, 0, 0, "Mine");
    const dialog = session.page.getByTestId("conflict-dialog");
    await dialog.waitFor({ timeout: 30_000 });
    expect(await session.page.getByTestId("conflict-theirs").textContent()).toBe("Theirs");
    expect(await session.page.getByTestId("conflict-mine").textContent()).toBe("Mine");
    await expectAccessible(session.page, "conflict dialog");
    await screenshot(session.page, "conflict");
    await dialog.getByRole("button", { name: "Keep mine" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await eventually("mine saved", async () => ((await savedName()) === "Mine" ? "Mine" : undefined))).toBe("Mine");
    await waitForCellText(session.page, "Mine");
  });

  it("takes theirs", async () => {
    await changeElsewhere("Theirs again");
    await editCell(session.page, 0, 0, "Mine again");
    const dialog = session.page.getByTestId("conflict-dialog");
    await dialog.waitFor({ timeout: 30_000 });
    expect(await session.page.getByTestId("conflict-theirs").textContent()).toBe("Theirs again");
    await dialog.getByRole("button", { name: "Take theirs" }).click();
    await dialog.waitFor({ state: "detached" });
    await waitForCellText(session.page, "Theirs again");
    expect(await savedName()).toBe("Theirs again");
    expect(session.errors).toEqual([]);
  });
});
