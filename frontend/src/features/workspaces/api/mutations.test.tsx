import { QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useReorderTables } from "@/features/workspaces/api/mutations";
import { moveItem } from "@/features/workspaces/lib/order";
import { queryKeys } from "@/lib/query-keys";
import { sessionStore } from "@/lib/session";
import { fakeFetch, testQueryClient } from "@/testing/render";
import type { Table } from "@/types/api";

const table = (id: string, position: number): Table => ({
  id,
  name: id,
  base_id: "appA",
  role: "admin",
  created_at: "2026-01-01T00:00:00Z",
  description: null,
  position,
  primary_field_id: null,
});

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, null);
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("useReorderTables", () => {
  const tables = [table("t1", 0), table("t2", 1), table("t3", 2)];

  // What the server lists after the writes (or, when they fail, still the old order).
  function setup(status: number, listed: Table[] = tables) {
    const server = fakeFetch([
      { method: "PATCH", path: /^\/tables\/t\d$/, status, body: status === 200 ? {} : { error: { code: "forbidden", message: "No.", details: null } } },
      { method: "GET", path: "/bases/appA/tables", body: listed },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const queryClient = testQueryClient();
    queryClient.setQueryData(queryKeys.tables("appA"), tables);
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
    const { result } = renderHook(() => useReorderTables(), { wrapper });
    return { server, queryClient, result };
  }

  it("shows the new order at once and writes every moved position", async () => {
    const moved = moveItem(tables, 2, 0);
    const { server, queryClient, result } = setup(
      200,
      moved.map((t, position) => ({ ...t, position })),
    );
    act(() => result.current.mutate({ baseId: "appA", ordered: moved }));
    await waitFor(() => expect(queryClient.getQueryData<Table[]>(queryKeys.tables("appA"))?.map((t) => t.id)).toEqual(["t3", "t1", "t2"]));
    await waitFor(() => expect(result.current.isSuccess).toBe(true));
    const writes = server.calls.filter((c) => c.method === "PATCH").map((c) => [c.path, c.body]);
    expect(writes).toEqual([
      ["/tables/t3", { position: 0 }],
      ["/tables/t1", { position: 1 }],
      ["/tables/t2", { position: 2 }],
    ]);
  });

  it("puts the old order back when a write fails", async () => {
    const { queryClient, result } = setup(403);
    act(() => result.current.mutate({ baseId: "appA", ordered: moveItem(tables, 0, 1) }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(queryClient.getQueryData<Table[]>(queryKeys.tables("appA"))?.map((t) => t.id)).toEqual(["t1", "t2", "t3"]);
  });
});
