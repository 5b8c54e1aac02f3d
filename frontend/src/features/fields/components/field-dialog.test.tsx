import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FieldDialog } from "@/features/fields/components/field-dialog";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";
import type { FieldDef } from "@/types/api";

const f = (id: string, name: string, type: string, options: Record<string, unknown> = {}): FieldDef => ({
  id, table_id: "tblA", name, type, options, description: null, position: 1, read_only: false,
});
const fieldTypes = {
  types: ["single_line_text", "number", "formula", "link", "hologram"],
  details: [
    { name: "single_line_text", read_only: false, convertible: true, operators: [] },
    { name: "number", read_only: false, convertible: true, operators: [] },
    { name: "formula", read_only: true, convertible: true, operators: [] },
    { name: "link", read_only: false, convertible: false, operators: [] },
  ],
  formula_functions: [{ name: "ROUND", min_args: 1, max_args: 2, description: "" }],
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("FieldDialog", () => {
  it("previews a type change's conversion report, then converts", async () => {
    const report = {
      from_type: "single_line_text", to_type: "number", records: 3, converted: 2, failed_count: 1,
      failed: [{ record_id: "recB", value: "abc", message: "Expected a number, got 'abc'." }],
    };
    const server = fakeFetch([
      { method: "GET", path: "/field-types", body: fieldTypes },
      { method: "PATCH", path: "/fields/fldV", body: { ...f("fldV", "Value", "number", { precision: 1 }), conversion: report } },
      { method: "GET", path: "/tables/tblA/fields", body: { fields: [] } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const onSaved = vi.fn();
    const field = f("fldV", "Value", "single_line_text");
    renderWithProviders(<FieldDialog open onOpenChange={() => undefined} tableId="tblA" fields={[field]} field={field} onSaved={onSaved} />);
    const dialog = await screen.findByRole("dialog");
    await waitFor(() => expect(within(dialog).getByRole("option", { name: "Number" })).toBeInTheDocument());
    await userEvent.selectOptions(within(dialog).getByLabelText("Type"), "number");
    await userEvent.click(within(dialog).getByRole("button", { name: "Preview conversion" }));
    const preview = await within(dialog).findByTestId("conversion-report");
    expect(preview).toHaveTextContent("2 of 3 values convert; 1 cannot and will be cleared.");
    expect(preview).toHaveTextContent("abc");
    expect(onSaved).not.toHaveBeenCalled();
    const dry = server.calls.filter((c) => c.method === "PATCH");
    expect(dry).toHaveLength(1);

    // A type the web app has no group for is still offered.
    expect(within(dialog).getByRole("group", { name: "Other" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Convert to Number" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(server.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { name: "Value", type: "number", options: { precision: 0 }, description: "" },
      { name: "Value", type: "number", options: { precision: 0 }, description: "" },
    ]);
  });

  it("adds a formula field, checked by a dry run as it is typed", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/field-types", body: fieldTypes },
      { method: "POST", path: "/tables/tblA/fields", status: 201, body: { ...f("fldT", "Total", "formula", { formula: "{Qty}*2", result_type: "number" }) } },
      { method: "GET", path: "/tables/tblA/fields", body: { fields: [] } },
    ]);
    const requests: string[] = [];
    vi.stubGlobal("fetch", async (input: Request) => {
      requests.push(`${input.method} ${new URL(input.url).pathname.replace(/^\/api/, "")}${new URL(input.url).search}`);
      const body = input.method === "POST" ? ((await input.clone().json()) as { options: { formula: string } }) : null;
      if (body && body.options.formula.includes("Nope")) {
        return new Response(JSON.stringify({ error: { code: "validation_failed", message: "Unknown field {Nope}.", details: null } }), {
          status: 422,
          headers: { "content-type": "application/json" },
        });
      }
      return server.fetch(input);
    });
    const onSaved = vi.fn();
    renderWithProviders(<FieldDialog open onOpenChange={() => undefined} tableId="tblA" fields={[f("fldQty", "Qty", "number")]} onSaved={onSaved} />);
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("Field name"), "Total");
    await waitFor(() => expect(within(dialog).getByRole("option", { name: "Formula" })).toBeInTheDocument());
    await userEvent.selectOptions(within(dialog).getByLabelText("Type"), "formula");
    const editor = within(dialog).getByRole("combobox", { name: "Formula" });
    await userEvent.type(editor, "{{Nope}");
    expect(await within(dialog).findByTestId("formula-error")).toHaveTextContent("Unknown field {Nope}.");
    expect(requests).toContain("POST /tables/tblA/fields?dry_run=true");
    await userEvent.clear(editor);
    await userEvent.type(editor, "{{Qty}*2");
    expect(await within(dialog).findByTestId("formula-ok", {}, { timeout: 3000 })).toHaveTextContent("gives a number");
    await userEvent.click(within(dialog).getByRole("button", { name: "Add field" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(requests.filter((r) => r === "POST /tables/tblA/fields")).toHaveLength(1);
  });

  it("edits a formula with field names, not the stored IDs", async () => {
    const qty = f("fldAAAAAAAAAAAAAA", "Qty", "number");
    const total = f("fldBBBBBBBBBBBBBB", "Total", "formula", { formula: "{fldAAAAAAAAAAAAAA} * 2", result_type: "number" });
    const server = fakeFetch([
      { method: "GET", path: "/field-types", body: fieldTypes },
      { method: "PATCH", path: "/fields/fldBBBBBBBBBBBBBB", body: { ...total, dry_run: true } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<FieldDialog open onOpenChange={() => undefined} tableId="tblA" fields={[qty, total]} field={total} />);
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("combobox", { name: "Formula" })).toHaveValue("{Qty} * 2");
  });
});
