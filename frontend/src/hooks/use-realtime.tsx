// The React side of the WebSocket client: one RealtimeClient for the signed-in session, started on
// sign-in and stopped on sign-out, and hooks for features to listen to a table or base.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";

import { useSession } from "@/hooks/use-session";
import { auth } from "@/lib/api/client";
import { websocketUrl } from "@/lib/config";
import { RealtimeClient, type ConnectionStatus, type PresenceUser, type ScopeListener } from "@/lib/ws";

const RealtimeContext = createContext<RealtimeClient | null>(null);

export function RealtimeProvider({ children, client: given }: { children: ReactNode; client?: RealtimeClient }) {
  const [client] = useState(
    () => given ?? new RealtimeClient({ url: websocketUrl, getToken: auth.accessToken, renewToken: auth.refresh }),
  );
  const { status, session } = useSession();
  const userId = session?.user?.id ?? null;
  const accessToken = session?.accessToken ?? null;
  const lastUser = useRef<string | null>(null);

  useEffect(() => {
    if (status === "active") {
      if (lastUser.current !== null && lastUser.current !== userId) client.reconnectNow();
      lastUser.current = userId;
      client.start();
    } else if (status === "signed-out") {
      client.stop();
    }
    // "expired": leave the socket alone; it reconnects with the new token after re-sign-in.
  }, [client, status, userId]);

  // A new token (re-sign-in, rotation) lets a client that was waiting for credentials connect again.
  useEffect(() => {
    if (status === "active" && accessToken) client.resume();
  }, [client, status, accessToken]);

  // Back online or back to the tab (after sleep): reconnect or check the socket now, not after backoff.
  useEffect(() => {
    const nudge = () => {
      if (document.visibilityState === "visible") client.nudge();
    };
    window.addEventListener("online", nudge);
    document.addEventListener("visibilitychange", nudge);
    return () => {
      window.removeEventListener("online", nudge);
      document.removeEventListener("visibilitychange", nudge);
    };
  }, [client]);

  useEffect(() => () => client.stop(), [client]);

  return <RealtimeContext.Provider value={client}>{children}</RealtimeContext.Provider>;
}

export function useRealtime(): RealtimeClient {
  const client = useContext(RealtimeContext);
  if (!client) throw new Error("useRealtime must be used inside RealtimeProvider");
  return client;
}

export function useConnectionStatus(): ConnectionStatus {
  const client = useRealtime();
  return useSyncExternalStore(
    (listener) => client.onStatusChange(listener),
    () => client.getStatus(),
    () => client.getStatus(),
  );
}

/**
 * Listen to a table's change events. Unless the listener handles it, `refetch`/`resync` invalidates
 * every query whose key contains the table id, so lists reload after a gap the server cannot replay.
 */
export function useTableEvents(tableId: string | undefined, listener: ScopeListener): void {
  const client = useRealtime();
  const queryClient = useQueryClient();
  const ref = useRef(listener);
  ref.current = listener;

  useEffect(() => {
    if (!tableId) return undefined;
    return client.subscribeTable(tableId, {
      onEvent: (event) => ref.current.onEvent?.(event),
      onPresence: (users) => ref.current.onPresence?.(users),
      onUnsubscribed: (reason) => ref.current.onUnsubscribed?.(reason),
      onRefetch: (reason) => {
        if (ref.current.onRefetch) ref.current.onRefetch(reason);
        else void queryClient.invalidateQueries({ predicate: (query) => query.queryKey.includes(tableId) });
      },
    });
  }, [client, queryClient, tableId]);
}

/** Same for a base (tables created, renamed, deleted). */
export function useBaseEvents(baseId: string | undefined, listener: ScopeListener): void {
  const client = useRealtime();
  const queryClient = useQueryClient();
  const ref = useRef(listener);
  ref.current = listener;

  useEffect(() => {
    if (!baseId) return undefined;
    return client.subscribeBase(baseId, {
      onEvent: (event) => ref.current.onEvent?.(event),
      onUnsubscribed: (reason) => ref.current.onUnsubscribed?.(reason),
      onRefetch: (reason) => {
        if (ref.current.onRefetch) ref.current.onRefetch(reason);
        else void queryClient.invalidateQueries({ predicate: (query) => query.queryKey.includes(baseId) });
      },
    });
  }, [client, queryClient, baseId]);
}

/** Who else is on a table (and on which cell), kept current by presence messages. */
export function usePresence(tableId: string | undefined): PresenceUser[] {
  const client = useRealtime();
  const [users, setUsers] = useState<PresenceUser[]>([]);
  useEffect(() => {
    if (!tableId) return undefined;
    setUsers([]);
    client.setPresence({ tableId });
    const unsubscribe = client.subscribeTable(tableId, { onPresence: setUsers });
    return () => {
      unsubscribe();
      client.setPresence(null);
    };
  }, [client, tableId]);
  return users;
}
