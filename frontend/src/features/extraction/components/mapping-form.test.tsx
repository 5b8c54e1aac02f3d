import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { MappingForm } from "@/features/extraction/components/mapping-form";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("MappingForm", () => {
  it("previews the records with the chosen fields and runs the mapping", async () => {
    const server = fakeFetch([
      {
        method: "GET",
        path: "/extraction-jobs/job1/mapping",
        body: {
          table_id: "tblParts",
          source: "bom",
          sources: { bom: 2, dimensions: 0 },
          columns: [
            { source: "Part", field: "Name", field_id: "fldName", type: "text", exists: true },
            { source: "Qty", field: "Qty", field_id: null, type: "number", options: {}, exists: false },
          ],
          options: {},
          row_count: 2,
          preview: [
            { Part: "Bracket", Qty: 2 },
            { Part: "Pin", Qty: 8 },
          ],
        },
      },
      { method: "POST", path: "/extraction-jobs/job1/mapping", status: 201, body: { id: "map1", job_id: "job1", table_id: "tblParts", source: "bom", record_ids: ["recA", "recB"], created_fields: ["fldQty"], created_at: "2026-01-01T00:00:00Z" } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const done = vi.fn();
    renderWithProviders(<MappingForm jobId="job1" tableId="tblParts" fields={[{ id: "fldName", name: "Name", type: "text" }]} onDone={done} />);
    const preview = await screen.findByTestId("mapping-preview");
    expect(within(preview).getByText("Bracket")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("New field name for Qty"));
    await userEvent.type(screen.getByLabelText("New field name for Qty"), "Quantity");
    expect(within(screen.getByTestId("mapping-preview")).getByText("Quantity")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Create 2 records" }));
    expect(await screen.findByTestId("mapping-done")).toHaveTextContent("2 records created.");
    expect(done).toHaveBeenCalledWith(["recA", "recB"]);
    const sent = server.calls.find((c) => c.method === "POST")?.body as { columns: unknown[]; create_missing_fields: boolean };
    expect(sent.columns).toEqual([
      { source: "Part", field: "fldName" },
      { source: "Qty", field: "Quantity", type: "number", options: {} },
    ]);
    expect(sent.create_missing_fields).toBe(true);
  });
});
