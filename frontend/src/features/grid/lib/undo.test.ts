import { describe, expect, it } from "vitest";

import { UndoStack, valuesByRecord } from "@/features/grid/lib/undo";

const edit = (label: string, recordId = "rec1", before: unknown = "a", after: unknown = "b") => ({
  label,
  changes: [{ recordId, fieldId: "fld1", before, after }],
});

describe("UndoStack", () => {
  it("undoes and redoes in order, and a new edit clears redo", () => {
    const stack = new UndoStack();
    const one = edit("one");
    const two = edit("two");
    stack.push(one);
    stack.push(two);
    expect(stack.undo()).toBe(two);
    expect(stack.canRedo()).toBe(true);
    expect(stack.redo()).toBe(two);
    expect(stack.undo()).toBe(two);
    stack.push(edit("three"));
    expect(stack.canRedo()).toBe(false);
    expect(stack.undo()?.label).toBe("three");
    expect(stack.undo()).toBe(one);
    expect(stack.undo()).toBeUndefined();
  });

  it("keeps at most `limit` entries and ignores empty ones", () => {
    const stack = new UndoStack(2);
    stack.push({ label: "empty", changes: [] });
    expect(stack.canUndo()).toBe(false);
    stack.push(edit("1"));
    stack.push(edit("2"));
    stack.push(edit("3"));
    expect(stack.undo()?.label).toBe("3");
    expect(stack.undo()?.label).toBe("2");
    expect(stack.undo()).toBeUndefined();
  });

  it("puts an entry back when its write failed", () => {
    const stack = new UndoStack();
    const one = edit("one");
    stack.push(one);
    const undone = stack.undo()!;
    stack.restore(undone, "undo");
    expect(stack.canRedo()).toBe(false);
    expect(stack.undo()).toBe(one);
  });

  it("forgets changes to deleted records", () => {
    const stack = new UndoStack();
    stack.push({ label: "paste", changes: [...edit("x", "rec1").changes, ...edit("x", "rec2").changes] });
    stack.push(edit("only rec2", "rec2"));
    stack.forget(new Set(["rec2"]));
    const entry = stack.undo()!;
    expect(entry.label).toBe("paste");
    expect(entry.changes.map((c) => c.recordId)).toEqual(["rec1"]);
    expect(stack.undo()).toBeUndefined();
  });
});

describe("valuesByRecord", () => {
  it("groups the before or after values by record", () => {
    const entry = {
      label: "fill",
      changes: [
        { recordId: "r1", fieldId: "f1", before: 1, after: 2 },
        { recordId: "r1", fieldId: "f2", before: null, after: "x" },
        { recordId: "r2", fieldId: "f1", before: 3, after: 2 },
      ],
    };
    expect(Object.fromEntries(valuesByRecord(entry, "before"))).toEqual({ r1: { f1: 1, f2: null }, r2: { f1: 3 } });
    expect(Object.fromEntries(valuesByRecord(entry, "after"))).toEqual({ r1: { f1: 2, f2: "x" }, r2: { f1: 2 } });
  });
});
