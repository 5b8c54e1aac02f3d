import { describe, expect, it } from "vitest";

import { applyCompletion, completionsAt, displayFormula } from "@/features/fields/lib/formula";

const fields = ["Price", "Quantity", "Part number", "Unit price"];
const functions = [{ name: "IF" }, { name: "IS_AFTER" }, { name: "ROUND" }, { name: "SUM" }];

describe("formula completions", () => {
  it("completes field names after an open brace, matches first then contains", () => {
    const text = "{pr";
    const got = completionsAt(text, text.length, fields, functions);
    expect(got.map((c) => c.label)).toEqual(["Price", "Unit price"]);
    expect(applyCompletion(text, got[0]!)).toEqual({ text: "{Price}", caret: 7 });
  });

  it("replaces the closing brace already there and keeps what follows", () => {
    const text = "{Qu} * 2";
    const got = completionsAt(text, 3, fields, functions);
    expect(got[0]).toMatchObject({ label: "Quantity", from: 0, to: 4 });
    expect(applyCompletion(text, got[0]!).text).toBe("{Quantity} * 2");
  });

  it("completes function names (and fields) while a word is typed", () => {
    const text = "ROUND({Price}, 2) + i";
    const got = completionsAt(text, text.length, fields, functions);
    expect(got.map((c) => `${c.kind}:${c.label}`)).toEqual(["function:IF", "function:IS_AFTER"]);
    expect(applyCompletion(text, got[0]!).text).toBe("ROUND({Price}, 2) + IF(");
    const unit = completionsAt("un", 2, fields, functions);
    expect(unit).toEqual([expect.objectContaining({ kind: "field", insert: "{Unit price}" })]);
  });

  it("suggests nothing inside strings or after a closed reference", () => {
    expect(completionsAt('"{Pr', 4, fields, functions)).toEqual([]);
    expect(completionsAt('CONCAT("su', 10, fields, functions)).toEqual([]);
    expect(completionsAt("{Price} ", 8, fields, functions)).toEqual([]);
  });
});

describe("displayFormula", () => {
  it("shows field names for the stored IDs, leaving unknown IDs and strings alone", () => {
    const fields = [{ id: "fldAAAAAAAAAAAAAA", name: "Unit price" }, { id: "fldBBBBBBBBBBBBBB", name: "Qty" }];
    expect(displayFormula('{fldAAAAAAAAAAAAAA} * {fldBBBBBBBBBBBBBB} & " " & {fldCCCCCCCCCCCCCC}', fields)).toBe(
      '{Unit price} * {Qty} & " " & {fldCCCCCCCCCCCCCC}',
    );
  });
});
