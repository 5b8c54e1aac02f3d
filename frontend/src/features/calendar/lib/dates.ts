// Calendar date math on plain day keys ("YYYY-MM-DD"), never on local Date objects, so the browser's
// own time zone cannot shift a day: date fields are days already; date-time fields are instants (ISO,
// UTC) placed on the day they fall on in the field's time zone (options.timezone, else the
// browser's). Rescheduling a date-time keeps its wall-clock time in that zone on the new day.

export type DayKey = string;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function dayKey(year: number, month: number, day: number): DayKey {
  // month is 1-12; Date.UTC normalises overflow (day 0, day 32, month 13).
  const d = new Date(Date.UTC(year, month - 1, day));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function parseDay(key: DayKey): { year: number; month: number; day: number } {
  const [y, m, d] = key.split("-").map(Number);
  return { year: y ?? 1970, month: m ?? 1, day: d ?? 1 };
}

export function addDays(key: DayKey, days: number): DayKey {
  const { year, month, day } = parseDay(key);
  return dayKey(year, month, day + days);
}

export function addMonths(key: DayKey, months: number): DayKey {
  const { year, month } = parseDay(key);
  return dayKey(year, month + months, 1);
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(key: DayKey): number {
  const { year, month, day } = parseDay(key);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

export function startOfWeek(key: DayKey, weekStartsOn = 1): DayKey {
  return addDays(key, -((weekday(key) - weekStartsOn + 7) % 7));
}

/** The 7 days of the week containing `key`. */
export function weekDays(key: DayKey, weekStartsOn = 1): DayKey[] {
  const first = startOfWeek(key, weekStartsOn);
  return Array.from({ length: 7 }, (_, i) => addDays(first, i));
}

/** Whole weeks covering the month of `key` (4 to 6 rows of 7 days, leading/trailing days of the neighbours). */
export function monthGrid(key: DayKey, weekStartsOn = 1): DayKey[][] {
  const { year, month } = parseDay(key);
  const first = dayKey(year, month, 1);
  const last = dayKey(year, month + 1, 0);
  const weeks: DayKey[][] = [];
  let cursor = startOfWeek(first, weekStartsOn);
  while (cursor <= last) {
    weeks.push(weekDays(cursor, weekStartsOn));
    cursor = addDays(cursor, 7);
  }
  return weeks;
}

export function sameMonth(a: DayKey, b: DayKey): boolean {
  return a.slice(0, 7) === b.slice(0, 7);
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneParts(instant: Date, timeZone: string): Parts {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, fmt);
  }
  const out: Record<string, number> = {};
  for (const part of fmt.formatToParts(instant)) {
    if (part.type !== "literal") out[part.type] = Number(part.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (New York in winter: -300). */
export function zoneOffset(instant: Date, timeZone: string): number {
  const p = zoneParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - (instant.getTime() - instant.getUTCMilliseconds())) / 60_000);
}

/** The instant at which the wall clock in `timeZone` shows the given day and time. */
export function zonedInstant(key: DayKey, time: { hour: number; minute: number; second?: number; ms?: number }, timeZone: string): Date {
  const { year, month, day } = parseDay(key);
  const wall = Date.UTC(year, month - 1, day, time.hour, time.minute, time.second ?? 0, time.ms ?? 0);
  // Two passes settle the offset across a DST change; a wall time skipped by the change moves forward.
  let guess = wall - zoneOffset(new Date(wall), timeZone) * 60_000;
  guess = wall - zoneOffset(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The day a date or date-time value falls on (null when empty or unreadable). */
export function dayOf(value: unknown, fieldType: string, timeZone: string): DayKey | null {
  if (typeof value !== "string" || !value) return null;
  if (fieldType === "date") return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
  const p = zoneParts(instant, timeZone);
  return dayKey(p.year, p.month, p.day);
}

/** "14:30" in the zone, for a date-time value; "" for a date. */
export function timeOf(value: unknown, fieldType: string, timeZone: string): string {
  if (fieldType === "date" || typeof value !== "string") return "";
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return "";
  const p = zoneParts(instant, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** The value to write when a record is dropped on `target`: same time of day (in the zone) for a date-time. */
export function reschedule(value: unknown, fieldType: string, target: DayKey, timeZone: string): string {
  if (fieldType === "date") return target;
  const instant = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  const p = Number.isNaN(instant.getTime()) ? { hour: 9, minute: 0, second: 0 } : zoneParts(instant, timeZone);
  const ms = Number.isNaN(instant.getTime()) ? 0 : instant.getUTCMilliseconds();
  return zonedInstant(target, { hour: p.hour, minute: p.minute, second: p.second, ms }, timeZone).toISOString();
}

/** Records by day, each day's list in the given order. */
export function byDay<T>(items: T[], dayOfItem: (item: T) => DayKey | null): Map<DayKey, T[]> {
  const out = new Map<DayKey, T[]>();
  for (const item of items) {
    const key = dayOfItem(item);
    if (!key) continue;
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

export function todayIn(timeZone: string, now = new Date()): DayKey {
  const p = zoneParts(now, timeZone);
  return dayKey(p.year, p.month, p.day);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function monthTitle(key: DayKey): string {
  const { year, month } = parseDay(key);
  return `${MONTHS[month - 1]} ${year}`;
}
