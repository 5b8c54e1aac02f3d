// The signed-in session: tokens and user, kept in localStorage so a reload keeps you signed in, and
// observed by React through useSession (src/hooks/use-session.ts). Other tabs see rotations through
// the `storage` event, so two tabs never present the same (already rotated) refresh token.

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token stops being accepted. */
  expiresAt: number;
  user: SessionUser | null;
}

export type SessionStatus = "signed-out" | "active" | "expired";

export interface SessionState {
  session: Session | null;
  /** "expired": the refresh token was refused; the UI asks to sign in again over the current page. */
  status: SessionStatus;
}

const STORAGE_KEY = "pybase.session";

type Listener = () => void;

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

function parse(text: string | null): Session | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.accessToken === "string" && typeof value.refreshToken === "string" && typeof value.expiresAt === "number") {
      return { accessToken: value.accessToken, refreshToken: value.refreshToken, expiresAt: value.expiresAt, user: value.user ?? null };
    }
  } catch {
    // a corrupt entry is the same as none
  }
  return null;
}

export class SessionStore {
  private state: SessionState;
  private readonly listeners = new Set<Listener>();
  private readonly storage: StorageLike | null;

  constructor(storage: StorageLike | null = typeof window !== "undefined" ? window.localStorage : null) {
    this.storage = storage;
    const session = parse(storage?.getItem(STORAGE_KEY) ?? null);
    this.state = { session, status: session ? "active" : "signed-out" };
  }

  getState = (): SessionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The refresh token as persisted now (another tab may have rotated it since we loaded). */
  storedRefreshToken(): string | null {
    return parse(this.storage?.getItem(STORAGE_KEY) ?? null)?.refreshToken ?? this.state.session?.refreshToken ?? null;
  }

  /** Adopt what another tab wrote (called from the `storage` event). */
  reload(): void {
    const session = parse(this.storage?.getItem(STORAGE_KEY) ?? null);
    if (session) this.set({ session, status: "active" }, false);
    // Signed out or expired in another tab: ask to sign in again here rather than drop this page.
    else if (this.state.status === "active") this.set({ session: this.state.session, status: "expired" }, false);
  }

  signIn(tokens: { access_token: string; refresh_token: string; expires_in: number }, user?: SessionUser | null): void {
    const session: Session = {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
      user: user === undefined ? (this.state.session?.user ?? null) : user,
    };
    this.set({ session, status: "active" });
  }

  setUser(user: SessionUser): void {
    if (!this.state.session) return;
    this.set({ session: { ...this.state.session, user }, status: this.state.status });
  }

  /** The refresh token was refused: keep the user (to re-sign in as them) and the page, drop the tokens. */
  expire(): void {
    if (this.state.status === "signed-out") return;
    this.set({ session: this.state.session, status: "expired" });
  }

  signOut(): void {
    this.set({ session: null, status: "signed-out" });
  }

  private set(state: SessionState, persist = true): void {
    this.state = state;
    if (persist && this.storage) {
      if (state.session && state.status === "active") this.storage.setItem(STORAGE_KEY, JSON.stringify(state.session));
      else this.storage.removeItem(STORAGE_KEY);
    }
    for (const listener of [...this.listeners]) listener();
  }
}

export const sessionStore = new SessionStore();

if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) sessionStore.reload();
  });
}
