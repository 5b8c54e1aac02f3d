import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef, RecordPage } from "@/types/api";

export const fieldsQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.fields(tableId),
    queryFn: async () => {
      const body = await unwrap(api.GET("/tables/{table_id}/fields", { params: { path: { table_id: tableId } } }));
      return (body as unknown as { fields: FieldDef[] }).fields;
    },
  });

export const PAGE_SIZE = 100;

/** Records in keyset pages: each page asks for the rows after the previous page's cursor. */
export const recordPagesQuery = (tableId: string) =>
  infiniteQueryOptions({
    queryKey: queryKeys.records(tableId, { pages: PAGE_SIZE }),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam }) => {
      const query: { page_size: number; cursor?: string } = { page_size: PAGE_SIZE };
      if (pageParam) query.cursor = pageParam;
      const body = await unwrap(api.GET("/tables/{table_id}/records", { params: { path: { table_id: tableId }, query } }));
      return body as unknown as RecordPage;
    },
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
