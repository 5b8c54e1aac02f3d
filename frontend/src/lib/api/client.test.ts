import { describe, expect, it } from "vitest";

import { createAuthFetch, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { SessionStore, type StorageLike } from "@/lib/session";

class MemoryStorage implements StorageLike {
  data = new Map<string, string>();
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function signedIn(expiresIn = 900): SessionStore {
  const store = new SessionStore(new MemoryStorage());
  store.signIn({ access_token: "old-access", refresh_token: "refresh-1", expires_in: expiresIn }, { id: "usr1", email: "a@b.co", name: "A" });
  return store;
}

const BASE = "http://api.test";

describe("createAuthFetch", () => {
  it("sends the bearer token", async () => {
    const store = signedIn();
    const seen: string[] = [];
    const { fetch } = createAuthFetch({
      baseUrl: BASE,
      store,
      locks: null,
      fetch: async (request) => {
        seen.push(request.headers.get("authorization") ?? "");
        return json(200, { ok: true });
      },
    });
    const response = await fetch(new Request(`${BASE}/me`));
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer old-access"]);
  });

  it("rotates the refresh token once for concurrent 401s and replays each request with the new token", async () => {
    const store = signedIn();
    let refreshCalls = 0;
    const replayed: string[] = [];
    const { fetch } = createAuthFetch({
      baseUrl: BASE,
      store,
      locks: null,
      fetch: async (request) => {
        if (request.url.endsWith("/auth/refresh")) {
          refreshCalls += 1;
          const body = (await request.json()) as { refresh_token: string };
          expect(body.refresh_token).toBe("refresh-1");
          await new Promise((resolve) => setTimeout(resolve, 10));
          return json(200, { access_token: "new-access", refresh_token: "refresh-2", expires_in: 900, token_type: "bearer" });
        }
        const auth = request.headers.get("authorization");
        if (auth === "Bearer old-access") return json(401, { error: { code: "unauthorized", message: "Token expired", details: null } });
        replayed.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
        return json(200, { ok: true });
      },
    });
    const responses = await Promise.all([
      fetch(new Request(`${BASE}/workspaces`)),
      fetch(new Request(`${BASE}/workspaces`, { method: "POST", body: JSON.stringify({ name: "Shop" }) })),
      fetch(new Request(`${BASE}/me`)),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(refreshCalls).toBe(1);
    // The body of the POST is sent again on replay.
    expect(replayed.sort()).toEqual(["GET /me ", "GET /workspaces ", 'POST /workspaces {"name":"Shop"}']);
    expect(store.getState().session?.refreshToken).toBe("refresh-2");
    expect(store.getState().session?.accessToken).toBe("new-access");
  });

  it("refreshes before sending when the access token is about to expire", async () => {
    const store = signedIn(10); // inside the 30 s margin
    const calls: string[] = [];
    const { fetch } = createAuthFetch({
      baseUrl: BASE,
      store,
      locks: null,
      fetch: async (request) => {
        calls.push(new URL(request.url).pathname);
        if (request.url.endsWith("/auth/refresh")) {
          return json(200, { access_token: "new-access", refresh_token: "refresh-2", expires_in: 900, token_type: "bearer" });
        }
        expect(request.headers.get("authorization")).toBe("Bearer new-access");
        return json(200, {});
      },
    });
    await fetch(new Request(`${BASE}/me`));
    expect(calls).toEqual(["/auth/refresh", "/me"]);
  });

  it("marks the session expired (not signed out) when the refresh token is refused", async () => {
    const store = signedIn();
    const { fetch } = createAuthFetch({
      baseUrl: BASE,
      store,
      locks: null,
      fetch: async (request) => {
        if (request.url.endsWith("/auth/refresh")) return json(401, { error: { code: "unauthorized", message: "reused", details: null } });
        return json(401, { error: { code: "unauthorized", message: "expired", details: null } });
      },
    });
    const response = await fetch(new Request(`${BASE}/me`));
    expect(response.status).toBe(401);
    expect(store.getState().status).toBe("expired");
    // The user is kept so the re-sign-in dialog can prefill the email.
    expect(store.getState().session?.user?.email).toBe("a@b.co");
  });

  it("adopts tokens another tab rotated instead of presenting a used refresh token", async () => {
    const storage = new MemoryStorage();
    const store = new SessionStore(storage);
    store.signIn({ access_token: "old-access", refresh_token: "refresh-1", expires_in: 900 }, null);
    // Another tab rotated: storage now holds refresh-2 with a fresh access token.
    const other = new SessionStore(storage);
    other.signIn({ access_token: "tab2-access", refresh_token: "refresh-2", expires_in: 900 }, null);
    let refreshCalls = 0;
    const { fetch } = createAuthFetch({
      baseUrl: BASE,
      store,
      locks: null,
      fetch: async (request) => {
        if (request.url.endsWith("/auth/refresh")) {
          refreshCalls += 1;
          return json(401, {});
        }
        return request.headers.get("authorization") === "Bearer tab2-access" ? json(200, {}) : json(401, {});
      },
    });
    const response = await fetch(new Request(`${BASE}/me`));
    expect(response.status).toBe(200);
    expect(refreshCalls).toBe(0);
    expect(store.getState().status).toBe("active");
  });
});

describe("unwrap", () => {
  it("returns data or throws a normalised ApiError", async () => {
    const ok = await unwrap(Promise.resolve({ data: { id: 1 }, response: new Response(null, { status: 200 }) }));
    expect(ok).toEqual({ id: 1 });
    await expect(
      unwrap(
        Promise.resolve({
          error: { error: { code: "conflict", message: "Name taken", details: null } },
          response: new Response(null, { status: 409 }),
        }),
      ),
    ).rejects.toMatchObject({ status: 409, code: "conflict", message: "Name taken" });
    await expect(unwrap(Promise.reject(new TypeError("Failed to fetch")))).rejects.toBeInstanceOf(ApiError);
  });
});
