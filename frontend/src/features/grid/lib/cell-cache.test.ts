import { describe, expect, it } from "vitest";

import { CellCache } from "@/features/grid/lib/cell-cache";

describe("CellCache", () => {
  it("builds a record's cell once per column until the record is replaced", () => {
    const cache = new CellCache<{ text: string }>();
    let builds = 0;
    const build = (text: string) => () => {
      builds += 1;
      return { text };
    };
    const record = { id: "rec1" };
    const first = cache.get(record, 0, build("a"));
    expect(cache.get(record, 0, build("ignored"))).toBe(first);
    expect(cache.get(record, 1, build("b")).text).toBe("b");
    expect(builds).toBe(2);
    // An edit replaces the record object: its cells are built again.
    const edited = { id: "rec1" };
    expect(cache.get(edited, 0, build("c")).text).toBe("c");
    expect(builds).toBe(3);
  });
});
