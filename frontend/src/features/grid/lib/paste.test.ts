import { describe, expect, it } from "vitest";

import { toWritable } from "@/features/grid/lib/field-values";
import { planPaste } from "@/features/grid/lib/paste";
import { parseTsv } from "@/features/grid/lib/tsv";
import type { FieldDef, RecordRow } from "@/types/api";

const f = (id: string, type: string, options: Record<string, unknown> = {}): FieldDef => ({
  id,
  table_id: "tbl",
  name: id,
  type,
  options,
  description: null,
  position: 0,
  read_only: false,
});

const columns = [f("name", "single_line_text"), f("qty", "number"), f("calc", "formula"), f("ok", "checkbox")];
const records: RecordRow[] = [0, 1].map((i) => ({
  id: `rec${i}`,
  version: 1,
  created_at: "",
  updated_at: "",
  fields: { name: `r${i}`, qty: i },
}));

describe("planPaste", () => {
  it("updates existing rows, skips computed columns and creates rows past the end", () => {
    const plan = planPaste({
      anchor: [0, 1],
      values: parseTsv("a\t1,5\tx\tyes\nb\t2\ty\tno\n"),
      columns,
      rowCount: 2,
      recordAt: (row) => records[row],
    });
    expect(plan.updates).toEqual([{ id: "rec1", fields: { name: "a", qty: 15, ok: true } }]);
    expect(plan.creates).toEqual([{ fields: { name: "b", qty: 2, ok: false } }]);
    expect(plan.skipped).toBe(2);
    expect(plan.changes).toEqual([
      { recordId: "rec1", fieldId: "name", before: "r1", after: "a" },
      { recordId: "rec1", fieldId: "qty", before: 1, after: 15 },
      { recordId: "rec1", fieldId: "ok", before: null, after: true },
    ]);
  });

  it("sends text the grid cannot read as typed, for the API's typecast", () => {
    const plan = planPaste({ anchor: [1, 0], values: [["about 5"]], columns, rowCount: 2, recordAt: (r) => records[r] });
    expect(plan.updates).toEqual([{ id: "rec0", fields: { qty: "about 5" } }]);
  });

  it("fills a larger selection with a single pasted value", () => {
    const plan = planPaste({
      anchor: [0, 0],
      values: [["same"]],
      columns,
      rowCount: 2,
      recordAt: (r) => records[r],
      selection: { width: 1, height: 2 },
    });
    expect(plan.updates.map((u) => u.fields.name)).toEqual(["same", "same"]);
  });

  it("skips rows that are not loaded instead of guessing", () => {
    const plan = planPaste({ anchor: [0, 0], values: [["a"], ["b"]], columns, rowCount: 5, recordAt: (r) => (r === 0 ? records[0] : undefined) });
    expect(plan.updates).toHaveLength(1);
    expect(plan.skipped).toBe(1);
  });
});

describe("toWritable", () => {
  it("turns read values into writable ones", () => {
    expect(toWritable(f("l", "link"), [{ id: "rec1", name: "A" }])).toEqual(["rec1"]);
    expect(toWritable(f("d", "dimension"), { value: 1, unit: "mm", display: "1 mm" })).toBe("1 mm");
    expect(toWritable(f("a", "attachment"), [{ id: "att1", url: "https://x", filename: "a.png" }])).toEqual([{ id: "att1" }]);
    expect(toWritable(f("t", "single_line_text"), undefined)).toBeNull();
    expect(toWritable(f("s", "multiple_select"), ["a"])).toEqual(["a"]);
  });
});
