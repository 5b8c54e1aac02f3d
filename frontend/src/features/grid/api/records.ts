// The grid's API calls: fields, record pages by keyset cursor or offset, single and batch writes,
// views (column layout), linked-record search and attachment uploads.
import { queryOptions } from "@tanstack/react-query";

import type { RecordWriter } from "@/features/grid/lib/conflict";
import type { PageRequest, PageResult } from "@/features/grid/lib/page-cache";
import { api, unwrap } from "@/lib/api/client";
import { ApiError, networkError } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef, RecordRow, Schemas } from "@/types/api";

export type View = Schemas["ViewOut"];

export const fieldsQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.fields(tableId),
    queryFn: async () => {
      const body = await unwrap(api.GET("/tables/{table_id}/fields", { params: { path: { table_id: tableId } } }));
      return (body as unknown as { fields?: FieldDef[] } | null)?.fields ?? [];
    },
  });

export const viewsQuery = (tableId: string) =>
  queryOptions({
    queryKey: ["tables", tableId, "views"] as const,
    queryFn: async () => {
      const body = await unwrap(api.GET("/tables/{table_id}/views", { params: { path: { table_id: tableId } } }));
      return body?.views ?? [];
    },
  });

export const PAGE_SIZE = 100;

export interface PageOptions {
  viewId?: string | undefined;
  count?: boolean;
  pageSize?: number;
}

/** One page at a position: keyset after a cursor, or by offset for a jump; count on the first. */
export async function fetchPage(tableId: string, request: PageRequest, options: PageOptions = {}): Promise<PageResult> {
  const query: { page_size: number; cursor?: string; offset?: number; count?: boolean; view?: string; group_counts?: boolean } = {
    page_size: options.pageSize ?? PAGE_SIZE,
  };
  if (request.cursor) query.cursor = request.cursor;
  else if (request.offset) query.offset = request.offset;
  if (options.count) query.count = true;
  if (options.viewId) query.view = options.viewId;
  // A grouped view's groups come with the count, so headers and rows are placed from one read.
  if (options.viewId && options.count) query.group_counts = true;
  const body = await unwrap(api.GET("/tables/{table_id}/records", { params: { path: { table_id: tableId }, query } }));
  return body as unknown as PageResult;
}

export async function getRecord(tableId: string, recordId: string): Promise<RecordRow> {
  const body = await unwrap(
    api.GET("/tables/{table_id}/records/{record_id}", { params: { path: { table_id: tableId, record_id: recordId } } }),
  );
  return body as unknown as RecordRow;
}

export async function patchRecord(
  tableId: string,
  recordId: string,
  fields: Record<string, unknown>,
  version: number,
): Promise<RecordRow> {
  const body = await unwrap(
    api.PATCH("/tables/{table_id}/records/{record_id}", {
      params: { path: { table_id: tableId, record_id: recordId }, header: { "if-match": `"${version}"` } },
      body: { fields, typecast: true },
    }),
  );
  return body as unknown as RecordRow;
}

export function recordWriter(tableId: string): RecordWriter {
  return {
    patch: (recordId, fields, version) => patchRecord(tableId, recordId, fields, version),
    get: (recordId) => getRecord(tableId, recordId),
  };
}

/** Batch update (up to 1,000 records per call, all-or-nothing), typecast. */
export async function updateRecords(
  tableId: string,
  records: { id: string; fields: Record<string, unknown> }[],
): Promise<RecordRow[]> {
  const body = await unwrap(
    api.PATCH("/tables/{table_id}/records", {
      params: { path: { table_id: tableId } },
      body: { records, typecast: true } as never,
    }),
  );
  return (body as unknown as { records: RecordRow[] }).records;
}

/** Batch create (up to 1,000 per call), typecast. */
export async function createRecords(tableId: string, records: { fields: Record<string, unknown> }[]): Promise<RecordRow[]> {
  const body = await unwrap(
    api.POST("/tables/{table_id}/records", {
      params: { path: { table_id: tableId } },
      body: { records, typecast: true } as never,
    }),
  );
  return (body as unknown as { records: RecordRow[] }).records;
}

/** Move records to the trash (restorable for 30 days). */
export async function deleteRecords(tableId: string, recordIds: string[]): Promise<string[]> {
  const body = await unwrap(
    api.DELETE("/tables/{table_id}/records", {
      params: { path: { table_id: tableId } },
      body: { records: recordIds } as never,
    }),
  );
  return (body as unknown as { deleted: string[] }).deleted;
}

export async function patchViewConfig(viewId: string, config: Record<string, unknown>): Promise<View> {
  return unwrap(api.PATCH("/views/{view_id}", { params: { path: { view_id: viewId } }, body: { config } }));
}

/** Records of a linked table whose primary field contains `text` (the link editor's search). */
export async function searchRecords(
  tableId: string,
  primaryFieldId: string | null,
  text: string,
): Promise<{ id: string; name: string }[]> {
  const query: { page_size: number; filter?: string } = { page_size: 20 };
  if (text.trim() && primaryFieldId) {
    query.filter = JSON.stringify({ field: primaryFieldId, op: "contains", value: text.trim() });
  }
  const body = (await unwrap(
    api.GET("/tables/{table_id}/records", { params: { path: { table_id: tableId }, query } }),
  )) as unknown as PageResult;
  return body.records.map((record) => ({
    id: record.id,
    name: primaryFieldId ? String(record.fields[primaryFieldId] ?? record.id) : record.id,
  }));
}

export async function linkedTablePrimary(tableId: string): Promise<string | null> {
  const table = await unwrap(api.GET("/tables/{tableId}", { params: { path: { tableId } } }));
  return (table as { primary_field_id?: string | null }).primary_field_id ?? null;
}

/** Upload a file into an attachment cell: presigned PUT to S3, then complete (which attaches it). */
export async function uploadAttachment(
  target: { tableId: string; recordId: string; fieldId: string },
  file: File,
): Promise<RecordRow | null> {
  const created = await unwrap(
    api.POST("/uploads", {
      body: {
        table_id: target.tableId,
        record_id: target.recordId,
        field_id: target.fieldId,
        filename: file.name,
        content_type: file.type || "application/octet-stream",
        size: file.size,
      },
    }),
  );
  let put: Response;
  try {
    put = await fetch(created.upload.url, { method: created.upload.method, headers: created.upload.headers, body: file });
  } catch (cause) {
    throw networkError(cause);
  }
  if (!put.ok) throw new ApiError(put.status, "upload_failed", `The file could not be uploaded (HTTP ${put.status}).`);
  const done = await unwrap(
    api.POST("/uploads/{attachment_id}/complete", { params: { path: { attachment_id: created.attachment_id } } }),
  );
  return (done.record as RecordRow | null | undefined) ?? null;
}

/** Names of the people of the table's workspace (user cells, presence avatars); empty if not allowed. */
export const peopleQuery = (baseId: string | undefined) =>
  queryOptions({
    queryKey: ["bases", baseId ?? "", "people"] as const,
    enabled: Boolean(baseId),
    staleTime: 5 * 60_000,
    queryFn: async (): Promise<Map<string, string>> => {
      try {
        const base = await unwrap(api.GET("/bases/{baseId}", { params: { path: { baseId: baseId ?? "" } } }));
        const workspaceId = (base as { workspace_id: string }).workspace_id;
        const members = await unwrap(
          api.GET("/workspaces/{workspaceId}/members", { params: { path: { workspaceId } } }),
        );
        return new Map(members.map((m) => [m.user_id, m.name]));
      } catch {
        // Guests of a single table may not list the workspace: show ids.
        return new Map();
      }
    },
  });
