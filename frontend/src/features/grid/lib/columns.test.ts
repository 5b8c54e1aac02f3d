import { describe, expect, it } from "vitest";

import { orderColumns } from "@/features/grid/lib/columns";
import type { FieldDef } from "@/types/api";

const f = (id: string, position: number): FieldDef => ({
  id,
  table_id: "tbl",
  name: id,
  type: "single_line_text",
  options: {},
  description: null,
  position,
  read_only: false,
});

describe("orderColumns", () => {
  const fields = [f("c", 2), f("name", 0), f("b", 1), f("d", 3)];

  it("puts the primary field first, then the view's order, then the rest by position", () => {
    expect(orderColumns(fields, "name", ["d", "b"], []).map((x) => x.id)).toEqual(["name", "d", "b", "c"]);
    expect(orderColumns(fields, "name", [], []).map((x) => x.id)).toEqual(["name", "b", "c", "d"]);
  });

  it("drops hidden fields (never the primary) and unknown ids", () => {
    expect(orderColumns(fields, "name", ["gone", "c"], ["b", "name"]).map((x) => x.id)).toEqual(["name", "c", "d"]);
  });

  it("falls back to the first field by position without a primary id", () => {
    expect(orderColumns(fields, null, [], [])[0]?.id).toBe("name");
  });
});
