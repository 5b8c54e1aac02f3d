import { QueryClientProvider } from "@tanstack/react-query";
import { renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useSaveView } from "@/features/views/hooks/use-save-view";
import { viewsKey, type View } from "@/features/views/api/views";
import { sessionStore } from "@/lib/session";
import { testQueryClient } from "@/testing/render";

const view: View = {
  id: "viwA", table_id: "tblT", name: "Grid view", type: "grid", position: 0, config: {}, created_by: null,
  created_at: "2026-01-01T00:00:00Z",
};

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("useSaveView", () => {
  it("sends quick successive saves of a view one after another, in order", async () => {
    const sent: unknown[] = [];
    let inFlight = 0;
    let overlapped = false;
    vi.stubGlobal("fetch", async (input: Request) => {
      const body = JSON.parse(await input.clone().text()) as { config: Record<string, unknown> };
      inFlight += 1;
      overlapped ||= inFlight > 1;
      sent.push(body.config);
      // The first save is the slowest to answer: without ordering the later ones would overtake it.
      await new Promise((resolve) => setTimeout(resolve, sent.length === 1 ? 60 : 5));
      inFlight -= 1;
      return new Response(JSON.stringify({ ...view, config: body.config }), { status: 200, headers: { "content-type": "application/json" } });
    });
    const queryClient = testQueryClient();
    queryClient.setQueryData(viewsKey("tblT"), [view]);
    const { result } = renderHook(() => useSaveView("tblT"), {
      wrapper: ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>,
    });
    const saves = [
      result.current(view, { config: { sorts: [{ field: "fldA", direction: "asc" }] } }),
      result.current(view, { config: { sorts: [{ field: "fldB", direction: "asc" }] } }),
      result.current(view, { config: { sorts: [{ field: "fldB", direction: "desc" }] } }),
    ];
    await Promise.all(saves);
    expect(overlapped).toBe(false);
    expect(sent).toEqual([
      { sorts: [{ field: "fldA", direction: "asc" }] },
      { sorts: [{ field: "fldB", direction: "asc" }] },
      { sorts: [{ field: "fldB", direction: "desc" }] },
    ]);
    expect(queryClient.getQueryData<View[]>(viewsKey("tblT"))?.[0]?.config).toEqual({ sorts: [{ field: "fldB", direction: "desc" }] });
  });
});
