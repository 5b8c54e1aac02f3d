// Field schema calls: the type catalogue (with formula functions), create / update / delete, their
// dry runs (a formula checked as it is typed, a type change's conversion report before applying),
// and what the link, lookup and rollup options pick from (tables of the base, fields of a table).
import { queryOptions } from "@tanstack/react-query";

import type { FormulaFunction } from "@/features/fields/lib/formula";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef } from "@/types/api";

export interface FieldTypesBody {
  types: string[];
  details?: { name: string; read_only: boolean; convertible: boolean; operators: string[] }[];
  formula_functions?: FormulaFunction[];
}

export interface ConversionReport {
  from_type: string;
  to_type: string;
  records: number;
  converted: number;
  failed_count: number;
  failed: { record_id: string; value: unknown; message: string }[];
}

export type FieldResult = FieldDef & { conversion?: ConversionReport; dry_run?: boolean };

export interface FieldInput {
  name?: string;
  type?: string;
  options?: Record<string, unknown>;
  description?: string;
}

export const fieldTypesQuery = () =>
  queryOptions({
    queryKey: queryKeys.fieldTypes(),
    queryFn: async () => (await unwrap(api.GET("/field-types"))) as unknown as FieldTypesBody,
    staleTime: Infinity,
  });

export const tableFieldsQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.fields(tableId),
    queryFn: async () => {
      const body = await unwrap(api.GET("/tables/{table_id}/fields", { params: { path: { table_id: tableId } } }));
      return (body as unknown as { fields?: FieldDef[] } | null)?.fields ?? [];
    },
    enabled: Boolean(tableId),
  });

export const baseTablesQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.tables(baseId),
    queryFn: () => unwrap(api.GET("/bases/{baseId}/tables", { params: { path: { baseId } } })),
    enabled: Boolean(baseId),
  });

export async function createField(tableId: string, input: Required<Pick<FieldInput, "name" | "type">> & FieldInput, dryRun = false): Promise<FieldResult> {
  const body = await unwrap(
    api.POST("/tables/{table_id}/fields", {
      params: { path: { table_id: tableId }, query: dryRun ? { dry_run: true } : {} },
      body: { name: input.name, type: input.type, options: input.options ?? {}, ...(input.description !== undefined ? { description: input.description } : {}) },
    }),
  );
  return body as unknown as FieldResult;
}

export async function updateField(fieldId: string, input: FieldInput, dryRun = false): Promise<FieldResult> {
  const body = await unwrap(
    api.PATCH("/fields/{field_id}", { params: { path: { field_id: fieldId }, query: dryRun ? { dry_run: true } : {} }, body: input }),
  );
  return body as unknown as FieldResult;
}

export async function deleteField(fieldId: string): Promise<void> {
  await unwrap(api.DELETE("/fields/{field_id}", { params: { path: { field_id: fieldId } } }));
}
