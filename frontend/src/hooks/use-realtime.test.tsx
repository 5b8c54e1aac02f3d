import { QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { RealtimeProvider, useConnectionStatus, useTableEvents } from "@/hooks/use-realtime";
import { sessionStore } from "@/lib/session";
import { RealtimeClient, type SocketLike } from "@/lib/ws";
import { testQueryClient } from "@/testing/render";

class Socket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
}

afterEach(() => sessionStore.signOut());

function Probe({ tableId }: { tableId: string }) {
  useTableEvents(tableId, {});
  return <p data-testid="status">{useConnectionStatus()}</p>;
}

const flush = () => act(() => new Promise((resolve) => setTimeout(resolve, 0)));

describe("RealtimeProvider", () => {
  it("connects when signed in, refetches the table's queries on refetch, and closes on sign-out", async () => {
    const sockets: Socket[] = [];
    const client = new RealtimeClient({
      url: () => "ws://test/ws",
      getToken: async () => sessionStore.getState().session?.accessToken ?? null,
      createSocket: (url) => {
        const socket = new Socket(url);
        sockets.push(socket);
        return socket;
      },
    });
    const queryClient = testQueryClient();
    queryClient.setQueryData(["tables", "tblA", "records", {}], { records: [] });
    queryClient.setQueryData(["tables", "tblB", "records", {}], { records: [] });

    render(
      <QueryClientProvider client={queryClient}>
        <RealtimeProvider client={client}>
          <Probe tableId="tblA" />
        </RealtimeProvider>
      </QueryClientProvider>,
    );
    await flush();
    expect(sockets).toHaveLength(0);

    act(() => sessionStore.signIn({ access_token: "acc", refresh_token: "ref", expires_in: 900 }, { id: "usr1", email: "a@b.co", name: "A" }));
    await flush();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe("ws://test/ws?token=acc");
    act(() => {
      sockets[0]!.readyState = 1;
      sockets[0]!.onopen?.({});
    });
    expect(screen.getByTestId("status")).toHaveTextContent("open");
    expect(sockets[0]!.sent).toEqual([{ action: "subscribe", table_id: "tblA" }]);

    act(() => sockets[0]!.onmessage?.({ data: JSON.stringify({ type: "refetch", scope: "table", table_id: "tblA", reason: "gap" }) }));
    expect(queryClient.getQueryState(["tables", "tblA", "records", {}])?.isInvalidated).toBe(true);
    expect(queryClient.getQueryState(["tables", "tblB", "records", {}])?.isInvalidated).toBe(false);

    act(() => sessionStore.signOut());
    await flush();
    expect(sockets[0]!.closed).toBe(true);
    expect(screen.getByTestId("status")).toHaveTextContent("closed");
  });
});
