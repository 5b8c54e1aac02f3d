import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { orderWithInserted } from "@/app/grid-header-menu";
import { TableViewBar } from "@/app/table-view-bar";
import type { HeaderMenuRequest } from "@/features/grid/components/grid-view";
import { queryKeys } from "@/lib/query-keys";
import { sessionStore } from "@/lib/session";
import { renderWithProviders, testQueryClient } from "@/testing/render";
import type { FieldDef } from "@/types/api";

const f = (id: string, name: string, type: string): FieldDef => ({ id, table_id: "tblT", name, type, options: {}, description: null, position: 0, read_only: false });
const fieldTypes = {
  types: ["single_line_text", "number"],
  details: [
    { name: "single_line_text", read_only: false, convertible: true, operators: ["contains", "is", "is_empty"] },
    { name: "number", read_only: false, convertible: true, operators: ["<", ">", "is", "is_empty"] },
  ],
  formula_operators: {},
  formula_functions: [],
};

interface Call {
  method: string;
  path: string;
  body: unknown;
}

function serve() {
  const fields = [f("fldName", "Name", "single_line_text"), f("fldQty", "Qty", "number"), f("fldNote", "Note", "single_line_text")];
  const views = [{ id: "viwA", table_id: "tblT", name: "All", type: "grid", position: 0, config: {} as Record<string, unknown>, created_by: null, created_at: "2026-01-01T00:00:00Z" }];
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: Request) => {
    const path = new URL(input.url).pathname.replace(/^\/api/, "");
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    const body = input.method === "GET" ? null : ((await input.clone().json().catch(() => null)) as Record<string, unknown> | null);
    if (input.method !== "GET") calls.push({ method: input.method, path, body });
    if (input.method === "GET" && path === "/tables/tblT/views") return json({ views });
    if (input.method === "GET" && path === "/tables/tblT/fields") return json({ fields });
    if (input.method === "GET" && path === "/field-types") return json(fieldTypes);
    if (input.method === "PATCH" && path === "/views/viwA") {
      views[0]!.config = { ...views[0]!.config, ...((body?.config as Record<string, unknown>) ?? {}) };
      return json(views[0]);
    }
    if (input.method === "POST" && path === "/tables/tblT/fields") {
      const created = f("fldNew", String(body?.name), String(body?.type));
      fields.push(created);
      return json(created, 201);
    }
    if (input.method === "PATCH" && path === "/fields/fldQty") {
      fields[1] = { ...fields[1]!, name: String(body?.name) };
      return json(fields[1]);
    }
    if (input.method === "DELETE" && path === "/fields/fldQty") return new Response(null, { status: 204 });
    throw new Error(`unexpected ${input.method} ${path}`);
  });
  return calls;
}

const request: HeaderMenuRequest = { fieldId: "fldQty", columnIds: ["fldName", "fldQty", "fldNote"], bounds: { x: 10, y: 10, width: 100, height: 30 } };

function renderMenu(menu: HeaderMenuRequest | null, onClose = () => undefined) {
  const queryClient = testQueryClient();
  queryClient.setQueryData(queryKeys.fieldTypes(), fieldTypes);
  return renderWithProviders(
    <TableViewBar tableId="tblT" baseId="appA" primaryFieldId="fldName" role="owner" headerMenu={menu} onHeaderMenuClose={onClose} />,
    { route: "/b/appA/t/tblT", queryClient },
  );
}

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("orderWithInserted", () => {
  it("places the new field beside the anchor, the primary field staying out of the order", () => {
    expect(orderWithInserted(["p", "a", "b"], "a", "left", "n")).toEqual(["n", "a", "b"]);
    expect(orderWithInserted(["p", "a", "b"], "a", "right", "n")).toEqual(["a", "n", "b"]);
    expect(orderWithInserted(["p", "a", "b"], "p", "right", "n")).toEqual(["n", "a", "b"]);
    expect(orderWithInserted(["p", "a", "b", "n"], "b", "left", "n")).toEqual(["a", "n", "b"]);
  });
});

describe("grid header menu", () => {
  it("sorts through the view, labelled for the field's type", async () => {
    const calls = serve();
    renderMenu(request);
    const menu = await screen.findByTestId("header-menu");
    expect(menu).toHaveTextContent("Qty");
    await userEvent.click(await screen.findByRole("menuitem", { name: /Sort 9 → 1/ }));
    await waitFor(() => expect(calls).toEqual([{ method: "PATCH", path: "/views/viwA", body: { config: { sorts: [{ field_id: "fldQty", direction: "desc" }] } } }]));
  });

  it("groups by the field", async () => {
    const calls = serve();
    renderMenu(request);
    await userEvent.click(await screen.findByRole("menuitem", { name: /Group by this field/ }));
    await waitFor(() => expect(calls.at(-1)).toEqual({ method: "PATCH", path: "/views/viwA", body: { config: { group_by: [{ field_id: "fldQty", direction: "asc" }] } } }));
  });

  it("hides the field", async () => {
    const calls = serve();
    renderMenu(request);
    await userEvent.click(await screen.findByRole("menuitem", { name: /Hide field/ }));
    await waitFor(() => expect(calls.at(-1)).toEqual({ method: "PATCH", path: "/views/viwA", body: { config: { hidden_fields: ["fldQty"] } } }));
  });

  it("renames the field", async () => {
    const calls = serve();
    renderMenu(request);
    await userEvent.click(await screen.findByRole("menuitem", { name: /Rename field/ }));
    const input = await screen.findByLabelText("Field name");
    await userEvent.clear(input);
    await userEvent.type(input, "Quantity{Enter}");
    await waitFor(() => expect(calls).toEqual([{ method: "PATCH", path: "/fields/fldQty", body: { name: "Quantity" } }]));
  });

  it("inserts a field right of the column and saves it there in the view's order", async () => {
    const calls = serve();
    renderMenu(request);
    await userEvent.click(await screen.findByRole("menuitem", { name: /Insert right/ }));
    const dialog = await screen.findByTestId("field-dialog");
    await userEvent.type(screen.getByLabelText("Field name"), "Weight");
    await userEvent.click(screen.getByRole("button", { name: "Add field" }));
    await waitFor(() => expect(calls.at(-1)).toEqual({ method: "PATCH", path: "/views/viwA", body: { config: { field_order: ["fldQty", "fldNew", "fldNote"] } } }));
    expect(calls[0]).toMatchObject({ method: "POST", path: "/tables/tblT/fields", body: { name: "Weight" } });
    expect(dialog).not.toBeInTheDocument();
  });

  it("deletes the field after confirmation", async () => {
    const calls = serve();
    renderMenu(request);
    await userEvent.click(await screen.findByRole("menuitem", { name: /Delete field/ }));
    expect(calls).toEqual([]);
    await userEvent.click(await screen.findByTestId("confirm-delete-field"));
    await waitFor(() => expect(calls).toEqual([{ method: "DELETE", path: "/fields/fldQty", body: null }]));
  });

  it("cannot insert left of the primary field", async () => {
    serve();
    renderMenu({ ...request, fieldId: "fldName" });
    expect(await screen.findByRole("menuitem", { name: /Insert left/ })).toHaveAttribute("aria-disabled", "true");
    expect(screen.getByRole("menuitem", { name: /Sort A → Z/ })).toBeInTheDocument();
  });
});
