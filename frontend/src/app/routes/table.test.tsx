import { act, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes } from "react-router-dom";

import TableRoute from "@/app/routes/table";
import { sessionStore } from "@/lib/session";
import { RealtimeClient, type SocketLike } from "@/lib/ws";
import { fakeFetch, renderWithProviders } from "@/testing/render";

// The canvas grid is not under test here (and needs a real canvas).
vi.mock("@/features/grid/components/grid-view", () => ({ GridView: () => <p>grid</p> }));

const at = "2026-01-01T00:00:00Z";
const table = (name: string) => ({
  id: "tblA",
  name,
  base_id: "appA",
  role: "editor",
  created_at: at,
  description: null,
  position: 0,
  primary_field_id: null,
});

class Socket implements SocketLike {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  send() {}
  close() {}
  event(type: string) {
    const events = [{ id: Math.floor(Math.random() * 1e9), type, workspace_id: "wspA", base_id: "appA", table_id: "tblA", actor_id: "usr2", payload: {} }];
    this.onmessage?.({ data: JSON.stringify({ type: "events", events }) });
  }
}

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@x.io", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

async function setup(names: string[]) {
  let calls = 0;
  const server = fakeFetch([
    { method: "GET", path: "/tables/tblA", get body() { return table(names[Math.min(calls++, names.length - 1)] ?? "?"); } },
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
  renderWithProviders(
    <Routes>
      <Route path="/b/:baseId/t/:tableId" element={<TableRoute />} />
      <Route path="/" element={<p>home</p>} />
    </Routes>,
    { route: "/b/appA/t/tblA", realtime },
  );
  return socket;
}

describe("TableRoute", () => {
  it("shows a rename made elsewhere", async () => {
    const socket = await setup(["Parts", "Parts and jigs"]);
    expect(await screen.findByRole("heading", { level: 1, name: "Parts" })).toBeInTheDocument();
    act(() => socket.event("table.updated"));
    expect(await screen.findByRole("heading", { level: 1, name: "Parts and jigs" })).toBeInTheDocument();
  });

  it("leaves a table deleted elsewhere and says where it went", async () => {
    const socket = await setup(["Parts"]);
    await screen.findByRole("heading", { level: 1, name: "Parts" });
    act(() => socket.event("table.deleted"));
    await waitFor(() => expect(screen.getByText("home")).toBeInTheDocument());
    expect(await screen.findByText(/restored from the base's trash/)).toBeInTheDocument();
  });
});
