import { api, unwrap } from "@/lib/api/client";
import { sessionStore } from "@/lib/session";
import type { User } from "@/types/api";

export interface Credentials {
  email: string;
  password: string;
}

export async function signIn(credentials: Credentials): Promise<User> {
  const session = await unwrap(api.POST("/auth/login", { body: credentials }));
  sessionStore.signIn(session, { id: session.user.id, email: session.user.email, name: session.user.name });
  return session.user;
}

export async function signUp(input: Credentials & { name: string }): Promise<User> {
  const session = await unwrap(api.POST("/auth/register", { body: input }));
  sessionStore.signIn(session, { id: session.user.id, email: session.user.email, name: session.user.name });
  return session.user;
}

/** Revoke the refresh token on the server (best effort) and forget the session here. */
export async function signOut(): Promise<void> {
  const refreshToken = sessionStore.getState().session?.refreshToken;
  sessionStore.signOut();
  if (refreshToken) {
    await api.POST("/auth/logout", { body: { refresh_token: refreshToken } }).catch(() => undefined);
  }
}
