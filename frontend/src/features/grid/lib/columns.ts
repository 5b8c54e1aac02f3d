// Which fields the grid shows, in which order (the view's field_order and hidden_fields).
import type { FieldDef } from "@/types/api";

/** Columns in view order: the primary field first (frozen), then field_order, then by position. */
export function orderColumns(fields: FieldDef[], primaryId: string | null | undefined, order: string[], hidden: string[]): FieldDef[] {
  const byId = new Map(fields.map((f) => [f.id, f]));
  const primary = (primaryId && byId.get(primaryId)) || [...fields].sort((a, b) => a.position - b.position)[0];
  const hiddenSet = new Set(hidden);
  const seen = new Set<string>();
  const out: FieldDef[] = [];
  if (primary) {
    out.push(primary);
    seen.add(primary.id);
  }
  for (const id of order) {
    const field = byId.get(id);
    if (field && !seen.has(id) && !hiddenSet.has(id)) {
      out.push(field);
      seen.add(id);
    }
  }
  for (const field of [...fields].sort((a, b) => a.position - b.position)) {
    if (!seen.has(field.id) && !hiddenSet.has(field.id)) out.push(field);
  }
  return out;
}
