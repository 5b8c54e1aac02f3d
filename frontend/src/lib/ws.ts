// The one WebSocket client of the app (protocol: shared/pybase/realtime/schemas.py).
//
// - connects with the current access token (?token=...), reconnects with exponential backoff and
//   full jitter, and on every (re)connect subscribes again to each table/base someone listens to,
//   with the last event id seen there so the server replays what was missed;
// - hands each event once to the listeners of its table (and base): ids already seen are dropped,
//   because replay and live delivery overlap and a table can be reached through its base too (ids
//   are ordered per base, as the server's change log is sharded by base, so the key is base + id);
// - `refetch` (replay impossible, or an event too large for a frame) reaches listeners as onRefetch,
//   after which they reload their data; `resync` (the server restored our registration after losing
//   it) re-sends presence and subscribes again to any scope the server did not restore;
// - `credentials_revoked`: the token is never reused; a fresh one is asked for (refresh), and without
//   one the client waits idle until resume() (after sign-in);
// - presence: send where you are (again every `presenceRefreshMs`, since the server forgets presence
//   not refreshed within a minute), receive who is where;
// - a ping every `pingIntervalMs`; no pong in `pongTimeoutMs` means a dead socket: reconnect.

export interface RealtimeEvent {
  id: number;
  type: string;
  workspace_id: string | null;
  base_id: string | null;
  table_id: string | null;
  actor_id: string | null;
  payload: Record<string, unknown>;
  /** The payload was cut to ids because it did not fit a frame: reload the objects it names. */
  refetch?: boolean;
}

export interface PresenceUser {
  user_id: string;
  record_id: string | null;
  field_id: string | null;
  at: string;
}

export type Scope = { kind: "table"; id: string } | { kind: "base"; id: string };

export interface ScopeListener {
  onEvent?: (event: RealtimeEvent) => void;
  /** Data may have been missed: reload. `reason` comes from the server. */
  onRefetch?: (reason: string) => void;
  onPresence?: (users: PresenceUser[]) => void;
  /** Access was revoked or the server ended the subscription. */
  onUnsubscribed?: (reason: string) => void;
}

export type ConnectionStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** The part of the browser WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface RealtimeOptions {
  url: () => string;
  /** The access token to connect with (refreshing it if needed); null means signed out: stay idle. */
  getToken: () => Promise<string | null>;
  createSocket?: SocketFactory;
  timers?: Timers;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** How often presence is sent again while nothing changes (the server drops it after 60 s). */
  presenceRefreshMs?: number;
  /** How many event ids to remember for de-duplication. */
  dedupeWindow?: number;
  /**
   * A token other than the one just revoked (refresh the session); null when there is none, and the
   * client then waits for resume().
   */
  renewToken?: () => Promise<string | null>;
  /** Connection status changes, for status displays. */
  onStatus?: (status: ConnectionStatus) => void;
  onServerError?: (error: { code: string; message: string }, action: string | null) => void;
}

const OPEN = 1;

