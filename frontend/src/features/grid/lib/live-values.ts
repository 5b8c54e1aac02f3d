// Values carried by a `records.updated` event, shown before the record is fetched again.
//
// The event holds stored values; for these types the stored value is what the API returns, so the
// grid can show a colleague's edit at once. Other types (selects store option ids, dimensions add a
// display text, ...) and computed fields wait for the record fetch that follows every event anyway
// (it also brings the new version for If-Match).
import type { FieldDef, RecordRow } from "@/types/api";

const AS_STORED = new Set([
  "single_line_text",
  "long_text",
  "email",
  "url",
  "phone",
  "number",
  "currency",
  "percent",
  "rating",
  "duration",
  "date",
  "datetime",
]);

/** The record with the event's values merged in, or null when some value cannot be shown as is. */
export function withEventValues(
  record: RecordRow,
  values: unknown,
  fieldsById: ReadonlyMap<string, Pick<FieldDef, "type">>,
): RecordRow | null {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return null;
  const fields = { ...record.fields };
  for (const [fieldId, value] of Object.entries(values as Record<string, unknown>)) {
    const type = fieldsById.get(fieldId)?.type;
    if (type === "checkbox") fields[fieldId] = value === true;
    else if (type !== undefined && AS_STORED.has(type)) fields[fieldId] = value ?? null;
    else return null;
  }
  return { ...record, fields };
}

/** The per-record values of an event payload (`records: [{id, fields}]`), by record id. */
export function eventValues(payload: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(payload.records)) return out;
  for (const item of payload.records) {
    if (typeof item === "object" && item !== null && typeof (item as { id?: unknown }).id === "string") {
      out.set((item as { id: string }).id, (item as { fields?: unknown }).fields);
    }
  }
  return out;
}
