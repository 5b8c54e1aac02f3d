// Values shaped as the API answers them, for unit tests.
import type { FieldDef } from "@/types/api";

/** A field of table tblParts. */
export function fieldDef(
  id: string,
  name: string,
  type: string,
  { position = 0, options = {} }: { position?: number; options?: Record<string, unknown> } = {},
): FieldDef {
  return { id, table_id: "tblParts", name, type, options, description: null, position, read_only: false } as FieldDef;
}
