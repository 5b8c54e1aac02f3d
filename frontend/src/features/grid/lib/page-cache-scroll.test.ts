import { describe, expect, it } from "vitest";

import { overscanFor, PageCache, pagesForWindow } from "@/features/grid/lib/page-cache";
import type { RecordRow } from "@/types/api";

function rows(from: number, count: number): RecordRow[] {
  return Array.from({ length: count }, (_, i) => ({ id: `rec${from + i}`, version: 1, created_at: "", updated_at: "", fields: {} }));
}

describe("pages ahead of the scroll", () => {
  it("loads more pages in the direction of the scroll", () => {
    expect(overscanFor(1)).toEqual({ before: 1, after: 3 });
    expect(overscanFor(-1)).toEqual({ before: 3, after: 1 });
    expect(overscanFor(0)).toEqual({ before: 1, after: 1 });
    expect(pagesForWindow(1_000, 1_030, 100, 100_000, overscanFor(1))).toEqual([9, 10, 11, 12, 13]);
    expect(pagesForWindow(1_000, 1_030, 100, 100_000, overscanFor(-1))).toEqual([7, 8, 9, 10, 11]);
    // Clipped to the table.
    expect(pagesForWindow(99_950, 99_999, 100, 100_000, overscanFor(1))).toEqual([998, 999]);
  });

  it("asks for the visible pages first, then the nearest ones ahead", () => {
    const cache = new PageCache(100);
    cache.store(0, { records: rows(0, 100), next_cursor: "c0", total: 100_000 });
    expect(cache.missing(150, 260, overscanFor(1))).toEqual([1, 2, 3, 4, 5]);
    expect(cache.missing(950, 960, overscanFor(-1))).toEqual([9, 8, 10, 7, 6]);
  });

  it("tells a scroll onward from loaded rows from a jump", () => {
    const cache = new PageCache(100);
    cache.store(0, { records: rows(0, 100), next_cursor: "c0", total: 100_000 });
    expect(cache.continues(cache.missing(80, 120, overscanFor(1)))).toBe(true);
    expect(cache.continues(cache.missing(60_000, 60_030, overscanFor(1)))).toBe(false);
    cache.markLoading(600);
    expect(cache.continues(cache.missing(60_100, 60_130, overscanFor(1)))).toBe(true);
    expect(cache.continues([])).toBe(false);
  });

  it("gives the rows of a page, clipped to the count", () => {
    const cache = new PageCache(100);
    expect(cache.rowsOf(2)).toEqual([200, 299]);
    cache.store(0, { records: rows(0, 100), next_cursor: "c0", total: 250 });
    expect(cache.rowsOf(2)).toEqual([200, 249]);
  });
});
