// Sorts and groups as the view saves them: [{"field_id", "direction"}] (views/registry.py SortSpec).
export interface SortKey {
  field_id: string;
  direction: "asc" | "desc";
}

export const MAX_SORTS = 20;
export const MAX_GROUPS = 3;

export function readKeys(raw: unknown): SortKey[] {
  if (!Array.isArray(raw)) return [];
  const out: SortKey[] = [];
  for (const item of raw) {
    if (typeof item === "string") out.push({ field_id: item, direction: "asc" });
    else if (item && typeof item === "object") {
      const rec = item as { field_id?: unknown; field?: unknown; direction?: unknown };
      const id = typeof rec.field_id === "string" ? rec.field_id : typeof rec.field === "string" ? rec.field : null;
      if (id) out.push({ field_id: id, direction: rec.direction === "desc" ? "desc" : "asc" });
    }
  }
  return out;
}

/** Sort by one field first, keeping the other keys after it (the column menu's "Sort A → Z"). */
export function sortFirstBy(keys: SortKey[], fieldId: string, direction: "asc" | "desc"): SortKey[] {
  return [{ field_id: fieldId, direction }, ...keys.filter((k) => k.field_id !== fieldId)].slice(0, MAX_SORTS);
}

export function directionLabels(type: string | undefined): [string, string] {
  if (!type) return ["A → Z", "Z → A"];
  if (["number", "currency", "percent", "rating", "duration", "autonumber", "count", "rollup", "dimension", "surface_finish"].includes(type)) return ["1 → 9", "9 → 1"];
  if (["date", "datetime", "created_time", "last_modified_time"].includes(type)) return ["Oldest first", "Newest first"];
  if (type === "checkbox") return ["Unchecked first", "Checked first"];
  return ["A → Z", "Z → A"];
}
