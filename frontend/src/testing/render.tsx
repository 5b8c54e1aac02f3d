// Render helpers for component tests: the app's providers around a component, with a fresh query
// client (no retries), a memory router, and a realtime client whose socket never connects.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, type RenderResult } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter } from "react-router-dom";

import { Toaster } from "@/components/ui/toaster";
import { TooltipProvider } from "@/components/ui/tooltip";
import { RealtimeProvider } from "@/hooks/use-realtime";
import { RealtimeClient, type SocketLike } from "@/lib/ws";

export function testQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } } });
}

const inertSocket = (): SocketLike => ({
  readyState: 0,
  onopen: null,
  onclose: null,
  onerror: null,
  onmessage: null,
  send: () => undefined,
  close: () => undefined,
});

export function renderWithProviders(
  ui: ReactElement,
  {
    route = "/",
    queryClient = testQueryClient(),
    realtime = new RealtimeClient({ url: () => "ws://test", getToken: async () => null, createSocket: inertSocket }),
  }: { route?: string; queryClient?: QueryClient; realtime?: RealtimeClient } = {},
): RenderResult & { queryClient: QueryClient } {
  const result = render(
    <QueryClientProvider client={queryClient}>
      <RealtimeProvider client={realtime}>
        <TooltipProvider>
          <MemoryRouter initialEntries={[route]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>{ui}</MemoryRouter>
          <Toaster />
        </TooltipProvider>
      </RealtimeProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient };
}

export interface FakeRoute {
  method: string;
  path: string | RegExp;
  status?: number;
  body?: unknown;
}

/** A fetch answering from a list of routes; unanswered requests fail the test loudly. */
export function fakeFetch(routes: FakeRoute[]): { fetch: (input: Request) => Promise<Response>; calls: { method: string; path: string; body: unknown }[] } {
  const calls: { method: string; path: string; body: unknown }[] = [];
  return {
    calls,
    fetch: async (input: Request) => {
      const url = new URL(input.url);
      const path = url.pathname.replace(/^\/api/, "");
      const text = await input.clone().text();
      const body: unknown = text ? JSON.parse(text) : null;
      calls.push({ method: input.method, path, body });
      const route = routes.find((r) => r.method === input.method && (typeof r.path === "string" ? r.path === path : r.path.test(path)));
      if (!route) throw new Error(`unexpected request ${input.method} ${path}`);
      const status = route.status ?? 200;
      return new Response(status === 204 ? null : JSON.stringify(route.body ?? {}), {
        status,
        headers: { "content-type": "application/json" },
      });
    },
  };
}
