// Search queries: a base (every table the caller can read) or one table, as you type.
import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";

export type SearchResponse = components["schemas"]["SearchResponse"];
export type SearchHit = components["schemas"]["SearchHit"];
export type Segment = components["schemas"]["Segment"];

export const SEARCH_LIMIT = 20;

export const baseSearchQuery = (baseId: string, q: string) =>
  queryOptions({
    queryKey: ["search", "base", baseId, q] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/bases/{base_id}/search", { params: { path: { base_id: baseId }, query: { q, limit: SEARCH_LIMIT } }, signal })),
    enabled: q.trim().length > 0,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });

export const tableSearchQuery = (tableId: string, q: string) =>
  queryOptions({
    queryKey: ["search", "table", tableId, q] as const,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/tables/{table_id}/search", { params: { path: { table_id: tableId }, query: { q, limit: SEARCH_LIMIT } }, signal })),
    enabled: q.trim().length > 0,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });

export const recordQuery = (tableId: string, recordId: string) =>
  queryOptions({
    queryKey: ["search", "record", tableId, recordId] as const,
    queryFn: () =>
      unwrap(
        api.GET("/tables/{table_id}/records/{record_id}", {
          params: { path: { table_id: tableId, record_id: recordId }, query: { field_key: "name" } },
        }),
      ),
  });
