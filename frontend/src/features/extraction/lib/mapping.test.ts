import { describe, expect, it } from "vitest";

import { initialChoices, mappingProblems, mappingRequest, previewRecords, retarget, type SuggestedMapping } from "@/features/extraction/lib/mapping";

const suggested: SuggestedMapping = {
  table_id: "tblParts",
  source: "bom",
  sources: { bom: 3, dimensions: 12 },
  columns: [
    { source: "Part No", field: "Part No", field_id: "fldPart", type: "text", exists: true },
    { source: "Qty", field: "Qty", field_id: null, type: "number", options: { precision: 0 }, exists: false },
    { source: "Material", field: "Material", field_id: null, type: "material", exists: false },
  ],
  options: { tables: [0] },
  row_count: 3,
  preview: [
    { "Part No": "P-1", Qty: 2, Material: "S235" },
    { "Part No": "P-2", Qty: 4 },
  ],
};
const fields = [
  { id: "fldPart", name: "Part No", type: "text" },
  { id: "fldMat", name: "Werkstoff", type: "text" },
  { id: "fldTotal", name: "Total", type: "formula", read_only: true },
];

describe("mapping", () => {
  it("previews the records the mapping would create, by field name", () => {
    let choices = initialChoices(suggested);
    choices = choices.map((c) => (c.source === "Material" ? retarget(c, fields, "fldMat") : c));
    expect(previewRecords(suggested.preview, choices)).toEqual([
      { "Part No": "P-1", Qty: 2, Werkstoff: "S235" },
      { "Part No": "P-2", Qty: 4, Werkstoff: null },
    ]);
    choices = choices.map((c) => (c.source === "Qty" ? { ...c, include: false } : c));
    expect(previewRecords(suggested.preview, choices)[0]).toEqual({ "Part No": "P-1", Werkstoff: "S235" });
  });

  it("builds the request: existing fields by id, new ones by name with their type", () => {
    const choices = initialChoices(suggested);
    expect(mappingRequest("tblParts", suggested, choices, "key1")).toEqual({
      table_id: "tblParts",
      source: "bom",
      columns: [
        { source: "Part No", field: "fldPart" },
        { source: "Qty", field: "Qty", type: "number", options: { precision: 0 } },
        { source: "Material", field: "Material", type: "material", options: {} },
      ],
      options: { tables: [0] },
      create_missing_fields: true,
      typecast: true,
      idempotency_key: "key1",
    });
    const onlyExisting = choices.map((c) => ({ ...c, include: c.source === "Part No" }));
    expect(mappingRequest("tblParts", suggested, onlyExisting, "k").create_missing_fields).toBe(false);
  });

  it("reports nothing mapped, two columns on one field and computed targets", () => {
    const choices = initialChoices(suggested);
    expect(mappingProblems(choices, fields)).toEqual([]);
    expect(mappingProblems(choices.map((c) => ({ ...c, include: false })), fields)).toEqual(["Choose at least one column to map."]);
    const twice = choices.map((c) => (c.source === "Qty" ? retarget(c, fields, "fldPart") : c));
    expect(mappingProblems(twice, fields)).toEqual(["Part No and Qty both go to Part No."]);
    const computed = choices.map((c) => (c.source === "Qty" ? retarget(c, fields, "fldTotal") : c));
    expect(mappingProblems(computed, fields)).toEqual(["Total is computed and cannot be written."]);
    const sameNewName = choices.map((c) => (c.source === "Material" ? retarget(c, fields, "qty") : c));
    expect(mappingProblems(sameNewName, fields)).toEqual(["Qty and Material both go to qty."]);
  });
});
