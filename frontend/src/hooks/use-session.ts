import { useSyncExternalStore } from "react";

import { sessionStore, type SessionState } from "@/lib/session";

/** The current session and its status; re-renders on sign-in, rotation, expiry and sign-out. */
export function useSession(): SessionState {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getState, sessionStore.getState);
}
