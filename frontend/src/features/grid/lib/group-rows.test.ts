import { describe, expect, it } from "vitest";

import { groupKey, RowLayout, type GroupCounts } from "@/features/grid/lib/group-rows";

const counts = (...sizes: [unknown, number][]): GroupCounts => ({
  field_id: "fldS",
  groups: sizes.map(([value, count]) => ({ value, count })),
  truncated: false,
});

describe("RowLayout", () => {
  it("puts a header before each group and maps rows both ways", () => {
    const layout = new RowLayout(counts(["Todo", 2], ["Done", 3], [null, 1]), 6);
    expect(layout.grouped).toBe(true);
    expect(layout.displayCount).toBe(9);
    expect(layout.at(0)).toEqual({ kind: "group", group: 0, value: "Todo", count: 2, collapsed: false });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((row) => layout.recordIndex(row))).toEqual([0, 1, -1, 2, 3, 4, -1, 5]);
    expect([0, 1, 2, 3, 4, 5].map((index) => layout.displayOf(index))).toEqual([1, 2, 4, 5, 6, 8]);
    expect(layout.at(9)).toBeUndefined();
    expect(layout.headers().map((h) => h.row)).toEqual([0, 3, 7]);
  });

  it("gives collapsed groups no rows", () => {
    const layout = new RowLayout(counts(["Todo", 2], ["Done", 3], [null, 1]), 6, new Set([groupKey("Done")]));
    expect(layout.displayCount).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((row) => layout.at(row)?.kind)).toEqual(["group", "record", "record", "group", "group", "record"]);
    expect(layout.at(3)).toMatchObject({ value: "Done", collapsed: true });
    expect(layout.recordIndex(5)).toBe(5);
    expect(layout.displayOf(3)).toBe(-1);
    expect(layout.displayOf(5)).toBe(5);
  });

  it("loads only the rows on screen, skipping collapsed groups", () => {
    const layout = new RowLayout(counts(["a", 1000], ["b", 50_000], ["c", 1000]), 52_000, new Set([groupKey("b")]));
    // Rows 995..1004: the end of a, the collapsed header of b, the start of c.
    expect(layout.segments(995, 1010)).toEqual([
      [994, 999],
      [51_000, 51_007],
    ]);
    const open = new RowLayout(counts(["a", 3], ["b", 3]), 6);
    expect(open.segments(0, 100)).toEqual([[0, 5]]);
    expect(open.segments(5, 6)).toEqual([[3, 4]]);
  });

  it("falls back to plain positions when the counts cannot place rows", () => {
    const plain = new RowLayout(null, 10);
    expect(plain.grouped).toBe(false);
    expect(plain.displayCount).toBe(10);
    expect(plain.recordIndex(4)).toBe(4);
    // The window passes unchanged (the count may still be unknown, or change).
    expect(plain.segments(2, 50)).toEqual([[2, 50]]);
    expect(new RowLayout(null, 0).segments(0, 30)).toEqual([[0, 30]]);
    expect(new RowLayout({ ...counts(["a", 5]), truncated: true }, 5).grouped).toBe(false);
    // Counts from before a change that the row count already reflects.
    expect(new RowLayout(counts(["a", 5]), 6).grouped).toBe(false);
  });
});
