import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { TableViewBar, ViewTabsBar } from "@/app/table-view-bar";
import { queryKeys } from "@/lib/query-keys";
import { sessionStore } from "@/lib/session";
import { renderWithProviders, testQueryClient } from "@/testing/render";
import type { FieldDef } from "@/types/api";

const f = (id: string, name: string, type: string): FieldDef => ({ id, table_id: "tblT", name, type, options: {}, description: null, position: 0, read_only: false });
const fields = [f("fldName", "Name", "single_line_text"), f("fldQty", "Qty", "number")];
const view = (id: string, name: string, config: Record<string, unknown> = {}) => ({
  id, table_id: "tblT", name, type: "grid", position: 0, config, created_by: null, created_at: "2026-01-01T00:00:00Z",
});
const fieldTypes = {
  types: ["single_line_text", "number"],
  details: [
    { name: "single_line_text", read_only: false, convertible: true, operators: ["contains", "is", "is_empty"] },
    { name: "number", read_only: false, convertible: true, operators: ["<", ">", "is", "is_empty"] },
  ],
  formula_operators: {},
  formula_functions: [],
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function serve(views: ReturnType<typeof view>[]) {
  const patches: { path: string; body: unknown }[] = [];
  vi.stubGlobal("fetch", async (input: Request) => {
    const path = new URL(input.url).pathname.replace(/^\/api/, "");
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
    if (input.method === "GET" && path === "/tables/tblT/views") return json({ views });
    if (input.method === "GET" && path === "/tables/tblT/fields") return json({ fields });
    if (input.method === "GET" && path === "/field-types") return json(fieldTypes);
    if (input.method === "PATCH" && path.startsWith("/views/")) {
      const body = (await input.clone().json()) as { config: Record<string, unknown> };
      patches.push({ path, body });
      const target = views.find((v) => `/views/${v.id}` === path)!;
      target.config = { ...target.config, ...body.config };
      return json(target);
    }
    throw new Error(`unexpected ${input.method} ${path}`);
  });
  return patches;
}

describe("table view bar", () => {
  it("acts on the view named in the URL: sort and hide from a field's menu", async () => {
    const patches = serve([view("viwA", "All"), view("viwB", "Mine", { hidden_fields: ["fldX"] })]);
    const queryClient = testQueryClient();
    renderWithProviders(
      <>
        <ViewTabsBar tableId="tblT" role="editor" />
        <TableViewBar tableId="tblT" baseId="appA" primaryFieldId="fldName" role="editor" />
      </>,
      { route: "/b/appA/t/tblT?view=viwB", queryClient },
    );
    expect(await screen.findByRole("button", { name: "Mine" })).toHaveAttribute("aria-current", "page");
    // Editors may not change fields, only the view.
    expect(screen.queryByTestId("add-field")).toBeNull();
    await userEvent.click(await screen.findByTestId("fields-menu"));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Qty" }));
    expect(await screen.findByRole("menuitem", { name: /Edit field/ })).toHaveAttribute("aria-disabled", "true");
    await userEvent.click(screen.getByRole("menuitem", { name: /Sort descending/ }));
    await waitFor(() => expect(patches).toEqual([{ path: "/views/viwB", body: { config: { sorts: [{ field_id: "fldQty", direction: "desc" }] } } }]));
    expect(await screen.findByTestId("sort-button")).toHaveTextContent("Sorted by 1 field");

    await userEvent.click(screen.getByTestId("fields-menu"));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Qty" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: /Hide field/ }));
    await waitFor(() => expect(patches.at(-1)).toEqual({ path: "/views/viwB", body: { config: { hidden_fields: ["fldX", "fldQty"] } } }));
    expect(queryClient.getQueryData<ReturnType<typeof view>[]>(["tables", "tblT", "views"])?.[1]?.config.hidden_fields).toEqual(["fldX", "fldQty"]);
  });

  it("opens the filter builder on a field from its menu", async () => {
    serve([view("viwA", "All")]);
    const queryClient = testQueryClient();
    queryClient.setQueryData(queryKeys.fieldTypes(), fieldTypes);
    renderWithProviders(<TableViewBar tableId="tblT" baseId="appA" primaryFieldId="fldName" role="owner" />, { route: "/b/appA/t/tblT", queryClient });
    expect(await screen.findByTestId("add-field")).toBeInTheDocument();
    await userEvent.click(await screen.findByTestId("fields-menu"));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Qty" }));
    const primaryHide = screen.queryByRole("menuitem", { name: /Hide field/ });
    expect(primaryHide).not.toHaveAttribute("aria-disabled");
    await userEvent.click(screen.getByRole("menuitem", { name: /Filter by this field/ }));
    const builder = await screen.findByTestId("filter-builder");
    expect(within(builder).getByLabelText("Field")).toHaveValue("fldQty");
  });
});
