import { describe, expect, it } from "vitest";

import {
  addChild,
  condition,
  countConditions,
  emptyGroup,
  fieldsInFilter,
  fromApiFilter,
  removeNode,
  toApiFilter,
  toggleNot,
  updateNode,
  type FilterGroup,
} from "@/features/views/lib/filter-tree";

describe("filter tree", () => {
  it("serializes nested AND/OR groups to the API's filter JSON", () => {
    let root = emptyGroup("and");
    root = addChild(root, root.id, condition("fldQty", ">", 3));
    const sub = { ...emptyGroup("or"), children: [condition("fldStatus", "is", "Open"), condition("fldName", "is_empty")] };
    root = addChild(root, root.id, sub);
    expect(toApiFilter(root)).toEqual({
      and: [
        { field: "fldQty", op: ">", value: 3 },
        { or: [{ field: "fldStatus", op: "is", value: "Open" }, { field: "fldName", op: "is_empty" }] },
      ],
    });
    expect(countConditions(root)).toBe(3);
  });

  it("leaves out conditions still missing a value and groups left empty", () => {
    let root = emptyGroup("and");
    root = addChild(root, root.id, condition("fldName", "contains", ""));
    root = addChild(root, root.id, { ...emptyGroup("or"), children: [condition("fldDue", "is", { mode: "exact_date", date: "" })] });
    expect(toApiFilter(root)).toBeNull();
    expect(countConditions(root)).toBe(0);
    root = addChild(root, root.id, condition("fldTags", "has_any_of", []));
    root = addChild(root, root.id, condition("fldDone", "is", false));
    expect(toApiFilter(root)).toEqual({ and: [{ field: "fldDone", op: "is", value: false }] });
  });

  it("reads a saved filter back into the same tree", () => {
    const saved = {
      or: [
        { field: "fldQty", op: "<=", value: 10 },
        { and: [{ field: "fldDue", op: "is_within", value: { mode: "past_week" } }, { field: "fldDone", op: "is", value: true }] },
      ],
    };
    const tree = fromApiFilter(saved);
    expect(tree.conjunction).toBe("or");
    expect(tree.children).toHaveLength(2);
    expect(toApiFilter(tree)).toEqual(saved);
    expect(fieldsInFilter(saved)).toEqual(["fldQty", "fldDue", "fldDone"]);
  });

  it("wraps a bare condition in a group and treats nothing as no filter", () => {
    const tree = fromApiFilter({ field: "fldName", op: "contains", value: "bolt" });
    expect(tree.kind).toBe("group");
    expect(toApiFilter(tree)).toEqual({ and: [{ field: "fldName", op: "contains", value: "bolt" }] });
    expect(fromApiFilter(null).children).toEqual([]);
    expect(toApiFilter(fromApiFilter(undefined))).toBeNull();
  });

  it("updates and removes nodes at any depth without touching the others", () => {
    const inner = condition("fldName", "is", "a");
    const group: FilterGroup = { ...emptyGroup("or"), children: [inner, condition("fldQty", "=", 1)] };
    const root: FilterGroup = { ...emptyGroup("and"), children: [group] };
    const changed = updateNode(root, inner.id, (n) => (n.kind === "condition" ? { ...n, value: "b" } : n));
    expect(toApiFilter(changed)).toEqual({ and: [{ or: [{ field: "fldName", op: "is", value: "b" }, { field: "fldQty", op: "=", value: 1 }] }] });
    expect(toApiFilter(root)).toEqual({ and: [{ or: [{ field: "fldName", op: "is", value: "a" }, { field: "fldQty", op: "=", value: 1 }] }] });
    expect(toApiFilter(removeNode(root, group.id))).toBeNull();
  });

  it("negates a condition or a group with a not node and reads it back", () => {
    const cond = condition("fldName", "contains", "bolt");
    const group: FilterGroup = { ...emptyGroup("or"), children: [condition("fldQty", "=", 1), condition("fldDone", "is", true)] };
    let root: FilterGroup = { ...emptyGroup("and"), children: [cond, group] };
    root = toggleNot(toggleNot(root, cond.id), group.id);
    const saved = {
      and: [
        { not: { field: "fldName", op: "contains", value: "bolt" } },
        { not: { or: [{ field: "fldQty", op: "=", value: 1 }, { field: "fldDone", op: "is", value: true }] } },
      ],
    };
    expect(toApiFilter(root)).toEqual(saved);
    expect(countConditions(root)).toBe(3);
    const back = fromApiFilter(saved);
    expect(back.children.map((c) => c.negated)).toEqual([true, true]);
    expect(toApiFilter(back)).toEqual(saved);
    // Toggling again lifts the negation; an incomplete negated condition is left out like any other.
    expect(toApiFilter(toggleNot(root, cond.id))).toMatchObject({ and: [{ field: "fldName" }, { not: expect.anything() }] });
    expect(toApiFilter(toggleNot({ ...emptyGroup(), children: [condition("fldName", "is", "")] }, "x"))).toBeNull();
  });

  it("keeps a saved top-level not as the root's only child and cancels double nots", () => {
    const top = fromApiFilter({ not: { or: [{ field: "fldName", op: "is", value: "a" }] } });
    expect(top.negated).toBeFalsy();
    expect(top.children).toHaveLength(1);
    expect(toApiFilter(top)).toEqual({ and: [{ not: { or: [{ field: "fldName", op: "is", value: "a" }] } }] });
    const twice = fromApiFilter({ and: [{ not: { not: { field: "fldQty", op: "=", value: 2 } } }] });
    expect(toApiFilter(twice)).toEqual({ and: [{ field: "fldQty", op: "=", value: 2 }] });
    expect(fieldsInFilter({ and: [{ not: { field: "fldQty", op: "=", value: 2 } }] })).toEqual(["fldQty"]);
  });
});
