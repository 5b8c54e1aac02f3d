// How each field type's API value reads in a cell and how typed text becomes a value to send.
// One entry per type (a registry, as the API's own fields registry): `format` for display and copy,
// `parse` for the editor and paste. Writes go out with typecast: true, so the API does the last word
// on text it understands better (dates in many spellings, "10.5 ±0.1 mm", "M8x1.25", new select options).
import { buttonValue } from "@/lib/button-value";
import { ENGINEERING_READERS } from "@/lib/engineering";
import type { FieldDef } from "@/types/api";

export type EditorKind =
  | "text"
  | "long_text"
  | "number"
  | "checkbox"
  | "date"
  | "select"
  | "multi_select"
  | "rating"
  | "link"
  | "attachment"
  | "structured"
  | "readonly";

export interface FieldKind {
  editor: EditorKind;
  format(value: unknown, field: FieldDef): string;
  /** Text typed or pasted -> the value to write (null clears). Throws ParseError on bad input. */
  parse(text: string, field: FieldDef): unknown;
  /** Clickable values (email, url, phone): the link to open. */
  href?(value: unknown): string | null;
}

export class ParseError extends Error {}

export const COMPUTED_TYPES = new Set([
  "lookup",
  "rollup",
  "count",
  "formula",
  "autonumber",
  "created_time",
  "last_modified_time",
  "created_by",
  "last_modified_by",
  "button",
]);


function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(anyText).join(", ");
  return anyText(value);
}

/** Display text of any API value (objects with a display/name/filename, lists joined). */
export function anyText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(anyText).join(", ");
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    for (const key of ["display", "designation", "name", "filename", "url", "id"]) {
      if (typeof o[key] === "string") return o[key] as string;
    }
    if (typeof o.error === "string") return `#ERROR ${o.error}`;
    return JSON.stringify(value);
  }
  return String(value);
}

function emptyToNull(raw: string): string | null {
  const t = raw.trim();
  return t === "" ? null : t;
}

function precisionOf(field: FieldDef): number | undefined {
  const p = field.options.precision;
  return typeof p === "number" && p >= 0 && p <= 10 ? p : undefined;
}

export function formatNumber(value: unknown, precision?: number): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return text(value);
  return value.toLocaleString("en-US", {
    minimumFractionDigits: precision ?? 0,
    maximumFractionDigits: precision ?? 10,
  });
}

/** "1,234.50", "$ 12", "(3)", "12%" -> a number; "" -> null. */
export function parseNumber(raw: string): number | null {
  let t = raw.trim();
  if (t === "") return null;
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  // Currency symbols and a trailing % or unit sign go; letters ("about 5") make it not a number.
  t = t.replace(/[\s,]/g, "").replace(/^[^\p{L}\d.+-]+/u, "").replace(/[^\p{L}\d.]+$/u, "");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw new ParseError(`"${raw}" is not a number.`);
  const n = Number(t);
  return negative ? -n : n;
}

/** Seconds -> h:mm, h:mm:ss or h:mm:ss.s as the field's format asks. */
export function formatDuration(value: unknown, format = "h:mm"): string {
  if (typeof value !== "number" || !Number.isFinite(value)) return text(value);
  const total = Math.abs(value);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, "0");
  if (format === "h:mm") return `${h}:${mm}`;
  if (format === "h:mm:ss") return `${h}:${mm}:${String(Math.floor(s)).padStart(2, "0")}`;
  return `${h}:${mm}:${s.toFixed(1).padStart(4, "0")}`;
}

/** "1:30" (h:mm), "1:30:15", "90s", "2h 30m", "45" (minutes, as spreadsheets type them) -> seconds. */
export function parseDuration(raw: string): number | null {
  const t = raw.trim().toLowerCase();
  if (t === "") return null;
  if (t.includes(":")) {
    const parts = t.split(":");
    if (parts.length > 3 || !parts.every((p) => /^\d+(\.\d+)?$/.test(p))) throw new ParseError(`"${raw}" is not a duration.`);
    const [h = 0, m = 0, s = 0] = parts.map(Number);
    return h * 3600 + m * 60 + s;
  }
  const match = /^(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s)?$/.exec(t);
  if (match && (match[1] || match[2] || match[3])) {
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  }
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 60;
  throw new ParseError(`"${raw}" is not a duration.`);
}

const CHECKED = new Set(["true", "yes", "y", "1", "x", "checked", "on", "✓", "✔"]);
const UNCHECKED = new Set(["false", "no", "n", "0", "", "unchecked", "off"]);

