// The typed API client: openapi-fetch over the generated schema, plus what every call needs:
// the bearer token, one refresh-token rotation shared by all requests that hit a 401 at the same
// time (the server revokes the whole token family when a refresh token is used twice), and errors
// normalised to ApiError.
import createClient, { type Client } from "openapi-fetch";

import { apiBaseUrl } from "@/lib/config";
import { networkError, toApiError } from "@/lib/api/errors";
import type { paths } from "@/lib/api/schema";
import { sessionStore, type SessionStore } from "@/lib/session";

type FetchLike = (input: Request) => Promise<Response>;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface AuthFetchOptions {
  baseUrl: string;
  store: SessionStore;
  fetch?: FetchLike;
  /** Web Locks (one refresh across tabs); absent in tests and old browsers. */
  locks?: Pick<LockManager, "request"> | null;
}

// Refresh this long before expiry, so a request does not leave with a token that dies on the way.
const EXPIRY_MARGIN_MS = 30_000;

/**
 * fetch with the session's bearer token, refresh on 401 and retry once. Exported as a factory so tests
 * can drive it with a fake fetch and their own store.
 */
export function createAuthFetch(options: AuthFetchOptions): {
  fetch: (request: Request) => Promise<Response>;
  refresh: () => Promise<string | null>;
  accessToken: () => Promise<string | null>;
} {
  const { baseUrl, store } = options;
  const doFetch: FetchLike = options.fetch ?? ((request) => globalThis.fetch(request));
  const locks = options.locks === undefined ? (typeof navigator !== "undefined" ? (navigator.locks ?? null) : null) : options.locks;
  let inFlight: Promise<string | null> | null = null;

  async function rotate(): Promise<string | null> {
    const before = store.getState().session;
    if (!before) return null;
    const presented = store.storedRefreshToken();
    if (!presented) return null;
    // Another tab rotated while we waited for the lock: adopt its tokens instead of reusing ours.
    if (presented !== before.refreshToken) {
      store.reload();
      const adopted = store.getState().session;
      if (adopted && adopted.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return adopted.accessToken;
    }
    let response: Response;
    try {
      response = await doFetch(
        new Request(`${baseUrl}/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refresh_token: presented }),
        }),
      );
    } catch (cause) {
      throw networkError(cause);
    }
    if (response.status === 401 || response.status === 403 || response.status === 422) {
      store.expire();
      return null;
    }
    if (!response.ok) {
      throw toApiError(response.status, await readBody(response));
    }
    const pair = (await response.json()) as TokenPair;
    store.signIn(pair);
    return pair.access_token;
  }

  function refresh(): Promise<string | null> {
    if (!inFlight) {
      const run = locks ? () => locks.request("pybase-refresh", rotate) as Promise<string | null> : rotate;
      inFlight = run().finally(() => {
        inFlight = null;
      });
    }
    return inFlight;
  }

  async function accessToken(): Promise<string | null> {
    const { session, status } = store.getState();
    if (!session || status !== "active") return null;
    if (session.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return session.accessToken;
    return refresh();
  }

  async function authFetch(request: Request): Promise<Response> {
    const isRefresh = request.url.endsWith("/auth/refresh");
    const retry = request.clone();
    const token = isRefresh ? null : await accessToken();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    let response: Response;
    try {
      response = await doFetch(request);
    } catch (cause) {
      throw networkError(cause);
    }
    if (response.status !== 401 || !token) return response;
    // The token was refused (expired early, or rotated elsewhere): rotate once and replay.
    const fresh = store.getState().session?.accessToken !== token ? store.getState().session?.accessToken : await refresh();
    if (!fresh || store.getState().status !== "active") return response;
    retry.headers.set("authorization", `Bearer ${fresh}`);
    try {
      return await doFetch(retry);
    } catch (cause) {
      throw networkError(cause);
    }
  }

  return { fetch: authFetch, refresh, accessToken };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const auth = createAuthFetch({ baseUrl: apiBaseUrl, store: sessionStore });

export const api: Client<paths> = createClient<paths>({
  baseUrl: apiBaseUrl,
  fetch: auth.fetch,
});

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of an openapi-fetch call, or an ApiError thrown with a readable message. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error ?? null);
  }
  return result.data as T;
}

