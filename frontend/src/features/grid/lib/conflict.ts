// Saving a cell edit with optimistic concurrency. The PATCH carries If-Match with the version the
// user saw. On 412 the record changed in between: read the latest version; when nobody touched the
// fields this edit writes, the edit is re-sent on the new version without asking (another user
// editing a different cell of the same row is no conflict for a person). Otherwise the caller shows
// both values and the user keeps theirs (re-sent with the newer version) or takes the other.
import { ApiError } from "@/lib/api/errors";
import type { RecordRow } from "@/types/api";

export interface RecordWriter {
  /** PATCH one record with If-Match: version; throws ApiError (412 when the version is stale). */
  patch(recordId: string, fields: Record<string, unknown>, version: number): Promise<RecordRow>;
  get(recordId: string): Promise<RecordRow>;
}

export interface Conflict {
  recordId: string;
  /** The values this edit wanted to write. */
  mine: Record<string, unknown>;
  /** The record as it is now on the server. */
  theirs: RecordRow;
  /** The edited fields the other writer changed too. */
  fieldIds: string[];
}

export type EditOutcome =
  | { kind: "saved"; record: RecordRow }
  | { kind: "conflict"; conflict: Conflict }
  | { kind: "failed"; error: unknown; fields: Record<string, unknown> };

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

/** The fields of `fields` whose value on the server moved away from what the edit was based on. */
export function conflictingFields(base: RecordRow, latest: RecordRow, fields: Record<string, unknown>): string[] {
  return Object.keys(fields).filter(
    (fieldId) => !sameValue(base.fields[fieldId], latest.fields[fieldId]) && !sameValue(latest.fields[fieldId], fields[fieldId]),
  );
}

const MAX_SILENT_RETRIES = 3;

/** Write `fields` to `base` (the record as the user saw it). */
export async function saveEdit(writer: RecordWriter, base: RecordRow, fields: Record<string, unknown>): Promise<EditOutcome> {
  let version = base.version;
  for (let attempt = 0; attempt <= MAX_SILENT_RETRIES; attempt += 1) {
    try {
      return { kind: "saved", record: await writer.patch(base.id, fields, version) };
    } catch (error) {
      if (!isStale(error)) return { kind: "failed", error, fields };
    }
    let latest: RecordRow;
    try {
      latest = await writer.get(base.id);
    } catch (error) {
      return { kind: "failed", error, fields };
    }
    const clashing = conflictingFields(base, latest, fields);
    if (clashing.length > 0) {
      return { kind: "conflict", conflict: { recordId: base.id, mine: fields, theirs: latest, fieldIds: clashing } };
    }
    version = latest.version;
  }
  return { kind: "failed", error: new ApiError(412, "precondition_failed", "The record keeps changing; try again."), fields };
}

/** "Keep mine": write my values over the newer version (it may conflict again if it moved once more). */
export function keepMine(writer: RecordWriter, conflict: Conflict): Promise<EditOutcome> {
  return saveEdit(writer, conflict.theirs, conflict.mine);
}

/** "Take theirs": nothing to write; the grid shows the server's record. */
export function takeTheirs(conflict: Conflict): RecordRow {
  return conflict.theirs;
}
