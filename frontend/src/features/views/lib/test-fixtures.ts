// Fields and a field-type catalogue shaped like the API's, for the views tests.
import type { FieldTypeCatalog } from "@/features/views/lib/operators";
import type { FieldDef } from "@/types/api";

export function field(id: string, name: string, type: string, options: Record<string, unknown> = {}): FieldDef {
  return { id, table_id: "tblT", name, type, options, description: null, position: 0, read_only: false };
}

const TEXT = ["!=", "=", "contains", "is", "is_any_of", "is_empty", "is_none_of", "is_not", "is_not_empty", "not_contains", "starts_with"];
const NUMBER = ["!=", "<", "<=", "=", ">", ">=", "is", "is_any_of", "is_empty", "is_none_of", "is_not", "is_not_empty"];
const DATE = ["!=", "<", "<=", "=", ">", ">=", "is", "is_after", "is_before", "is_empty", "is_not", "is_not_empty", "is_on_or_after", "is_on_or_before", "is_within"];

/** A slice of GET /field-types as the API answers it (operators sorted, synonyms included). */
export const catalog: FieldTypeCatalog = {
  types: ["single_line_text", "number", "date", "checkbox", "single_select", "multiple_select", "formula"],
  details: [
    { name: "single_line_text", read_only: false, convertible: true, operators: TEXT },
    { name: "number", read_only: false, convertible: true, operators: NUMBER },
    { name: "date", read_only: false, convertible: true, operators: DATE },
    { name: "checkbox", read_only: false, convertible: true, operators: ["!=", "=", "is", "is_not"] },
    { name: "single_select", read_only: false, convertible: true, operators: ["!=", "=", "contains", "is", "is_any_of", "is_empty", "is_none_of", "is_not", "is_not_empty", "not_contains"] },
    { name: "multiple_select", read_only: false, convertible: true, operators: ["contains", "has_all_of", "has_any_of", "has_none_of", "is", "is_empty", "is_exactly", "is_not", "is_not_empty", "not_contains"] },
    { name: "formula", read_only: true, convertible: true, operators: [] },
  ],
  formula_operators: { number: NUMBER, text: TEXT, date: DATE.filter((op) => op !== "is_within"), boolean: ["!=", "=", "is", "is_not"] },
};

export const fields: FieldDef[] = [
  field("fldName", "Name", "single_line_text"),
  field("fldQty", "Qty", "number", { precision: 0 }),
  field("fldDue", "Due", "date"),
  field("fldDone", "Done", "checkbox"),
  field("fldStatus", "Status", "single_select", { choices: [{ id: "selA", name: "Open", color: "blue" }, { id: "selB", name: "Closed", color: "gray" }] }),
  field("fldTotal", "Total", "formula", { formula: "{Qty} * 2", result_type: "number" }),
];