export function parseCheckbox(raw: string): boolean {
  const t = raw.trim().toLowerCase();
  if (CHECKED.has(t)) return true;
  if (UNCHECKED.has(t)) return false;
  throw new ParseError(`"${raw}" is not a checkbox value (yes/no).`);
}

/** The field's time zone (date-time fields; UTC when unset). */
export function zoneOf(field: FieldDef): string {
  const tz = field.options.timezone;
  return typeof tz === "string" && tz ? tz : "UTC";
}

/** A stored instant shown in the field's time zone: "2026-03-01 14:05". */
export function formatDateTime(value: unknown, timeZone: string): string {
  if (typeof value !== "string") return text(value);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

export function formatDate(value: unknown, format?: unknown): string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return text(value);
  const [y, m, d] = value.split("-");
  if (format === "us") return `${m}/${d}/${y}`;
  if (format === "european") return `${d}/${m}/${y}`;
  return value;
}

/** Split "a, b; c" or a pasted list into names (select options, linked records, users). */
export function splitList(raw: string): string[] {
  return raw
    .split(/[,;\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}

const plainText: FieldKind = { editor: "text", format: text, parse: (raw) => (raw === "" ? null : raw) };

const numberKind: FieldKind = {
  editor: "number",
  format: (value, field) => formatNumber(value, precisionOf(field)),
  parse: (raw) => parseNumber(raw),
};

const readonlyKind: FieldKind = {
  editor: "readonly",
  format: (value, field) => {
    if (field.type === "button") return buttonValue(value, field).label;
    const resultType = field.options.result_type;
    if (resultType === "datetime" || field.type === "created_time" || field.type === "last_modified_time") {
      return typeof value === "string" ? formatDateTime(value, zoneOf(field)) : anyText(value);
    }
    if (typeof value === "number") return formatNumber(value, precisionOf(field));
    return anyText(value);
  },
  parse: () => {
    throw new ParseError("This field is computed and cannot be edited.");
  },
};

// Read with the record panel's grammar before sending: text that does not read is refused here (the
// cell editor, the expanded record, paste) with the reason, instead of coming back as a 422.
const structured: FieldKind = {
  editor: "structured",
  format: anyText,
  parse: (raw, field) => {
    const text = emptyToNull(raw);
    const reading = text === null ? null : ENGINEERING_READERS[field.type]?.(text, field.options);
    if (reading && !reading.ok) throw new ParseError(reading.error);
    return text;
  },
};

export const FIELD_KINDS: Record<string, FieldKind> = {
  single_line_text: plainText,
  long_text: { ...plainText, editor: "long_text" },
  email: { ...plainText, href: (v) => (typeof v === "string" && v ? `mailto:${v}` : null) },
  url: {
    ...plainText,
    href: (v) => (typeof v === "string" && v ? (/^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`) : null),
  },
  phone: { ...plainText, href: (v) => (typeof v === "string" && v ? `tel:${v.replace(/[^\d+]/g, "")}` : null) },
  number: numberKind,
  currency: {
    editor: "number",
    format: (value, field) => {
      if (typeof value !== "number") return text(value);
      const symbol = typeof field.options.symbol === "string" ? field.options.symbol : "$";
      const body = formatNumber(Math.abs(value), precisionOf(field) ?? 2);
      return `${value < 0 ? "-" : ""}${symbol}${body}`;
    },
    parse: (raw) => parseNumber(raw),
  },
  percent: {
    editor: "number",
    // Stored as a fraction: 0.5 is 50%.
    format: (value, field) => {
      if (typeof value !== "number") return text(value);
      const p = precisionOf(field);
      return `${formatNumber(Number((value * 100).toPrecision(12)), p)}%`;
    },
    parse: (raw) => {
      const n = parseNumber(raw);
      return n === null ? null : Number((n / 100).toPrecision(12));
    },
  },
  rating: {
    editor: "rating",
    format: (value, field) => {
      const max = typeof field.options.max === "number" ? field.options.max : 5;
      const n = typeof value === "number" ? Math.max(0, Math.min(max, Math.round(value))) : 0;
      return n ? "★".repeat(n) + "☆".repeat(max - n) : "";
    },
    parse: (raw, field) => {
      const t = raw.trim();
      if (t === "") return null;
      const stars = /^[★☆]+$/.test(t) ? [...t].filter((c) => c === "★").length : parseNumber(t);
      const max = typeof field.options.max === "number" ? field.options.max : 5;
      if (stars === null || !Number.isInteger(stars) || stars < 0 || stars > max) {
        throw new ParseError(`A rating is a whole number from 0 to ${max}.`);
      }
      return stars || null;
    },
  },
  duration: {
    editor: "number",
    format: (value, field) => formatDuration(value, typeof field.options.format === "string" ? field.options.format : "h:mm"),
    parse: (raw) => parseDuration(raw),
  },
  checkbox: {
    editor: "checkbox",
    format: (value) => (value === true ? "✓" : ""),
    parse: (raw) => parseCheckbox(raw),
  },
  date: {
    editor: "date",
    format: (value, field) => formatDate(value, field.options.format),
    parse: (raw) => emptyToNull(raw),
  },
  datetime: {
    editor: "date",
    format: (value, field) => formatDateTime(value, zoneOf(field)),
    parse: (raw) => emptyToNull(raw),
  },
  single_select: { editor: "select", format: text, parse: (raw) => emptyToNull(raw) },
  multiple_select: {
    editor: "multi_select",
    format: text,
    parse: (raw) => {
      const names = splitList(raw);
      return names.length ? names : null;
    },
  },
  user: {
    editor: "text",
    format: text,
    parse: (raw, field) => {
      const ids = splitList(raw);
      if (!ids.length) return null;
      return field.options.multiple ? ids : ids[0];
    },
  },
  link: {
    editor: "link",
    format: (value) => anyText(value),
    // Record IDs (rec…) or the linked records' primary text: the write's typecast finds the record
    // with that text, or creates it, as Airtable does.
    parse: (raw) => {
      const items = splitList(raw);
      return items.length ? items : null;
    },
  },
  attachment: {
    editor: "attachment",
    format: (value) => anyText(value),
    parse: (raw) => {
      const urls = splitList(raw);
      return urls.length ? urls.map((url) => ({ url })) : null;
    },
  },
  dimension: structured,
  thread: structured,
  material: structured,
  surface_finish: {
    ...structured,
    format: (value) => {
      if (value && typeof value === "object" && "parameter" in value) {
        const v = value as { parameter: string; value: number; unit: string };
        return `${v.parameter} ${v.value} ${v.unit === "uin" ? "µin" : "µm"}`;
      }
      return anyText(value);
    },
  },
};

export function fieldKind(field: FieldDef): FieldKind {
  if (field.read_only || COMPUTED_TYPES.has(field.type)) return readonlyKind;
  return FIELD_KINDS[field.type] ?? plainText;
}

export function isEditable(field: FieldDef): boolean {
  return fieldKind(field).editor !== "readonly";
}

export function formatValue(field: FieldDef, value: unknown): string {
  return fieldKind(field).format(value, field);
}

export function parseInput(field: FieldDef, raw: string): unknown {
  return fieldKind(field).parse(raw, field);
}

/** Colours of select chips, by the API's colour names (select.py COLORS). */
const CHIP_COLORS: Record<string, string> = {
  blue: "#cfe2ff",
  cyan: "#cff4fc",
  teal: "#c3f0e0",
  green: "#d1f0c9",
  yellow: "#fff1b8",
  orange: "#ffe0c2",
  red: "#ffd6d6",
  pink: "#ffd6ec",
  purple: "#e6d9ff",
  gray: "#e5e7eb",
};

export interface Choice {
  id: string;
  name: string;
  color: string;
}

export function choicesOf(field: FieldDef): Choice[] {
  const raw = field.options.choices;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (c): c is Choice => typeof c === "object" && c !== null && typeof (c as Choice).name === "string",
  );
}

const GRAY_CHIP = "#e5e7eb";

export function chipColor(color: string | undefined): string {
  if (!color) return GRAY_CHIP;
  const base = color.replace(/^(light|dark)_/, "");
  return CHIP_COLORS[base] ?? GRAY_CHIP;
}

/**
 * An API value as read, turned back into something the API accepts on write (undo, fill, copy
 * within the grid): links become record IDs, structured engineering values their text (typecast
 * parses it), users their IDs; the rest is written as read.
 */
export function toWritable(field: FieldDef, value: unknown): unknown {
  if (value === undefined) return null;
  if (value === null) return null;
  switch (field.type) {
    case "link":
      return Array.isArray(value) ? value.map((item) => (typeof item === "object" && item ? (item as { id: string }).id : item)) : value;
    case "dimension":
    case "thread":
    case "material":
    case "surface_finish":
      return typeof value === "object" ? formatValue(field, value) : value;
    case "attachment":
      return Array.isArray(value)
        ? value.map((item) => (typeof item === "object" && item && "id" in item ? { id: (item as { id: string }).id } : item))
        : value;
    default:
      return value;
  }
}
