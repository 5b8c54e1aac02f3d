// Records of one view, every page up to a limit (kanban, gallery and calendar lay out all their
// cards at once, unlike the grid's window), kept live: record events of the table reload them
// (coalesced), and a write here updates the cached list at once.
import { useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";

import { useTableEvents } from "@/hooks/use-realtime";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import type { RecordPage, RecordRow } from "@/types/api";

export const VIEW_RECORDS_LIMIT = 10_000;

export interface ViewRecordsQuery {
  viewId?: string | undefined;
  /** A filter tree (records/query.py format), sent as `filter`. */
  filter?: unknown;
  limit?: number;
}

export async function fetchAllRecords(tableId: string, q: ViewRecordsQuery): Promise<{ records: RecordRow[]; truncated: boolean }> {
  const limit = q.limit ?? VIEW_RECORDS_LIMIT;
  const records: RecordRow[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string | number> = { page_size: Math.min(1000, limit - records.length) };
    if (q.viewId) query.view = q.viewId;
    if (q.filter !== undefined && q.filter !== null) query.filter = JSON.stringify(q.filter);
    if (cursor) query.cursor = cursor;
    const body = (await unwrap(
      api.GET("/tables/{table_id}/records", { params: { path: { table_id: tableId }, query: query as never } }),
    )) as unknown as RecordPage;
    records.push(...body.records);
    cursor = body.next_cursor;
  } while (cursor && records.length < limit);
  return { records, truncated: Boolean(cursor) };
}

/** PATCH one record with If-Match (412 when someone changed it since `version`), typecast. */
export async function patchRecord(tableId: string, recordId: string, fields: Record<string, unknown>, version: number): Promise<RecordRow> {
  const body = await unwrap(
    api.PATCH("/tables/{table_id}/records/{record_id}", {
      params: { path: { table_id: tableId, record_id: recordId }, header: { "if-match": `"${version}"` } },
      body: { fields, typecast: true },
    }),
  );
  return body as unknown as RecordRow;
}

export async function getRecord(tableId: string, recordId: string): Promise<RecordRow> {
  const body = await unwrap(
    api.GET("/tables/{table_id}/records/{record_id}", { params: { path: { table_id: tableId, record_id: recordId } } }),
  );
  return body as unknown as RecordRow;
}

export async function createRecord(tableId: string, fields: Record<string, unknown>): Promise<RecordRow> {
  const body = await unwrap(
    api.POST("/tables/{table_id}/records", {
      params: { path: { table_id: tableId } },
      body: { records: [{ fields }], typecast: true } as never,
    }),
  );
  const created = (body as unknown as { records?: RecordRow[] }).records;
  return created?.[0] ?? (body as unknown as RecordRow);
}

export function viewRecordsKey(tableId: string, q: ViewRecordsQuery): QueryKey {
  return queryKeys.records(tableId, { view: q.viewId ?? null, filter: q.filter ?? null, all: true });
}

export function useViewRecords(tableId: string, q: ViewRecordsQuery, enabled = true) {
  const queryClient = useQueryClient();
  const key = viewRecordsKey(tableId, q);
  const query = useQuery({
    queryKey: key,
    enabled: enabled && Boolean(tableId),
    queryFn: () => fetchAllRecords(tableId, q),
    staleTime: 30_000,
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);
  useTableEvents(tableId, {
    onEvent: (event) => {
      if (!event.type.startsWith("record") && !event.type.startsWith("field") && !event.type.startsWith("view")) return;
      // Bursts (a batch of 1,000 writes) reload once.
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        void queryClient.invalidateQueries({ queryKey: queryKeys.records(tableId) });
      }, 250);
    },
  });
  /** Replace (or drop, with null) one record in every cached list of this table. */
  const store = useCallback(
    (recordId: string, next: RecordRow | null) => {
      queryClient.setQueriesData<{ records: RecordRow[]; truncated: boolean }>({ queryKey: queryKeys.records(tableId) }, (data) => {
        if (!data || !Array.isArray(data.records)) return data;
        const records = next
          ? data.records.map((r) => (r.id === recordId ? next : r))
          : data.records.filter((r) => r.id !== recordId);
        return { ...data, records };
      });
    },
    [queryClient, tableId],
  );
  return { ...query, store };
}