function scopeKey(scope: Scope): string {
  return `${scope.kind}:${scope.id}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Delay before reconnect attempt `attempt` (0-based): full jitter over an exponential cap. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  // Never 0, so a server that refuses at once cannot be hammered in a tight loop.
  return Math.max(baseMs / 2, Math.floor(random() * cap));
}

const defaultTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class RealtimeClient {
  private readonly options: Required<Omit<RealtimeOptions, "onStatus" | "onServerError" | "renewToken">> &
    Pick<RealtimeOptions, "onStatus" | "onServerError" | "renewToken">;
  private socket: SocketLike | null = null;
  private status: ConnectionStatus = "idle";
  private attempt = 0;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  private presenceTimer: unknown = null;
  private stopped = true;
  private connecting = false;
  private readonly listeners = new Map<string, Set<ScopeListener>>();
  private readonly lastEventId = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private presenceState: { tableId: string; recordId: string | null; fieldId: string | null } | null = null;
  private currentToken: string | null = null;
  private revokedToken: string | null = null;

  constructor(options: RealtimeOptions) {
    this.options = {
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      timers: defaultTimers,
      random: Math.random,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      pingIntervalMs: 60_000,
      pongTimeoutMs: 15_000,
      presenceRefreshMs: 30_000,
      dedupeWindow: 5_000,
      ...options,
    };
  }

  getStatus(): ConnectionStatus {
    return this.status;
  }

  onStatusChange(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Start connecting (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  /** Close for good (sign-out, unmount). Subscriptions are kept for a later start(). */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, "client stopped");
    }
    this.setStatus("closed");
  }

  /** Connect again if the client is waiting for credentials (call after a sign-in or token rotation). */
  resume(): void {
    if (this.stopped || this.socket || this.connecting || this.reconnectTimer !== null) return;
    this.attempt = 0;
    void this.connect();
  }

  /**
   * The network came back or the page became visible again (after sleep): a pending reconnect happens
   * now instead of after its backoff, and an open socket is pinged at once so a dead one is noticed.
   */
  nudge(): void {
    if (this.stopped) return;
    if (this.reconnectTimer !== null) {
      this.options.timers.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      void this.connect();
      return;
    }
    if (this.socket && this.socket.readyState === OPEN && this.pongTimer === null) {
      if (this.pingTimer !== null) this.options.timers.clearTimeout(this.pingTimer);
      this.pingTimer = null;
      this.pingNow();
    }
  }

  /** Drop the socket now and reconnect at once (after sign-in as someone else). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.attempt = 0;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, "reconnecting");
    }
    this.clearTimers();
    void this.connect();
  }

  subscribeTable(tableId: string, listener: ScopeListener): () => void {
    return this.subscribe({ kind: "table", id: tableId }, listener);
  }

  subscribeBase(baseId: string, listener: ScopeListener): () => void {
    return this.subscribe({ kind: "base", id: baseId }, listener);
  }

  subscribe(scope: Scope, listener: ScopeListener): () => void {
    const key = scopeKey(scope);
    let set = this.listeners.get(key);
    const isNew = !set;
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    if (isNew) this.sendSubscribe(key);
    return () => {
      const current = this.listeners.get(key);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(key);
        this.lastEventId.delete(key);
        const [kind, id] = key.split(":") as [Scope["kind"], string];
        this.send({ action: "unsubscribe", [`${kind}_id`]: id });
      }
    };
  }

  /**
   * The listener's data was read at change log position `afterId` (a listing's `event_id`): ask the
   * server for every event of the scope after it. The subscription may have taken effect after that
   * read; events already delivered come again and are dropped as duplicates.
   */
  catchUp(scope: Scope, afterId: number): void {
    const key = scopeKey(scope);
    if (!this.listeners.has(key) || !Number.isFinite(afterId) || afterId < 0) return;
    // A reconnect before the replay arrives starts from here too. Lowering a position the ack of the
    // first subscribe raised is safe: replayed events already delivered are dropped as duplicates.
    this.lastEventId.set(key, afterId);
    this.send({ action: "subscribe", [`${scope.kind}_id`]: scope.id, last_event_id: afterId });
  }

  /** Where the user is (a table, optionally a cell); null leaves the current table. */
  setPresence(state: { tableId: string; recordId?: string | null; fieldId?: string | null } | null): void {
    const previous = this.presenceState;
    if (state === null) {
      if (previous) this.send({ action: "presence", table_id: previous.tableId, state: "leave" });
      this.presenceState = null;
      if (this.presenceTimer !== null) this.options.timers.clearTimeout(this.presenceTimer);
      this.presenceTimer = null;
      return;
    }
    if (previous && previous.tableId !== state.tableId) {
      this.send({ action: "presence", table_id: previous.tableId, state: "leave" });
    }
    this.presenceState = { tableId: state.tableId, recordId: state.recordId ?? null, fieldId: state.fieldId ?? null };
    this.sendPresence();
  }

  /** The last event id seen for a scope (for tests and diagnostics). */
  lastSeen(scope: Scope): number | undefined {
    return this.lastEventId.get(scopeKey(scope));
  }

  // --- connection -------------------------------------------------------------------------------

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
    for (const listener of [...this.statusListeners]) listener(status);
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    this.setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    let token: string | null = null;
    try {
      token = await this.options.getToken();
      if (token !== null && token === this.revokedToken) {
        token = this.options.renewToken ? await this.options.renewToken() : null;
        if (token === this.revokedToken) token = null;
      }
    } catch {
      token = null;
      this.connecting = false;
      this.scheduleReconnect();
      return;
    }
    this.connecting = false;
    if (this.stopped) return;
    if (!token) {
      this.setStatus("idle");
      return;
    }
    this.currentToken = token;
    const base = this.options.url();
    const url = `${base}${base.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
    let socket: SocketLike;
    try {
      socket = this.options.createSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setStatus("open");
      for (const key of this.listeners.keys()) this.sendSubscribe(key);
      if (this.presenceState) this.sendPresence();
      this.schedulePing();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.handleMessage(event.data);
    };
    socket.onerror = () => {
      // onclose follows and does the work
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setStatus("reconnecting");
    const delay = backoffDelay(this.attempt, this.options.baseDelayMs, this.options.maxDelayMs, this.options.random);
    this.attempt += 1;
    this.reconnectTimer = this.options.timers.setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }

  private schedulePing(): void {
    const { timers, pingIntervalMs } = this.options;
    if (this.pingTimer !== null) timers.clearTimeout(this.pingTimer);
    this.pingTimer = timers.setTimeout(() => {
      this.pingTimer = null;
      this.pingNow();
    }, pingIntervalMs);
  }

  private pingNow(): void {
    if (!this.send({ action: "ping" })) return;
    this.pongTimer = this.options.timers.setTimeout(() => {
      this.pongTimer = null;
      // No answer: the socket is dead without having told us (sleep, network change).
      const socket = this.socket;
      if (socket) {
        this.socket = null;
        socket.onclose = null;
        socket.onmessage = null;
        socket.close(4000, "pong timeout");
      }
      this.clearTimers();
      this.scheduleReconnect();
    }, this.options.pongTimeoutMs);
  }

  private clearTimers(): void {
    const { timers } = this.options;
    for (const handle of [this.reconnectTimer, this.pingTimer, this.pongTimer, this.presenceTimer]) {
      if (handle !== null) timers.clearTimeout(handle);
    }
    this.reconnectTimer = this.pingTimer = this.pongTimer = this.presenceTimer = null;
  }

  private send(message: Record<string, unknown>): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  private sendSubscribe(key: string): void {
    const [kind, id] = key.split(":") as [Scope["kind"], string];
    const message: Record<string, unknown> = { action: "subscribe", [`${kind}_id`]: id };
    const last = this.lastEventId.get(key);
    if (last !== undefined) message.last_event_id = last;
    this.send(message);
  }

  private sendPresence(): void {
    const state = this.presenceState;
    if (!state) return;
    const message: Record<string, unknown> = { action: "presence", table_id: state.tableId };
    if (state.recordId) message.record_id = state.recordId;
    if (state.fieldId) message.field_id = state.fieldId;
    if (!this.send(message)) return;
    // Someone idle on a table stays visible to people who open it later.
    const { timers, presenceRefreshMs } = this.options;
    if (this.presenceTimer !== null) timers.clearTimeout(this.presenceTimer);
    this.presenceTimer = timers.setTimeout(() => {
      this.presenceTimer = null;
      this.sendPresence();
    }, presenceRefreshMs);
  }

  // --- messages ---------------------------------------------------------------------------------

  private handleMessage(data: unknown): void {
    if (typeof data !== "string") return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (!isRecord(message) || typeof message.type !== "string") return;
    // Any message proves the socket is alive.
    if (this.pongTimer !== null) {
      this.options.timers.clearTimeout(this.pongTimer);
      this.pongTimer = null;
    }
    if (this.pingTimer === null && this.socket) this.schedulePing();
    switch (message.type) {
      case "events":
        if (Array.isArray(message.events)) this.handleEvents(message.events);
        break;
      case "subscribed":
        this.handleSubscribed(message);
        break;
      case "refetch":
        this.forScope(message, (listener) => listener.onRefetch?.(String(message.reason ?? "refetch")));
        break;
      case "unsubscribed":
        this.forScope(message, (listener) => listener.onUnsubscribed?.(String(message.reason ?? "")));
        break;
      case "resync":
        this.handleResync(message);
        break;
      case "presence":
        this.handlePresence(message);
        break;
      case "error":
        if (isRecord(message.error) && message.error.code === "credentials_revoked") {
          // The server closes the socket next; the reconnect must not present this token again.
          this.revokedToken = this.currentToken;
        }
        if (isRecord(message.error)) {
          this.options.onServerError?.(
            { code: String(message.error.code ?? "error"), message: String(message.error.message ?? "") },
            typeof message.action === "string" ? message.action : null,
          );
        }
        break;
      default:
        break;
    }
  }

  private scopeOf(message: Record<string, unknown>): string | null {
    if (typeof message.table_id === "string") return `table:${message.table_id}`;
    if (typeof message.base_id === "string") return `base:${message.base_id}`;
    return null;
  }

  private forScope(message: Record<string, unknown>, call: (listener: ScopeListener) => void): void {
    const key = this.scopeOf(message);
    if (!key) return;
    for (const listener of [...(this.listeners.get(key) ?? [])]) call(listener);
  }

  private handleSubscribed(message: Record<string, unknown>): void {
    const key = this.scopeOf(message);
    if (!key || !this.listeners.has(key)) return;
    const last = message.last_event_id;
    if (typeof last === "number" && last > (this.lastEventId.get(key) ?? -1)) this.lastEventId.set(key, last);
  }

  private handleResync(message: Record<string, unknown>): void {
    // The server lost this connection's registration and restored it. Scopes it lists are active
    // again and the events missed meanwhile follow in order; any other scope we listen to is
    // subscribed again from our last event id. Presence is not kept by the server: send it again.
    const listed = Array.isArray(message.subscriptions) ? message.subscriptions.filter(isRecord) : null;
    const restored = new Set<string>();
    for (const item of listed ?? []) {
      const key = this.scopeOf(item);
      if (key) restored.add(key);
    }
    for (const key of this.listeners.keys()) {
      if (!restored.has(key)) this.sendSubscribe(key);
    }
    if (listed === null) {
      // A resync without the list: we cannot know what survived, so listeners reload too.
      const reason = typeof message.reason === "string" ? message.reason : "resync";
      for (const set of this.listeners.values()) for (const listener of [...set]) listener.onRefetch?.(reason);
    }
    if (this.presenceState) this.sendPresence();
  }

  private handlePresence(message: Record<string, unknown>): void {
    if (typeof message.table_id !== "string" || !Array.isArray(message.users)) return;
    const users = message.users.filter(isRecord).map(
      (user): PresenceUser => ({
        user_id: String(user.user_id ?? ""),
        record_id: typeof user.record_id === "string" ? user.record_id : null,
        field_id: typeof user.field_id === "string" ? user.field_id : null,
        at: String(user.at ?? ""),
      }),
    );
    for (const listener of [...(this.listeners.get(`table:${message.table_id}`) ?? [])]) listener.onPresence?.(users);
  }

  private remember(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.options.dedupeWindow) {
      // Sets iterate in insertion order: drop the oldest.
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  private handleEvents(events: unknown[]): void {
    for (const raw of events) {
      if (!isRecord(raw) || typeof raw.id !== "number" || typeof raw.type !== "string") continue;
      const event: RealtimeEvent = {
        id: raw.id,
        type: raw.type,
        workspace_id: typeof raw.workspace_id === "string" ? raw.workspace_id : null,
        base_id: typeof raw.base_id === "string" ? raw.base_id : null,
        table_id: typeof raw.table_id === "string" ? raw.table_id : null,
        actor_id: typeof raw.actor_id === "string" ? raw.actor_id : null,
        payload: isRecord(raw.payload) ? raw.payload : {},
        ...(raw.refetch === true ? { refetch: true } : {}),
      };
      const keys: string[] = [];
      if (event.table_id) keys.push(`table:${event.table_id}`);
      if (event.base_id) keys.push(`base:${event.base_id}`);
      // Advance the replay point of each scope the event belongs to, even if it is a duplicate.
      for (const key of keys) {
        if (this.listeners.has(key) && event.id > (this.lastEventId.get(key) ?? -1)) this.lastEventId.set(key, event.id);
      }
      if (!this.remember(`${event.base_id ?? event.workspace_id ?? ""}:${event.id}`)) continue;
      for (const key of keys) {
        for (const listener of [...(this.listeners.get(key) ?? [])]) listener.onEvent?.(event);
      }
    }
  }
}
