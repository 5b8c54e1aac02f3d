import { describe, expect, it } from "vitest";

import { eventValues, withEventValues } from "@/features/grid/lib/live-values";
import type { RecordRow } from "@/types/api";

const record: RecordRow = { id: "rec1", version: 3, created_at: "t", updated_at: "t", fields: { fldA: "old", fldN: 1 } };
const types = new Map([
  ["fldA", { type: "single_line_text" }],
  ["fldN", { type: "number" }],
  ["fldC", { type: "checkbox" }],
  ["fldS", { type: "single_select" }],
]);

describe("live values", () => {
  it("merges values whose stored form is the API form, keeping the version for the fetch to update", () => {
    const merged = withEventValues(record, { fldA: "new", fldN: null, fldC: null }, types);
    expect(merged).toEqual({ ...record, fields: { fldA: "new", fldN: null, fldC: false } });
    expect(record.fields.fldA).toBe("old");
  });

  it("refuses values it cannot show as is (select option ids, unknown fields, malformed)", () => {
    expect(withEventValues(record, { fldA: "x", fldS: "selABC" }, types)).toBeNull();
    expect(withEventValues(record, { fldZ: 1 }, types)).toBeNull();
    expect(withEventValues(record, ["x"], types)).toBeNull();
  });

  it("reads the per-record values of a payload", () => {
    const values = eventValues({ record_ids: ["rec1", "rec2"], records: [{ id: "rec1", fields: { fldA: "v" } }, { bad: 1 }] });
    expect([...values]).toEqual([["rec1", { fldA: "v" }]]);
    expect(eventValues({ record_ids: ["rec1"] }).size).toBe(0);
  });
});
