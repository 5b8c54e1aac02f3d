import { describe, expect, it } from "vitest";

import { operatorLabel, operatorsFor, valueKind } from "@/features/views/lib/operators";
import { catalog, field, fields } from "@/features/views/lib/test-fixtures";

const byName = (name: string) => fields.find((f) => f.name === name)!;

describe("operators per type", () => {
  it("offers the API's operators of each type, one spelling per synonym", () => {
    expect(operatorsFor(byName("Name"), catalog)).toEqual([
      "is", "is_not", "contains", "not_contains", "starts_with", "is_empty", "is_not_empty", "is_any_of", "is_none_of",
    ]);
    const number = operatorsFor(byName("Qty"), catalog);
    expect(number).toContain("<");
    expect(number).toContain(">=");
    expect(number).not.toContain("=");
    expect(number).not.toContain("contains");
    expect(operatorsFor(byName("Done"), catalog)).toEqual(["is", "is_not"]);
  });

  it("gives dates words instead of symbols, and is within", () => {
    const ops = operatorsFor(byName("Due"), catalog);
    expect(ops).toEqual(expect.arrayContaining(["is_before", "is_after", "is_on_or_before", "is_within", "is_empty"]));
    expect(ops).not.toContain("<");
    expect(operatorLabel("is_on_or_before")).toBe("is on or before");
  });

  it("uses a formula's result type", () => {
    expect(operatorsFor(byName("Total"), catalog)).toContain(">");
    const textFormula = field("fldF", "Label", "formula", { formula: "UPPER({Name})", result_type: "text" });
    expect(operatorsFor(textFormula, catalog)).toContain("contains");
    expect(operatorsFor(field("fldX", "X", "formula", {}), catalog)).toContain("contains");
  });

  it("knows nothing before the catalogue has loaded", () => {
    expect(operatorsFor(byName("Name"), undefined)).toEqual([]);
  });

  it("picks a value input per type and operator", () => {
    expect(valueKind(byName("Name"), "is_empty")).toBe("none");
    expect(valueKind(byName("Name"), "contains")).toBe("text");
    expect(valueKind(byName("Name"), "is_any_of")).toBe("list");
    expect(valueKind(byName("Qty"), "<")).toBe("number");
    expect(valueKind(byName("Total"), ">")).toBe("number");
    expect(valueKind(byName("Due"), "is_before")).toBe("date");
    expect(valueKind(byName("Due"), "is_within")).toBe("date-range");
    expect(valueKind(byName("Done"), "is")).toBe("boolean");
    expect(valueKind(byName("Status"), "is")).toBe("choice");
    expect(valueKind(byName("Status"), "is_any_of")).toBe("choices");
    expect(valueKind(byName("Status"), "contains")).toBe("text");
    expect(valueKind(field("fldT", "Tags", "multiple_select"), "has_all_of")).toBe("choices");
  });
});

describe("operators listed with the field", () => {
  it("are used before the catalogue, which may be unavailable", () => {
    const withOwn = { ...field("fldQ", "Qty", "number"), operators: ["<", "=", "is", "is_empty"] };
    expect(operatorsFor(withOwn, undefined)).toEqual(["is", "is_empty", "<"]);
    expect(operatorsFor({ ...field("fldF", "F", "formula"), operators: [] }, catalog)).toEqual([]);
  });
});
