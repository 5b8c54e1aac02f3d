import { act, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { AttachmentExtraction } from "@/features/extraction/components/attachment-extraction";
import { jobEventKeys, useJobEvents } from "@/features/extraction/hooks/use-job-events";
import { sessionStore } from "@/lib/session";
import { RealtimeClient, type SocketLike } from "@/lib/ws";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";
const job = (status: string, error: { code: string; message: string } | null = null) => ({
  id: "job1",
  attachment_id: "att1",
  table_id: "tbl1",
  filename: "broken.dxf",
  format: "dxf",
  status,
  progress: status === "done" ? 100 : 10,
  attempts: 1,
  size: 10,
  error,
  warnings: [],
  summary: {},
  timings: {},
  created_at: at,
  started_at: at,
  finished_at: null,
});

class Socket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  send() {}
  close() {}
  jobEvent(status: string) {
    const events = [{ id: 7, type: "job.updated", workspace_id: "wsp1", base_id: "app1", table_id: "tbl1", actor_id: null, payload: { job_id: "job1", attachment_id: "att1", status, progress: 100 } }];
    this.onmessage?.({ data: JSON.stringify({ type: "events", events }) });
  }
}

function WithEvents() {
  useJobEvents("tbl1");
  return <AttachmentExtraction attachmentId="att1" tableId="tbl1" fields={[]} />;
}

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("AttachmentExtraction", () => {
  it("finds an attachment's job and shows why it failed", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/extraction-jobs", body: { jobs: [job("failed", { code: "corrupt", message: "The DXF file cannot be read." })] } },
      { method: "GET", path: "/extraction-jobs/job1", body: job("failed", { code: "corrupt", message: "The DXF file cannot be read." }) },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<AttachmentExtraction attachmentId="att1" tableId="tbl1" fields={[]} />);
    expect(await screen.findByTestId("attachment-extraction-error")).toHaveTextContent("The DXF file cannot be read.");
    expect(await screen.findByRole("button", { name: "Extraction failed" })).toBeDisabled();
    expect(server.calls[0]?.path).toBe("/extraction-jobs");
  });

  it("says so when the file was not extracted", async () => {
    vi.stubGlobal("fetch", fakeFetch([{ method: "GET", path: "/extraction-jobs", body: { jobs: [] } }]).fetch);
    renderWithProviders(<AttachmentExtraction attachmentId="att1" tableId="tbl1" fields={[]} />);
    expect(await screen.findByText("Not extracted")).toBeInTheDocument();
  });

  it("follows the job's status pushed through the WebSocket, without waiting for a poll", async () => {
    let status = "running";
    const server = fakeFetch([
      { method: "GET", path: "/extraction-jobs", get body() { return { jobs: [job(status)] }; } },
      { method: "GET", path: "/extraction-jobs/job1", get body() { return job(status); } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const socket = new Socket();
    const realtime = new RealtimeClient({ url: () => "ws://test", getToken: async () => "tok", createSocket: () => socket });
    realtime.start();
    await act(async () => undefined);
    act(() => {
      socket.readyState = 1;
      socket.onopen?.({});
    });
    renderWithProviders(<WithEvents />, { realtime });
    expect(await screen.findByRole("button", { name: "Extracting…" })).toBeDisabled();
    status = "done";
    act(() => socket.jobEvent("done"));
    // Well within the 5 s fallback poll.
    expect(await screen.findByRole("button", { name: "Results and mapping" }, { timeout: 1500 })).toBeEnabled();
    realtime.stop();
  });
});

describe("jobEventKeys", () => {
  it("names the job's and the attachment's queries for job.updated events only", () => {
    const event = { id: 1, type: "job.updated", workspace_id: null, base_id: null, table_id: "tbl1", actor_id: null, payload: { job_id: "job1", attachment_id: "att1" } };
    expect(jobEventKeys(event)).toEqual([["extraction-jobs", "job1"], ["extraction-jobs", "attachment", "att1"]]);
    expect(jobEventKeys({ ...event, type: "records.updated" })).toEqual([]);
  });
});
