// Shapes of API responses the OpenAPI document leaves untyped (routes that return plain dicts), and
// shorthands for the generated schemas. Keep in step with shared/pybase/{fields,records}.
import type { components } from "@/lib/api/schema";

export type Schemas = components["schemas"];
export type User = Schemas["UserOut"];
export type Workspace = Schemas["WorkspaceOut"];
export type Base = Schemas["BaseOut"];
export type Table = Schemas["TableOut"];

export type Role = "owner" | "admin" | "editor" | "commenter" | "viewer";

/** GET /tables/{id}/fields -> {"fields": FieldDef[]} (fields/service.py to_dict). */
export interface FieldDef {
  id: string;
  table_id: string;
  name: string;
  type: string;
  options: Record<string, unknown>;
  description: string | null;
  position: number;
  read_only: boolean;
  /** Filter operators the field accepts (canonical names; a formula's by its result type). */
  operators?: string[];
}

/** One record as the records API returns it (records/service.py serialize). */
export interface RecordRow {
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  fields: Record<string, unknown>;
}

/** GET /tables/{id}/records: one keyset page. */
export interface RecordPage {
  records: RecordRow[];
  next_cursor: string | null;
  count?: number;
}
