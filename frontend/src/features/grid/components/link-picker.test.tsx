import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { LinkPicker } from "@/features/grid/components/cell-editors";
import { sessionStore } from "@/lib/session";
import { fieldDef } from "@/testing/factories";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const supplier = fieldDef("fldSupplier", "Supplier", "link", { options: { linked_table_id: "tblSuppliers" } });

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usrAda", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function suppliers(names: string[]) {
  const records = names.map((name, i) => ({ id: `recS${i}`, version: 1, created_at: "", updated_at: "", fields: { fldName: name } }));
  return fakeFetch([
    { method: "GET", path: "/tables/tblSuppliers", body: { id: "tblSuppliers", primary_field_id: "fldName" } },
    { method: "GET", path: "/tables/tblSuppliers/records", body: { records, next_cursor: null } },
  ]);
}

describe("LinkPicker", () => {
  it("is busy until the first answer, then lists the records and links the one chosen", async () => {
    const fake = suppliers(["Acme", "Hartmann Stahl"]);
    vi.stubGlobal("fetch", fake.fetch);
    const onChange = vi.fn();
    renderWithProviders(<LinkPicker field={supplier} value={null} onChange={onChange} />);
    expect(screen.getByText("Searching…")).toBeInTheDocument();
    expect(screen.getByRole("listbox")).toHaveAttribute("aria-busy", "true");
    expect(screen.queryByText("No records found.")).not.toBeInTheDocument();
    await userEvent.click(await screen.findByRole("option", { name: "Hartmann Stahl" }));
    expect(onChange).toHaveBeenCalledWith([{ id: "recS1", name: "Hartmann Stahl" }]);
    expect(screen.getByRole("listbox")).toHaveAttribute("aria-busy", "false");
  });

  it("says nothing was found, with no empty group in the list, when the table has no records", async () => {
    vi.stubGlobal("fetch", suppliers([]).fetch);
    renderWithProviders(<LinkPicker field={supplier} value={null} onChange={vi.fn()} />);
    expect(await screen.findByText("No records found.")).toBeInTheDocument();
    expect(screen.queryByText("Searching…")).not.toBeInTheDocument();
    expect(screen.queryByRole("group")).not.toBeInTheDocument();
  });
});
