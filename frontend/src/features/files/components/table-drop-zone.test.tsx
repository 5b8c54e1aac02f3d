import { act, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { TableDropZone, type CellDrops } from "@/features/files/components/table-drop-zone";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders, type FakeRoute } from "@/testing/render";

const limits = {
  max_bytes: 1000,
  kinds: [{ extension: ".dxf", content_type: "image/vnd.dxf", accepted: [], extracted: true }],
};

const field = (id: string, name: string, type: string, position: number) => ({ id, name, type, position });
const NAME = field("fldName", "Name", "text", 0);

/** The presigned PUT: S3 answers 200 after reporting half of the bytes. */
class FakeXhr {
  static puts: string[] = [];
  /** What S3 answers the PUT. */
  static status = 200;
  upload: { onprogress: ((event: { loaded: number; lengthComputable: boolean }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  private url = "";
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  send() {
    FakeXhr.puts.push(this.url);
    setTimeout(() => {
      this.upload.onprogress?.({ loaded: 2, lengthComputable: true });
      this.status = FakeXhr.status;
      this.onload?.();
    }, 0);
  }
}

function routes(extra: FakeRoute[] = []): FakeRoute[] {
  let records = 0;
  return [
    { method: "GET", path: "/uploads/limits", body: limits },
    ...extra,
    {
      method: "POST",
      path: "/tables/tbl1/records",
      status: 201,
      get body() {
        records += 1;
        return { id: `recNew${records}`, fields: {}, version: 1 };
      },
    },
    { method: "POST", path: "/uploads", status: 201, body: { attachment_id: "att1", upload: { method: "PUT", url: "http://s3.test/put", headers: {} } } },
    { method: "POST", path: "/uploads/att1/complete", body: { id: "att1", job_id: "job1" } },
    { method: "GET", path: "/extraction-jobs/job1", body: { id: "job1", status: "running", progress: 40, error: null } },
  ];
}

function drop(target: HTMLElement, files: File[]) {
  const dataTransfer = { files, types: ["Files"] };
  fireEvent.dragOver(target, { dataTransfer });
  fireEvent.drop(target, { dataTransfer });
}

const dxf = (name: string, size = 4) => new File(["x".repeat(size)], name);

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
  FakeXhr.puts = [];
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function renderZone(fields: ReturnType<typeof field>[], server: ReturnType<typeof fakeFetch>, onDrops?: (drops: CellDrops) => void) {
  vi.stubGlobal("fetch", server.fetch);
  return renderWithProviders(
    <TableDropZone tableId="tbl1" primaryFieldId="fldName" fields={fields} canEdit>
      {(drops) => {
        onDrops?.(drops);
        return <div>the grid</div>;
      }}
    </TableDropZone>,
  );
}

describe("TableDropZone", () => {
  it("creates one record per file into the only attachment field, refuses oversized files before sending", async () => {
    const server = fakeFetch(routes());
    renderZone([NAME, field("fldFiles", "Files", "attachment", 1)], server);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    drop(screen.getByTestId("table-drop-zone"), [dxf("bracket.dxf"), dxf("huge.dxf", 5000)]);
    const tray = await screen.findByTestId("upload-tray");
    await vi.waitFor(() => expect(within(tray).getAllByTestId("upload-item").map((i) => i.dataset.status)).toEqual(["done", "refused"]));
    expect(within(tray).getByText(/uploads are limited to 1000 B/)).toBeInTheDocument();
    expect(within(tray).getByRole("progressbar", { name: "Upload of bracket.dxf" })).toHaveAttribute("aria-valuenow", "100");
    expect(await within(tray).findByTestId("extraction-running")).toHaveTextContent("running (40%)");
    const created = server.calls.filter((c) => c.method === "POST" && c.path === "/tables/tbl1/records");
    expect(created.map((c) => c.body)).toEqual([{ fields: { fldName: "bracket" }, typecast: true }]);
    expect(server.calls.find((c) => c.path === "/uploads")?.body).toMatchObject({ table_id: "tbl1", record_id: "recNew1", field_id: "fldFiles", filename: "bracket.dxf" });
    expect(FakeXhr.puts).toEqual(["http://s3.test/put"]);
  });

  it("sends the record made for a file to the trash when the file then fails to reach S3", async () => {
    const server = fakeFetch(routes([{ method: "DELETE", path: "/tables/tbl1/records/recNew1", body: { id: "recNew1", deleted: true } }]));
    renderZone([NAME, field("fldFiles", "Files", "attachment", 1)], server);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    FakeXhr.status = 403;
    try {
      drop(screen.getByTestId("table-drop-zone"), [dxf("bracket.dxf")]);
      await vi.waitFor(() => expect(screen.getByTestId("upload-item").dataset.status).toBe("failed"));
    } finally {
      FakeXhr.status = 200;
    }
    expect(screen.getByTestId("upload-item")).toHaveTextContent("HTTP 403");
    expect(server.calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/tables/tbl1/records/recNew1"]);
  });

  it("puts files dropped on an attachment cell into that record, without a new record", async () => {
    const server = fakeFetch(routes());
    let drops: CellDrops | undefined;
    renderZone([NAME, field("fldFiles", "Files", "attachment", 1)], server, (d) => (drops = d));
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    // The grid takes the drop first (a native listener), then the same drop reaches the page.
    act(() => drops?.dropOnCell("recOld", "fldFiles", [dxf("cell.dxf")]));
    drop(screen.getByTestId("table-drop-zone"), [dxf("cell.dxf")]);
    await vi.waitFor(() => expect(screen.getByTestId("upload-item").dataset.status).toBe("done"));
    expect(screen.getAllByTestId("upload-item")).toHaveLength(1);
    expect(server.calls.some((c) => c.path === "/tables/tbl1/records")).toBe(false);
    expect(server.calls.find((c) => c.path === "/uploads")?.body).toMatchObject({ record_id: "recOld", field_id: "fldFiles" });
  });

  it("asks which attachment field when there are several", async () => {
    const server = fakeFetch(routes());
    renderZone([NAME, field("fldA", "Sketches", "attachment", 2), field("fldB", "Drawings", "attachment", 1)], server);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    drop(screen.getByTestId("table-drop-zone"), [dxf("plate.dxf")]);
    const dialog = await screen.findByTestId("table-drop-dialog");
    expect(within(dialog).getAllByRole("button", { name: /Drawings|Sketches/ }).map((b) => b.textContent)).toEqual(["Drawings", "Sketches"]);
    await userEvent.click(within(dialog).getByRole("button", { name: "Sketches" }));
    await vi.waitFor(() => expect(screen.getByTestId("upload-item").dataset.status).toBe("done"));
    expect(server.calls.find((c) => c.path === "/uploads")?.body).toMatchObject({ field_id: "fldA", record_id: "recNew1" });
  });

  it("offers to create an attachment field when there is none, and shows a refusal", async () => {
    const server = fakeFetch(routes([{ method: "POST", path: "/tables/tbl1/fields", status: 403, body: { error: { code: "forbidden", message: "Only admins can add fields.", details: null } } }]));
    renderZone([NAME], server);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    drop(screen.getByTestId("table-drop-zone"), [dxf("plate.dxf")]);
    const dialog = await screen.findByTestId("table-drop-dialog");
    expect(dialog).toHaveTextContent("Create the field “Drawings”");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create field and upload" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Only admins can add fields.");
    expect(server.calls.find((c) => c.path === "/tables/tbl1/fields")?.body).toEqual({ name: "Drawings", type: "attachment", options: {} });
    expect(server.calls.some((c) => c.path === "/uploads")).toBe(false);
  });

  it("creates the field, then uploads into it", async () => {
    const server = fakeFetch(routes([{ method: "POST", path: "/tables/tbl1/fields", status: 201, body: { id: "fldNew", name: "Drawings" } }]));
    renderZone([NAME], server);
    await vi.waitFor(() => expect(server.calls.some((c) => c.path === "/uploads/limits")).toBe(true));
    drop(screen.getByTestId("table-drop-zone"), [dxf("plate.dxf")]);
    await userEvent.click(await screen.findByRole("button", { name: "Create field and upload" }));
    await vi.waitFor(() => expect(screen.getByTestId("upload-item").dataset.status).toBe("done"));
    expect(server.calls.find((c) => c.path === "/uploads")?.body).toMatchObject({ field_id: "fldNew" });
  });
});
