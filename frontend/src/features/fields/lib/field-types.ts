// Field types as people see them: names, groups in the type picker, the options a new field of
// each type starts with, and the checks the form makes before asking the API (which checks again).
export const FIELD_TYPE_LABELS: Record<string, string> = {
  single_line_text: "Single line text",
  long_text: "Long text",
  number: "Number",
  currency: "Currency",
  percent: "Percent",
  rating: "Rating",
  duration: "Duration",
  checkbox: "Checkbox",
  date: "Date",
  datetime: "Date and time",
  single_select: "Single select",
  multiple_select: "Multiple select",
  email: "Email",
  url: "URL",
  phone: "Phone number",
  user: "User",
  attachment: "Attachment",
  link: "Link to another record",
  lookup: "Lookup",
  rollup: "Rollup",
  count: "Count",
  formula: "Formula",
  autonumber: "Autonumber",
  created_time: "Created time",
  last_modified_time: "Last modified time",
  created_by: "Created by",
  last_modified_by: "Last modified by",
  dimension: "Dimension",
  thread: "Thread",
  material: "Material",
  surface_finish: "Surface finish",
  barcode: "Barcode",
  button: "Button",
};

export const FIELD_TYPE_GROUPS: [string, string[]][] = [
  ["Basic", ["single_line_text", "long_text", "number", "currency", "percent", "rating", "duration", "checkbox"]],
  ["Dates", ["date", "datetime"]],
  ["Choices and people", ["single_select", "multiple_select", "user"]],
  ["Contact", ["email", "url", "phone"]],
  ["Files and codes", ["attachment", "barcode", "button"]],
  ["Relations", ["link", "lookup", "rollup", "count"]],
  ["Computed", ["formula", "autonumber", "created_time", "last_modified_time", "created_by", "last_modified_by"]],
  ["Engineering", ["dimension", "thread", "material", "surface_finish"]],
];

export function typeLabel(type: string): string {
  return FIELD_TYPE_LABELS[type] ?? type.replace(/_/g, " ");
}

/** The API's select colours (fields/types/select.py). */
export const SELECT_COLORS = [
  "blue", "cyan", "teal", "green", "yellow", "orange", "red", "pink", "purple", "gray",
  "dark_blue", "dark_cyan", "dark_teal", "dark_green", "dark_yellow", "dark_orange", "dark_red", "dark_pink",
  "dark_purple", "dark_gray",
] as const;

export const COLOR_SWATCH: Record<string, string> = {
  blue: "#cfdfff", cyan: "#d0f0fd", teal: "#c2f5e9", green: "#d1f7c4", yellow: "#ffeab6", orange: "#fee2d5",
  red: "#ffdce5", pink: "#ffdaf6", purple: "#ede2fe", gray: "#eeeeee",
  dark_blue: "#2d7ff9", dark_cyan: "#18bfff", dark_teal: "#20d9d2", dark_green: "#20c933", dark_yellow: "#fcb400",
  dark_orange: "#ff6f2c", dark_red: "#f82b60", dark_pink: "#ff08c2", dark_purple: "#8b46ff", dark_gray: "#666666",
};

export const DIMENSION_UNITS = ["mm", "cm", "m", "um", "in", "ft"] as const;
export const DURATION_FORMATS = ["h:mm", "h:mm:ss", "h:mm:ss.s"] as const;
export const DATE_FORMATS = [
  ["iso", "ISO (2024-03-31)"],
  ["us", "US (3/31/2024)"],
  ["european", "European (31/3/2024)"],
] as const;
/** Rollup functions (fields/types/relational.py AGGREGATIONS). */
export const ROLLUP_FUNCTIONS = [
  "SUM", "AVERAGE", "MIN", "MAX", "COUNT", "COUNTA", "COUNTALL", "ARRAYJOIN", "ARRAYUNIQUE", "ARRAYCOMPACT",
  "AND", "OR", "XOR", "CONCATENATE",
] as const;

export interface SelectChoice {
  id?: string;
  name: string;
  color?: string;
}

/** Options a new field of `type` starts with (what Airtable users expect to see filled in). */
export function defaultOptions(type: string): Record<string, unknown> {
  switch (type) {
    case "number":
      return { precision: 0 };
    case "currency":
      return { precision: 2, symbol: "$" };
    case "percent":
      return { precision: 0 };
    case "rating":
      return { max: 5 };
    case "duration":
      return { format: "h:mm" };
    case "date":
      return { format: "iso" };
    case "datetime":
      return {};
    case "single_select":
    case "multiple_select":
      return { choices: [] };
    case "user":
      return { multiple: false };
    case "link":
      return { single: false, create_inverse: true };
    case "rollup":
      return { function: "SUM" };
    case "dimension":
      return { unit: "mm" };
    case "formula":
      return { formula: "" };
    case "button":
      return { label: "Open", url_formula: "" };
    default:
      return {};
  }
}

/** What is missing or wrong in the options before they go to the API; null when they can go. */
export function optionsProblem(type: string, options: Record<string, unknown>): string | null {
  const text = (key: string) => (typeof options[key] === "string" ? (options[key] as string).trim() : "");
  switch (type) {
    case "formula":
      return text("formula") ? null : "Write a formula.";
    case "button": {
      const label = text("label");
      return label && label.length <= 100 ? null : "A button needs a label of 1 to 100 characters.";
    }
    case "link":
      return text("linked_table_id") ? null : "Choose the table to link to.";
    case "lookup":
    case "rollup":
      if (!text("link_field_id")) return "Choose a link field.";
      if (!text("field_id")) return "Choose a field of the linked table.";
      return type === "rollup" && !text("function") && !text("formula") ? "Choose an aggregation." : null;
    case "count":
      return text("link_field_id") ? null : "Choose a link field.";
    case "currency": {
      const symbol = text("symbol");
      return symbol.length >= 1 && symbol.length <= 5 ? null : "The currency symbol is 1 to 5 characters.";
    }
    case "single_select":
    case "multiple_select": {
      const choices = Array.isArray(options.choices) ? (options.choices as SelectChoice[]) : [];
      const names = choices.map((c) => c.name.trim());
      if (names.some((n) => !n)) return "Every option needs a name.";
      const seen = new Set<string>();
      for (const name of names) {
        if (seen.has(name)) return `"${name}" is listed twice.`;
        seen.add(name);
      }
      return null;
    }
    default:
      return null;
  }
}

/** Options ready to send: trimmed choices and no empty strings. */
export function cleanOptions(type: string, options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === "" || value === undefined) continue;
    out[key] = value;
  }
  if ((type === "single_select" || type === "multiple_select") && Array.isArray(out.choices)) {
    out.choices = (out.choices as SelectChoice[]).map((c) => ({ ...c, name: c.name.trim() }));
  }
  return out;
}
