// Filter operators per field type, as the API lists them (GET /field-types: "details" and
// "formula_operators"), with labels and the kind of value each one takes. The API accepts synonyms
// ("=" and "is", "!=" and "is_not"); the builder offers one spelling of each.
import type { FieldDef } from "@/types/api";

export interface FieldTypeInfo {
  name: string;
  read_only: boolean;
  convertible: boolean;
  operators: string[];
}

export interface FieldTypeCatalog {
  types: string[];
  details: FieldTypeInfo[];
  formula_operators: Record<string, string[]>;
}

export const OPERATOR_LABELS: Record<string, string> = {
  is: "is",
  is_not: "is not",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  is_any_of: "is any of",
  is_none_of: "is none of",
  has_any_of: "has any of",
  has_all_of: "has all of",
  has_none_of: "has none of",
  is_exactly: "is exactly",
  "<": "<",
  "<=": "≤",
  ">": ">",
  ">=": "≥",
  is_before: "is before",
  is_after: "is after",
  is_on_or_before: "is on or before",
  is_on_or_after: "is on or after",
  is_within: "is within",
};

// Spellings shown only when their word form is missing.
const SYNONYMS: Record<string, string> = { "=": "is", "!=": "is_not" };
const DATE_TYPES = new Set(["date", "datetime", "created_time", "last_modified_time"]);
const DATE_SYMBOLS = new Set(["<", "<=", ">", ">="]);
const ORDER = Object.keys(OPERATOR_LABELS);

/** What kind of value input an operator needs. */
export type ValueKind = "none" | "text" | "number" | "boolean" | "choice" | "choices" | "list" | "date" | "date-range";

const NUMERIC = new Set(["number", "currency", "percent", "rating", "duration", "autonumber", "count", "rollup"]);

/** The kind of a field for filtering: its type, or a formula's result type. */
export function filterKind(field: FieldDef): string {
  if (field.type === "formula") {
    const result = field.options.result_type;
    return typeof result === "string" ? `formula:${result}` : "formula:text";
  }
  return field.type;
}

export function operatorsFor(field: FieldDef, catalog: FieldTypeCatalog | undefined): string[] {
  const kind = filterKind(field);
  // The field's own list (GET /tables/{id}/fields) first; the type catalogue otherwise.
  let raw: string[] = field.operators ?? [];
  if (!field.operators) {
    if (kind.startsWith("formula:")) raw = catalog?.formula_operators[kind.slice(8)] ?? [];
    else raw = catalog?.details.find((d) => d.name === field.type)?.operators ?? [];
  }
  const set = new Set(raw);
  const isDate = DATE_TYPES.has(field.type) || kind === "formula:date";
  const shown = raw.filter((op) => {
    const word = SYNONYMS[op];
    if (word && set.has(word)) return false;
    if (isDate && DATE_SYMBOLS.has(op) && set.has("is_before")) return false;
    return true;
  });
  return shown.sort((a, b) => rank(a) - rank(b));
}

function rank(op: string): number {
  const index = ORDER.indexOf(op);
  return index === -1 ? ORDER.length : index;
}

export function operatorLabel(op: string): string {
  return OPERATOR_LABELS[op] ?? op.replace(/_/g, " ");
}

export function valueKind(field: FieldDef, op: string): ValueKind {
  if (op === "is_empty" || op === "is_not_empty") return "none";
  const kind = filterKind(field);
  const select = field.type === "single_select" || field.type === "multiple_select";
  const many = ["is_any_of", "is_none_of", "has_any_of", "has_all_of", "has_none_of", "is_exactly"].includes(op);
  if (select) {
    if (op === "contains" || op === "not_contains") return "text";
    return many || field.type === "multiple_select" ? "choices" : "choice";
  }
  if (many) return "list";
  if (DATE_TYPES.has(field.type) || kind === "formula:date") return op === "is_within" ? "date-range" : "date";
  if (field.type === "checkbox" || kind === "formula:boolean") return "boolean";
  if (NUMERIC.has(field.type) || kind === "formula:number") return "number";
  return "text";
}

/** The value a new condition starts with for this operator. */
export function defaultValue(kind: ValueKind): unknown {
  switch (kind) {
    case "none":
      return undefined;
    case "boolean":
      return true;
    case "choices":
    case "list":
      return [];
    case "date":
      return { mode: "today" };
    case "date-range":
      return { mode: "past_week" };
    default:
      return "";
  }
}

export const DATE_MODES = [
  ["today", "today"],
  ["yesterday", "yesterday"],
  ["tomorrow", "tomorrow"],
  ["exact_date", "exact date"],
] as const;

export const DATE_RANGES = [
  ["past_week", "the past week"],
  ["past_month", "the past month"],
  ["past_year", "the past year"],
  ["this_week", "this week"],
  ["this_month", "this month"],
  ["this_year", "this year"],
  ["next_week", "the next week"],
  ["next_month", "the next month"],
  ["next_year", "the next year"],
] as const;
