// The record's history (GET /tables/{id}/records/{rid}/history) as timeline entries: who changed
// what, from what to what, in words.

export interface HistoryChange {
  field_name: string;
  from: unknown;
  to: unknown;
}

export interface HistoryEntry {
  id: number;
  action: string;
  actor_id: string | null;
  at: string;
  changes: Record<string, HistoryChange>;
}

export interface HistoryPage {
  record_id: string;
  created_at: string;
  created_by: string | null;
  entries: HistoryEntry[];
  next_before: number | null;
}

export interface TimelineChange {
  fieldId: string;
  field: string;
  from: string;
  to: string;
}

export interface TimelineItem {
  key: string;
  who: string;
  at: string;
  summary: string;
  changes: TimelineChange[];
}

const EMPTY = "(empty)";

/** A stored value in a few words: chips by name, attachments by file name, dimensions as written. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return EMPTY;
  if (Array.isArray(value)) {
    if (value.length === 0) return EMPTY;
    return value.map(describeValue).join(", ");
  }
  if (typeof value === "boolean") return value ? "checked" : "unchecked";
  if (typeof value === "number" || typeof value === "string") return String(value);
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj.truncated === true) return `${String(obj.preview ?? "")}…`;
    for (const key of ["name", "filename", "text", "label", "email", "id"]) {
      if (typeof obj[key] === "string") return obj[key] as string;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

const ACTIONS: Record<string, string> = {
  create: "created the record",
  created: "created the record",
  update: "changed",
  updated: "changed",
  delete: "deleted the record",
  deleted: "deleted the record",
  restore: "restored the record",
  restored: "restored the record",
};

/** Timeline items, newest first as the API gives them; people by name when known. */
export function timeline(page: HistoryPage, people: ReadonlyMap<string, string>): TimelineItem[] {
  const who = (id: string | null) => (id ? (people.get(id) ?? id) : "Someone");
  return page.entries.map((entry) => {
    const changes = Object.entries(entry.changes).map(([fieldId, change]) => ({
      fieldId,
      field: change.field_name,
      from: describeValue(change.from),
      to: describeValue(change.to),
    }));
    const verb = ACTIONS[entry.action] ?? entry.action;
    const summary =
      verb === "changed"
        ? `changed ${changes.map((c) => c.field).join(", ") || "nothing visible"}`
        : verb;
    return { key: String(entry.id), who: who(entry.actor_id), at: entry.at, summary, changes };
  });
}
