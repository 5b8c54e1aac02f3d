import { beforeEach, describe, expect, it } from "vitest";

import { backoffDelay, RealtimeClient, type RealtimeEvent, type SocketLike, type Timers } from "@/lib/ws";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closed: { code?: number; reason?: string } | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  // test helpers
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: "" });
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

class FakeTimers implements Timers {
  now = 0;
  private next = 1;
  pending = new Map<number, { at: number; callback: () => void; ms: number }>();
  setTimeout(callback: () => void, ms: number) {
    const id = this.next++;
    this.pending.set(id, { at: this.now + ms, callback, ms });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.pending.delete(handle as number);
  }
  /** Delays of pending timers, in order of creation. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }
  advance(ms: number) {
    this.now += ms;
    for (const [id, timer] of [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at <= this.now && this.pending.has(id)) {
        this.pending.delete(id);
        timer.callback();
      }
    }
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function event(id: number, tableId = "tblAAAAAAAAAAAAAA", baseId = "appBBBBBBBBBBBBBB"): RealtimeEvent {
  return { id, type: "record.updated", workspace_id: "wspX", base_id: baseId, table_id: tableId, actor_id: "usr1", payload: {} };
}

const TABLE = "tblAAAAAAAAAAAAAA";
const BASE = "appBBBBBBBBBBBBBB";

describe("RealtimeClient", () => {
  let timers: FakeTimers;
  let token: string | null;

  beforeEach(() => {
    FakeSocket.all = [];
    timers = new FakeTimers();
    token = "tok en";
  });

  function client(random = () => 0.5) {
    return new RealtimeClient({
      url: () => "ws://host/ws",
      getToken: async () => token,
      createSocket: (url) => new FakeSocket(url),
      timers,
      random,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      pingIntervalMs: 60_000,
      pongTimeoutMs: 10_000,
    });
  }

  it("connects with the token and subscribes each scope on open", async () => {
    const rt = client();
    rt.subscribeTable(TABLE, {});
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe("ws://host/ws?token=tok%20en");
    socket.open();
    expect(rt.getStatus()).toBe("open");
    expect(socket.sent).toEqual([{ action: "subscribe", table_id: TABLE }]);
    rt.subscribeBase(BASE, {});
    expect(socket.sent.at(-1)).toEqual({ action: "subscribe", base_id: BASE });
  });

  it("stays idle without a token", async () => {
    token = null;
    const rt = client();
    rt.start();
    await flush();
    expect(FakeSocket.all).toHaveLength(0);
    expect(rt.getStatus()).toBe("idle");
  });

  it("reconnects with growing, jittered, capped delays and resets after a successful open", async () => {
    const rt = client(() => 0.999);
    rt.start();
    await flush();
    const expected = [999, 1998, 3996, 7992, 15984, 29970, 29970];
    for (const delay of expected) {
      FakeSocket.all.at(-1)!.drop();
      expect(timers.delays()).toEqual([delay]);
      timers.advance(delay);
      await flush();
    }
    FakeSocket.all.at(-1)!.open();
    FakeSocket.all.at(-1)!.drop();
    // After an open, the next reconnect starts from the base delay again (the ping timer was cleared).
    expect(timers.delays()).toEqual([999]);
  });

  it("keeps a floor on the delay so a zero jitter cannot spin", () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, 30_000, () => 0.5)).toBe(4000);
    expect(backoffDelay(50, 1000, 30_000, () => 1)).toBe(30_000);
  });

  it("delivers each event once, remembers the last id and replays from it after a reconnect", async () => {
    const rt = client();
    const got: number[] = [];
    rt.subscribeTable(TABLE, { onEvent: (e) => got.push(e.id) });
    rt.subscribeBase(BASE, { onEvent: (e) => got.push(-e.id) });
    rt.start();
    await flush();
    const first = FakeSocket.all[0]!;
    first.open();
    first.receive({ type: "subscribed", scope: "table", table_id: TABLE, last_event_id: 40, replayed: 0 });
    first.receive({ type: "events", events: [event(41), event(42)] });
    // Replay overlapping live delivery: 42 again must not reach listeners a second time.
    first.receive({ type: "events", events: [event(42), event(43)] });
    expect(got).toEqual([41, -41, 42, -42, 43, -43]);
    expect(rt.lastSeen({ kind: "table", id: TABLE })).toBe(43);

    first.drop();
    timers.advance(1000);
    await flush();
    const second = FakeSocket.all[1]!;
    second.open();
    expect(second.sent).toEqual([
      { action: "subscribe", table_id: TABLE, last_event_id: 43 },
      { action: "subscribe", base_id: BASE, last_event_id: 43 },
    ]);
    second.receive({ type: "events", events: [event(43), event(44)] });
    expect(got.slice(6)).toEqual([44, -44]);
  });

  it("keeps events of two bases that carry the same id (ids are ordered per base)", async () => {
    const rt = client();
    const got: string[] = [];
    const other = "tblCCCCCCCCCCCCCC";
    rt.subscribeTable(TABLE, { onEvent: (e) => got.push(`${e.table_id}:${e.id}`) });
    rt.subscribeTable(other, { onEvent: (e) => got.push(`${e.table_id}:${e.id}`) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive({ type: "events", events: [event(7), event(7, other, "appDDDDDDDDDDDDDD"), event(7)] });
    expect(got).toEqual([`${TABLE}:7`, `${other}:7`]);
    expect(rt.lastSeen({ kind: "table", id: other })).toBe(7);
  });

  it("catches up from a listing's position: asks for the events after it, delivers the missed ones once", async () => {
    const rt = client();
    const got: number[] = [];
    rt.subscribeTable(TABLE, { onEvent: (e) => got.push(e.id) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    // The subscription took effect at 45, after the rows were read at 40: 41..45 would be lost.
    socket.receive({ type: "subscribed", scope: "table", table_id: TABLE, last_event_id: 45, replay: 0 });
    socket.receive({ type: "events", events: [event(46)] });
    rt.catchUp({ kind: "table", id: TABLE }, 40);
    expect(socket.sent.at(-1)).toEqual({ action: "subscribe", table_id: TABLE, last_event_id: 40 });
    expect(rt.lastSeen({ kind: "table", id: TABLE })).toBe(40);
    socket.receive({ type: "events", events: [event(41), event(45), event(46)] });
    expect(got).toEqual([46, 41, 45]);
    expect(rt.lastSeen({ kind: "table", id: TABLE })).toBe(46);
    // Nothing for a scope nobody listens to.
    const before = socket.sent.length;
    rt.catchUp({ kind: "table", id: "tblOTHEROTHEROTHE" }, 1);
    expect(socket.sent).toHaveLength(before);
  });

  it("ignores events of other tables and malformed frames", async () => {
    const rt = client();
    const got: number[] = [];
    rt.subscribeTable(TABLE, { onEvent: (e) => got.push(e.id) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.onmessage?.({ data: "not json" });
    socket.receive({ type: "events", events: [{ id: "x" }, event(5, "tblOTHEROTHEROTHE", "appOTHEROTHEROTHE"), event(6)] });
    expect(got).toEqual([6]);
  });

  it("calls onRefetch on `refetch` and on `resync` subscribes every scope again", async () => {
    const rt = client();
    const reasons: string[] = [];
    rt.subscribeTable(TABLE, { onRefetch: (r) => reasons.push(`t:${r}`) });
    rt.subscribeBase(BASE, { onRefetch: (r) => reasons.push(`b:${r}`) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    socket.receive({ type: "events", events: [event(7)] });
    socket.receive({ type: "refetch", scope: "table", table_id: TABLE, reason: "replay_gap" });
    expect(reasons).toEqual(["t:replay_gap"]);
    socket.sent = [];
    socket.receive({ type: "resync" });
    expect(socket.sent).toEqual([
      { action: "subscribe", table_id: TABLE, last_event_id: 7 },
      { action: "subscribe", base_id: BASE, last_event_id: 7 },
    ]);
    expect(reasons).toEqual(["t:replay_gap", "t:resync", "b:resync"]);
  });

  it("after a resync with the restored list, subscribes only to what is missing and re-sends presence", async () => {
    const rt = client();
    const reasons: string[] = [];
    rt.subscribeTable(TABLE, { onRefetch: (r) => reasons.push(r) });
    rt.subscribeBase(BASE, { onRefetch: (r) => reasons.push(r) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    rt.setPresence({ tableId: TABLE });
    socket.receive({ type: "events", events: [event(9)] });
    socket.sent = [];
    socket.receive({ type: "resync", reason: "registry_restored", subscriptions: [{ scope: "table", table_id: TABLE }] });
    expect(socket.sent).toEqual([
      { action: "subscribe", base_id: BASE, last_event_id: 9 },
      { action: "presence", table_id: TABLE },
    ]);
    // The missed events follow in order: nothing to reload.
    expect(reasons).toEqual([]);
  });

  it("never reconnects with a revoked token: asks for a new one, else waits for resume()", async () => {
    let renewed: string | null = null;
    const rt = new RealtimeClient({
      url: () => "ws://host/ws",
      getToken: async () => token,
      renewToken: async () => renewed,
      createSocket: (url) => new FakeSocket(url),
      timers,
      random: () => 0.5,
      baseDelayMs: 1000,
    });
    rt.start();
    await flush();
    const first = FakeSocket.all[0]!;
    first.open();
    first.receive({ type: "error", error: { code: "credentials_revoked", message: "revoked" }, action: null });
    first.drop();
    timers.advance(1000);
    await flush();
    // getToken still returns the revoked token and there is no new one: stay idle, no socket.
    expect(FakeSocket.all).toHaveLength(1);
    expect(rt.getStatus()).toBe("idle");

    token = "fresh";
    rt.resume();
    await flush();
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[1]!.url).toBe("ws://host/ws?token=fresh");

    // Revoked again, but a refresh yields a new token: reconnect with it.
    FakeSocket.all[1]!.open();
    FakeSocket.all[1]!.receive({ type: "error", error: { code: "credentials_revoked", message: "revoked" }, action: null });
    renewed = "renewed";
    FakeSocket.all[1]!.drop();
    timers.advance(1000);
    await flush();
    expect(FakeSocket.all[2]!.url).toBe("ws://host/ws?token=renewed");
  });

  it("pings, and reconnects when no answer comes", async () => {
    const rt = client();
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    timers.advance(60_000);
    expect(socket.sent).toEqual([{ action: "ping" }]);
    socket.receive({ type: "pong", at: "now" });
    timers.advance(60_000);
    expect(socket.sent).toEqual([{ action: "ping" }, { action: "ping" }]);
    timers.advance(10_000); // no pong
    expect(socket.closed?.code).toBe(4000);
    expect(rt.getStatus()).toBe("reconnecting");
    timers.advance(1000);
    await flush();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("unsubscribes when the last listener leaves, and sends presence", async () => {
    const rt = client();
    const users: string[][] = [];
    const off = rt.subscribeTable(TABLE, { onPresence: (u) => users.push(u.map((x) => x.user_id)) });
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    rt.setPresence({ tableId: TABLE, recordId: "rec1", fieldId: "fld1" });
    socket.receive({ type: "presence", table_id: TABLE, users: [{ user_id: "usr2", record_id: "rec1", field_id: null, at: "t" }] });
    expect(users).toEqual([["usr2"]]);
    off();
    rt.setPresence(null);
    expect(socket.sent.slice(1)).toEqual([
      { action: "presence", table_id: TABLE, record_id: "rec1", field_id: "fld1" },
      { action: "unsubscribe", table_id: TABLE },
      { action: "presence", table_id: TABLE, state: "leave" },
    ]);
  });

  it("sends presence again every 30 s while idle, so people who open the table later see it; stops on leave", async () => {
    const rt = client();
    rt.subscribeTable(TABLE, {});
    rt.start();
    await flush();
    const socket = FakeSocket.all[0]!;
    socket.open();
    rt.setPresence({ tableId: TABLE, recordId: "rec1" });
    const presence = () => socket.sent.filter((m) => m.action === "presence");
    expect(presence()).toHaveLength(1);
    timers.advance(29_000);
    expect(presence()).toHaveLength(1);
    timers.advance(1_000);
    expect(presence()).toEqual([
      { action: "presence", table_id: TABLE, record_id: "rec1" },
      { action: "presence", table_id: TABLE, record_id: "rec1" },
    ]);
    timers.advance(30_000);
    expect(presence()).toHaveLength(3);
    rt.setPresence(null);
    timers.advance(120_000);
    expect(presence().at(-1)).toEqual({ action: "presence", table_id: TABLE, state: "leave" });
    expect(presence()).toHaveLength(4);
  });

  it("nudge() reconnects at once when waiting, and pings an open socket at once", async () => {
    const rt = client(() => 0.999);
    rt.start();
    await flush();
    FakeSocket.all[0]!.drop();
    expect(timers.pending.size).toBe(1);
    rt.nudge();
    await flush();
    expect(FakeSocket.all).toHaveLength(2);
    expect(timers.pending.size).toBe(0);

    const socket = FakeSocket.all[1]!;
    socket.open();
    rt.nudge();
    expect(socket.sent).toEqual([{ action: "ping" }]);
    // The pong timeout is armed; no answer means reconnect.
    timers.advance(10_000);
    expect(socket.closed?.code).toBe(4000);
  });

  it("stop() closes for good: no reconnect", async () => {
    const rt = client();
    rt.start();
    await flush();
    FakeSocket.all[0]!.open();
    rt.stop();
    expect(FakeSocket.all[0]!.closed?.code).toBe(1000);
    expect(timers.pending.size).toBe(0);
    expect(rt.getStatus()).toBe("closed");
  });
});
