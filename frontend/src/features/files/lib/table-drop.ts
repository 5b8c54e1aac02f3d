// Where files dropped on a table page go: one new record per file, the file in the table's
// attachment field. One attachment field is used at once; several make the user choose; none makes
// the app offer to create one.

export interface FieldLike {
  id: string;
  name: string;
  type: string;
  position: number;
}

export type TableDropPlan<F extends FieldLike = FieldLike> =
  | { kind: "field"; field: F }
  | { kind: "choose"; fields: F[] }
  | { kind: "create" };

export function planTableDrop<F extends FieldLike>(fields: readonly F[]): TableDropPlan<F> {
  const attachments = fields.filter((f) => f.type === "attachment").sort((a, b) => a.position - b.position);
  const [first] = attachments;
  if (!first) return { kind: "create" };
  if (attachments.length === 1) return { kind: "field", field: first };
  return { kind: "choose", fields: attachments };
}

/** The record name a dropped file gives its new record: the file name without its extension. */
export function recordNameFor(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

/** A name for a new attachment field that no field of the table has yet. */
export function newAttachmentFieldName(fields: readonly FieldLike[], base = "Drawings"): string {
  const taken = new Set(fields.map((f) => f.name.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`.toLowerCase())) return `${base} ${n}`;
}

/** Files in a drag: true while something is dragged that carries files (not text or a grid cell). */
export function carriesFiles(types: readonly string[] | DOMStringList | undefined | null): boolean {
  if (!types) return false;
  return Array.from(types as ArrayLike<string>).includes("Files");
}
