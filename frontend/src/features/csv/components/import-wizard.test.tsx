import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ImportWizard } from "@/features/csv/components/import-wizard";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("ImportWizard", () => {
  it("previews, maps columns, imports and lists the rows left out", async () => {
    const server = fakeFetch([
      { method: "GET", path: /^\/tables\/tblParts\/imports\/imp/, body: { id: "x", status: "running", phase: "writing", total_rows: 3, processed_rows: 1 } },
      {
        method: "POST",
        path: "/tables/tblParts/import",
        body: {
          import_id: "x",
          table_id: "tblParts",
          fields: [
            { column: "Name", id: "fldName", name: "Name", type: "text", created: false },
            { column: "Weight", id: "fldW", name: "Weight", type: "number", created: true },
          ],
          skipped_columns: [{ column: "Notes", reason: "not mapped" }],
          total_rows: 3,
          imported_rows: 2,
          failed_rows: 1,
          errors: [{ row: 3, column: "Weight", value: "heavy", message: "Not a number" }],
          errors_truncated: false,
        },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<ImportWizard tableId="tblParts" fields={[{ id: "fldName", name: "Name" }]} onClose={() => undefined} />);
    const file = new File(["Name,Weight,Notes\nBracket,1.5,a\nPlate,2.5 kg,b\nPin,2,c\n"], "parts.csv", { type: "text/csv" });
    await userEvent.upload(screen.getByTestId("csv-file"), file);
    const table = await screen.findByTestId("csv-preview");
    expect(within(table).getByText("Bracket")).toBeInTheDocument();
    expect(within(table).getAllByText("looks like text")).toHaveLength(3);
    expect(screen.getByLabelText("Field for Name")).toHaveValue("fldName");
    expect(screen.getByLabelText("Field for Weight")).toHaveValue("new");
    await userEvent.selectOptions(screen.getByLabelText("Field for Notes"), "skip");
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    const report = await screen.findByTestId("csv-report");
    expect(report).toHaveTextContent("2 of 3 rows imported, 1 left out");
    expect(report).toHaveTextContent("New fields: Weight (number)");
    expect(within(screen.getByTestId("csv-errors")).getByText("Not a number")).toBeInTheDocument();
    const sent = server.calls.find((c) => c.method === "POST")?.body as Record<string, unknown>;
    expect(sent.columns).toEqual({ Name: "fldName", Notes: null });
    expect(sent.create_missing_fields).toBe(true);
    expect(sent.on_error).toBe("skip");
    expect(String(sent.import_id)).toMatch(/^imp[A-Za-z0-9]{14}$/);
  });
});
