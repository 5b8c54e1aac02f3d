import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes } from "react-router-dom";

import { RecordPanelFromUrl } from "@/app/record-panel-from-url";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";
const field = (id: string, name: string, type: string, position: number) => ({ id, table_id: "tblA", name, type, options: {}, description: null, position, read_only: false });
const job = { id: "job1", attachment_id: "attOld", table_id: "tblA", filename: "old.dxf", format: "dxf", status: "done", progress: 100, attempts: 1, size: 10, error: null, warnings: [], summary: {}, timings: {}, created_at: at, started_at: at, finished_at: at };

class FakeXhr {
  upload: { onprogress: ((event: { loaded: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  open() {}
  setRequestHeader() {}
  send() {
    setTimeout(() => {
      this.status = 200;
      this.onload?.();
    }, 0);
  }
}

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usrAda", email: "ada@example.com", name: "Ada" });
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("the record panel with drawings", () => {
  it("finds the extraction of a file uploaded earlier, and uploads files dropped anywhere on the panel into the first attachment field", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/tables/tblA", body: { id: "tblA", name: "Parts", base_id: "appA", role: "editor", primary_field_id: "fldName", created_at: at, description: null, position: 0 } },
      { method: "GET", path: "/bases/appA", body: { id: "appA", name: "B", workspace_id: "wspA", role: "editor", created_at: at } },
      { method: "GET", path: "/workspaces/wspA/members", body: [] },
      { method: "GET", path: "/tables/tblA/fields", body: { fields: [field("fldName", "Name", "text", 0), field("fldSketch", "Sketches", "attachment", 2), field("fldDwg", "Drawings", "attachment", 1)] } },
      {
        method: "GET",
        path: "/tables/tblA/records/recA",
        body: { id: "recA", version: 1, created_at: at, updated_at: at, fields: { fldName: "Plate", fldDwg: [{ id: "attOld", filename: "old.dxf", type: "image/vnd.dxf", size: 10 }] } },
      },
      { method: "GET", path: "/tables/tblA/records/recA/history", body: { record_id: "recA", created_at: at, created_by: "usrAda", next_before: null, entries: [] } },
      { method: "GET", path: "/extraction-jobs", body: { jobs: [job] } },
      { method: "GET", path: "/extraction-jobs/job1", body: job },
      { method: "GET", path: "/uploads/limits", body: { max_bytes: 1000, kinds: [{ extension: ".dxf", content_type: "image/vnd.dxf", accepted: [], extracted: true }] } },
      { method: "POST", path: "/uploads", status: 201, body: { attachment_id: "attNew", upload: { method: "PUT", url: "http://s3.test/put", headers: {} } } },
      { method: "POST", path: "/uploads/attNew/complete", body: { id: "attNew", job_id: null } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(
      <Routes>
        <Route path="*" element={<RecordPanelFromUrl />} />
      </Routes>,
      { route: "/b/appA/t/tblA?open=recA" },
    );
    const panel = await screen.findByRole("dialog", { name: "Plate" });
    const item = await within(panel).findByTestId("attachment-item");
    expect(await within(item).findByRole("button", { name: "Results and mapping" })).toBeEnabled();
    expect(server.calls.find((c) => c.path === "/extraction-jobs")).toBeDefined();
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));

    // Dropped on the panel's title, not on a field's drop area.
    const title = within(panel).getByRole("heading", { name: "Plate" });
    const dataTransfer = { files: [new File(["abcd"], "new.dxf")], types: ["Files"] };
    fireEvent.dragOver(title, { dataTransfer });
    fireEvent.drop(title, { dataTransfer });
    await vi.waitFor(() => expect(within(panel).getByTestId("upload-item").dataset.status).toBe("done"));
    expect(within(within(panel).getByRole("region", { name: "Drawings" })).getByTestId("upload-item")).toHaveTextContent("new.dxf");
    expect(server.calls.filter((c) => c.path === "/uploads").map((c) => c.body)).toEqual([
      expect.objectContaining({ record_id: "recA", field_id: "fldDwg", filename: "new.dxf" }),
    ]);
  });
});
