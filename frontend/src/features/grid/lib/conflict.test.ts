import { describe, expect, it } from "vitest";

import { conflictingFields, keepMine, saveEdit, takeTheirs, type RecordWriter } from "@/features/grid/lib/conflict";
import { ApiError } from "@/lib/api/errors";
import type { RecordRow } from "@/types/api";

function record(version: number, fields: Record<string, unknown>): RecordRow {
  return { id: "rec1", version, created_at: "", updated_at: "", fields };
}

/** An in-memory server holding one record, answering 412 on a stale version. */
function server(initial: RecordRow) {
  let current = initial;
  const calls: { fields: Record<string, unknown>; version: number }[] = [];
  const writer: RecordWriter = {
    async patch(_id, fields, version) {
      calls.push({ fields, version });
      if (version !== current.version) throw new ApiError(412, "precondition_failed", "stale");
      current = record(current.version + 1, { ...current.fields, ...fields });
      return current;
    },
    async get() {
      return current;
    },
  };
  return {
    writer,
    calls,
    otherWrites(fields: Record<string, unknown>) {
      current = record(current.version + 1, { ...current.fields, ...fields });
    },
    now: () => current,
  };
}

describe("saveEdit", () => {
  it("saves with If-Match on the version seen", async () => {
    const base = record(1, { a: "x" });
    const s = server(base);
    const outcome = await saveEdit(s.writer, base, { a: "y" });
    expect(outcome).toEqual({ kind: "saved", record: record(2, { a: "y" }) });
    expect(s.calls).toEqual([{ fields: { a: "y" }, version: 1 }]);
  });

  it("re-sends silently when someone else changed another field", async () => {
    const base = record(1, { a: "x", b: 1 });
    const s = server(base);
    s.otherWrites({ b: 2 });
    const outcome = await saveEdit(s.writer, base, { a: "y" });
    expect(outcome.kind).toBe("saved");
    expect(s.now().fields).toEqual({ a: "y", b: 2 });
    expect(s.calls.map((c) => c.version)).toEqual([1, 2]);
  });

  it("reports a conflict when the same field changed, then keeps mine or takes theirs", async () => {
    const base = record(1, { a: "x" });
    const s = server(base);
    s.otherWrites({ a: "theirs" });
    const outcome = await saveEdit(s.writer, base, { a: "mine" });
    expect(outcome.kind).toBe("conflict");
    if (outcome.kind !== "conflict") return;
    expect(outcome.conflict.fieldIds).toEqual(["a"]);
    expect(outcome.conflict.theirs.fields.a).toBe("theirs");
    expect(takeTheirs(outcome.conflict).fields.a).toBe("theirs");
    const kept = await keepMine(s.writer, outcome.conflict);
    expect(kept.kind).toBe("saved");
    expect(s.now().fields.a).toBe("mine");
    expect(s.now().version).toBe(3);
  });

  it("returns other errors with the values, so the edit is not lost", async () => {
    const writer: RecordWriter = {
      patch: async () => {
        throw new ApiError(422, "validation_failed", "Not a number");
      },
      get: async () => record(1, {}),
    };
    const outcome = await saveEdit(writer, record(1, {}), { n: "abc" });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind === "failed") expect(outcome.fields).toEqual({ n: "abc" });
  });
});

describe("conflictingFields", () => {
  it("ignores fields that reached the same value", () => {
    const base = record(1, { a: 1, b: [1], c: null });
    const latest = record(2, { a: 2, b: [1], c: undefined });
    expect(conflictingFields(base, latest, { a: 3, b: [2], c: 1 })).toEqual(["a"]);
    expect(conflictingFields(base, latest, { a: 2 })).toEqual([]);
  });
});
