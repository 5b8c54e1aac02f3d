// Calls of the record panel: the record, its fields, edits, delete to trash, history and comments.
import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef, RecordRow } from "@/types/api";
import type { HistoryPage } from "@/features/records/lib/history";

export type Comment = components["schemas"]["CommentOut"];

export const recordQuery = (tableId: string, recordId: string) =>
  queryOptions({
    queryKey: ["tables", tableId, "record", recordId] as const,
    queryFn: async (): Promise<RecordRow> =>
      (await unwrap(
        api.GET("/tables/{table_id}/records/{record_id}", { params: { path: { table_id: tableId, record_id: recordId } } }),
      )) as unknown as RecordRow,
  });

export const fieldsQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.fields(tableId),
    queryFn: async (): Promise<FieldDef[]> => {
      const out = (await unwrap(api.GET("/tables/{table_id}/fields", { params: { path: { table_id: tableId } } }))) as unknown as {
        fields: FieldDef[];
      };
      return out.fields;
    },
  });

export async function patchRecord(tableId: string, recordId: string, fields: Record<string, unknown>, version: number): Promise<RecordRow> {
  return (await unwrap(
    api.PATCH("/tables/{table_id}/records/{record_id}", {
      params: { path: { table_id: tableId, record_id: recordId }, header: { "if-match": `"${version}"` } },
      body: { fields, typecast: true },
    }),
  )) as unknown as RecordRow;
}

export async function deleteRecord(tableId: string, recordId: string): Promise<void> {
  await unwrap(api.DELETE("/tables/{table_id}/records/{record_id}", { params: { path: { table_id: tableId, record_id: recordId } } }));
}

export const historyQuery = (tableId: string, recordId: string) =>
  queryOptions({
    queryKey: ["tables", tableId, "record", recordId, "history"] as const,
    queryFn: async (): Promise<HistoryPage> =>
      (await unwrap(
        api.GET("/tables/{table_id}/records/{record_id}/history", {
          params: { path: { table_id: tableId, record_id: recordId }, query: { limit: 100 } },
        }),
      )) as unknown as HistoryPage,
  });

export const commentsQuery = (tableId: string, recordId: string) =>
  queryOptions({
    queryKey: ["tables", tableId, "record", recordId, "comments"] as const,
    queryFn: async (): Promise<Comment[]> =>
      (
        await unwrap(
          api.GET("/tables/{table_id}/records/{record_id}/comments", { params: { path: { table_id: tableId, record_id: recordId } } }),
        )
      ).comments,
  });

export async function addComment(tableId: string, recordId: string, text: string): Promise<Comment> {
  return unwrap(
    api.POST("/tables/{table_id}/records/{record_id}/comments", {
      params: { path: { table_id: tableId, record_id: recordId } },
      body: { text },
    }),
  );
}
