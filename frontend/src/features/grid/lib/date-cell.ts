// Date and date-time cells: drawn as text, edited with the date editor (components/date-editor.tsx: a
// calendar, the time in the field's time zone, and typing still accepted). What the editor shows and
// sends lives here, so it is tested without a canvas.
import { drawTextCell, GridCellKind, type CustomCell, type CustomRenderer } from "@glideapps/glide-data-grid";

import { formatDateTime } from "@/features/grid/lib/field-values";

export interface DateData {
  kind: "date-cell";
  /** What the cell shows (the field's format, the field's time zone). */
  text: string;
  /** The API value: "YYYY-MM-DD" (date), an ISO instant (date-time), null; after an edit, what to send. */
  value: string | null;
  withTime: boolean;
  timeZone: string;
}

export type DateCell = CustomCell<DateData>;

export function isDateCell(cell: { kind: string; data?: unknown }): cell is DateCell {
  return (
    cell.kind === GridCellKind.Custom &&
    typeof cell.data === "object" &&
    cell.data !== null &&
    (cell.data as { kind?: unknown }).kind === "date-cell"
  );
}

export const dateRenderer: CustomRenderer<DateCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is DateCell => isDateCell(cell),
  draw: (args, cell) => {
    drawTextCell(args, cell.data.text, cell.contentAlign);
    return true;
  },
  onPaste: () => undefined,
  onDelete: (cell) => ({ ...cell, data: { ...cell.data, value: null, text: "" } }),
};

const DAY = /^(\d{4}-\d{2}-\d{2})$/;
const DAY_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})$/;

/** Today's "YYYY-MM-DD" in a time zone. */
export function todayIn(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/** The editor's text for a stored value: "YYYY-MM-DD", or "YYYY-MM-DD HH:mm" in the field's zone. */
export function editText(value: string | null, withTime: boolean, timeZone: string): string {
  if (!value) return "";
  return withTime ? formatDateTime(value, timeZone) : value;
}

/** The day and time an editor text names, when it is in the editor's own shape. */
export function splitText(text: string): { day: string | null; time: string | null } {
  const t = text.trim();
  const withTime = DAY_TIME.exec(t);
  if (withTime) return { day: withTime[1] ?? null, time: `${(withTime[2] ?? "").padStart(2, "0")}:${withTime[3] ?? ""}` };
  const day = DAY.exec(t);
  return { day: day?.[1] ?? null, time: null };
}

/** The text after picking a day (a date-time keeps its time, else midnight). */
export function withDay(text: string, day: string, withTime: boolean): string {
  if (!withTime) return day;
  return `${day} ${splitText(text).time ?? "00:00"}`;
}

/** The text after setting the time (a date-time without a day takes `today`). */
export function withTimeOfDay(text: string, time: string, today: string): string {
  return `${splitText(text).day ?? today} ${time}`;
}

/**
 * What to send for the editor's text: null when empty; a day, or a day and time without a zone
 * (the API reads it in the field's time zone); any other spelling as typed (the write's typecast
 * reads "31/05/2026", "May 31 2026 14:00" and the like).
 */
export function toApiValue(text: string, withTime: boolean): string | null {
  const t = text.trim();
  if (t === "") return null;
  const { day, time } = splitText(t);
  if (day && withTime) return `${day}T${time ?? "00:00"}`;
  if (day && !time) return day;
  return t;
}
