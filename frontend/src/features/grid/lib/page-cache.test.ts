import { describe, expect, it } from "vitest";

import { PageCache, pagesForWindow } from "@/features/grid/lib/page-cache";
import type { RecordRow } from "@/types/api";

function rows(from: number, count: number): RecordRow[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `rec${from + i}`,
    version: 1,
    created_at: "",
    updated_at: "",
    fields: { n: from + i },
  }));
}

describe("pagesForWindow", () => {
  it("covers the window with one page of overscan, clipped to the table", () => {
    expect(pagesForWindow(0, 30, 100, 100_000)).toEqual([0, 1]);
    expect(pagesForWindow(250, 290, 100, 100_000)).toEqual([1, 2, 3]);
    expect(pagesForWindow(99_950, 99_999, 100, 100_000)).toEqual([998, 999]);
    expect(pagesForWindow(0, 10, 100, 0)).toEqual([]);
    expect(pagesForWindow(0, 10, 100, 5, 0)).toEqual([0]);
  });
});

describe("PageCache", () => {
  it("asks for the first page until the count is known", () => {
    const cache = new PageCache(100);
    expect(cache.missing(0, 40)).toEqual([0]);
    cache.markLoading(0);
    expect(cache.missing(0, 40)).toEqual([]);
    cache.store(0, { records: rows(0, 100), next_cursor: "c0", total: 100_000 });
    expect(cache.total).toBe(100_000);
    expect(cache.row(42)?.id).toBe("rec42");
    expect(cache.missing(0, 40)).toEqual([1]);
  });

  it("continues by keyset cursor after a loaded page and jumps by offset elsewhere", () => {
    const cache = new PageCache(100);
    cache.store(0, { records: rows(0, 100), next_cursor: "c0", total: 100_000 });
    expect(cache.request(1)).toEqual({ page: 1, cursor: "c0" });
    // Scrollbar dragged to row 60,000: the visible window is fetched directly.
    const missing = cache.missing(60_000, 60_040);
    expect(missing).toEqual([600, 599, 601]);
    expect(cache.request(600)).toEqual({ page: 600, offset: 60_000 });
    cache.store(600, { records: rows(60_000, 100), next_cursor: "c600" });
    expect(cache.request(601)).toEqual({ page: 601, cursor: "c600" });
    expect(cache.row(60_001)?.fields.n).toBe(60_001);
    expect(cache.row(59_999)).toBeUndefined();
  });

  it("learns the exact count from the last page and drops answers from before a clear", () => {
    const cache = new PageCache(10);
    cache.store(0, { records: rows(0, 10), next_cursor: "a" });
    cache.store(1, { records: rows(10, 4), next_cursor: null });
    expect(cache.total).toBe(14);
    const before = cache.generation;
    cache.markLoading(1);
    cache.clear();
    expect(cache.store(1, { records: rows(10, 4), next_cursor: null }, before)).toBe(false);
    expect(cache.hasPage(1)).toBe(false);
    // The grid keeps its size while reloading; the next answer with a count settles it.
    expect(cache.total).toBe(14);
    expect(cache.countStale).toBe(true);
    cache.store(0, { records: rows(0, 10), next_cursor: "a", total: 15 });
    expect(cache.total).toBe(15);
    expect(cache.countStale).toBe(false);
    expect(cache.missing(0, 5)).toEqual([1]);
  });

  it("shrinks to an upper bound when a page past the end comes back empty", () => {
    const cache = new PageCache(10);
    cache.store(0, { records: rows(0, 10), next_cursor: "a", total: 100 });
    cache.store(7, { records: [], next_cursor: null });
    expect(cache.total).toBe(70);
    cache.store(5, { records: rows(50, 3), next_cursor: null });
    expect(cache.total).toBe(53);
  });

  it("keeps a grouped view's groups with the count they were read with", () => {
    const cache = new PageCache(10);
    const groups = { field_id: "fldS", groups: [{ value: "a", count: 60 }, { value: null, count: 40 }], truncated: false };
    cache.store(0, { records: rows(0, 10), next_cursor: "a", total: 100, group_counts: groups });
    expect(cache.groups).toEqual(groups);
    cache.store(1, { records: rows(10, 10), next_cursor: "b" });
    expect(cache.groups).toEqual(groups);
    cache.clear();
    expect(cache.groups).toEqual(groups); // kept with the old count until the recount
    cache.store(0, { records: rows(0, 10), next_cursor: "a", total: 90 });
    expect(cache.groups).toBeNull();
  });

  it("finds and replaces loaded records", () => {
    const cache = new PageCache(10);
    cache.store(3, { records: rows(30, 10), next_cursor: "x", total: 100 });
    expect(cache.indexOf("rec35")).toBe(35);
    expect(cache.replace({ ...rows(35, 1)[0]!, version: 2 })).toBe(35);
    expect(cache.row(35)?.version).toBe(2);
    expect(cache.replace(rows(99, 1)[0]!)).toBe(-1);
  });
});
