import { describe, expect, it } from "vitest";

import { applyMove, buildStacks, cardOrderAfter, dropTarget, EMPTY_STACK, stackValue } from "@/features/kanban/lib/stacks";
import type { FieldDef, RecordRow } from "@/types/api";

const status: FieldDef = {
  id: "fldStatus",
  table_id: "tbl",
  name: "Status",
  type: "single_select",
  options: { choices: [{ id: "s1", name: "Todo", color: "blue" }, { id: "s2", name: "Doing" }, { id: "s3", name: "Done" }] },
  description: null,
  position: 1,
  read_only: false,
};
const owner: FieldDef = { ...status, id: "fldOwner", name: "Owner", type: "user", options: {} };

const rec = (id: string, fields: Record<string, unknown>): RecordRow => ({ id, version: 1, created_at: "", updated_at: "", fields });

describe("stacks", () => {
  it("has one stack per option in option order, empty values in Uncategorized first", () => {
    const stacks = buildStacks([rec("r1", { fldStatus: "Done" }), rec("r2", {}), rec("r3", { fldStatus: "Todo" })], status);
    expect(stacks.map((s) => s.key)).toEqual([EMPTY_STACK, "Todo", "Doing", "Done"]);
    expect(stacks.map((s) => s.records.map((r) => r.id))).toEqual([["r2"], ["r3"], [], ["r1"]]);
    expect(stacks[1]!.color).toBe("blue");
  });

  it("drops an empty Uncategorized stack and, on request, every empty stack", () => {
    const records = [rec("r1", { fldStatus: "Done" })];
    expect(buildStacks(records, status).map((s) => s.key)).toEqual(["Todo", "Doing", "Done"]);
    expect(buildStacks(records, status, { hideEmpty: true }).map((s) => s.key)).toEqual(["Done"]);
  });

  it("keeps values the field no longer lists in their own stack", () => {
    const stacks = buildStacks([rec("r1", { fldStatus: "Archived" })], status);
    expect(stacks.at(-1)).toMatchObject({ key: "Archived", label: "Archived" });
  });

  it("stacks a user field by person, labelled with names", () => {
    const people = new Map([["usrA", "Ada"]]);
    const stacks = buildStacks([rec("r1", { fldOwner: "usrA" }), rec("r2", { fldOwner: { id: "usrB" } }), rec("r3", {})], owner, { people });
    expect(stacks.map((s) => [s.key, s.label])).toEqual([[EMPTY_STACK, "Uncategorized"], ["usrA", "Ada"], ["usrB", "usrB"]]);
  });

  it("orders cards by the saved card order, unranked ones after in listing order", () => {
    const records = ["a", "b", "c", "d"].map((id) => rec(id, { fldStatus: "Todo" }));
    const stacks = buildStacks(records, status, { cardOrder: ["c", "a"] });
    expect(stacks.find((s) => s.key === "Todo")!.records.map((r) => r.id)).toEqual(["c", "a", "b", "d"]);
  });
});

describe("moves", () => {
  const records = [rec("a", { fldStatus: "Todo" }), rec("b", { fldStatus: "Todo" }), rec("c", { fldStatus: "Done" })];

  it("moves a card to another stack at a position", () => {
    const stacks = applyMove(buildStacks(records, status), { recordId: "a", fromKey: "Todo", toKey: "Done", toIndex: 0 });
    expect(stacks.find((s) => s.key === "Todo")!.records.map((r) => r.id)).toEqual(["b"]);
    expect(stacks.find((s) => s.key === "Done")!.records.map((r) => r.id)).toEqual(["a", "c"]);
    expect(stackValue(status, "Done")).toBe("Done");
    expect(stackValue(status, EMPTY_STACK)).toBeNull();
  });

  it("reorders within a stack and records the new order for that stack only", () => {
    const before = buildStacks(records, status);
    const stacks = applyMove(before, { recordId: "a", fromKey: "Todo", toKey: "Todo", toIndex: 1 });
    expect(stacks.find((s) => s.key === "Todo")!.records.map((r) => r.id)).toEqual(["b", "a"]);
    expect(cardOrderAfter(stacks, "Todo", ["c", "a", "b"])).toEqual(["b", "a", "c"]);
    // The untouched stack is the same object (its cards do not re-render).
    expect(stacks.find((s) => s.key === "Done")).toBe(before.find((s) => s.key === "Done"));
  });

  it("finds where a drop lands: on a card or on a stack's empty area", () => {
    const stacks = buildStacks(records, status);
    expect(dropTarget(stacks, "c")).toEqual({ key: "Done", index: 0 });
    expect(dropTarget(stacks, "stack:Doing")).toEqual({ key: "Doing", index: 0 });
    expect(dropTarget(stacks, "stack:Todo")).toEqual({ key: "Todo", index: 2 });
    expect(dropTarget(stacks, "nowhere")).toBeNull();
  });
});
