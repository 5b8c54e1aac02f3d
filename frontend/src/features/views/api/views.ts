// Views of a table (list, create, rename, duplicate, delete, save filters/sorts/grouping), the
// field-type catalogue the filter builder takes its operators from, and the row count on request.
import { queryOptions, type QueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import type { Schemas } from "@/types/api";
import type { FieldTypeCatalog } from "@/features/views/lib/operators";
import type { ViewType } from "@/features/views/lib/view-types";

export type View = Schemas["ViewOut"];

/** The same key the grid reads its view from, so a saved change reaches it at once. */
export const viewsKey = (tableId: string) => ["tables", tableId, "views"] as const;

export const viewsQuery = (tableId: string) =>
  queryOptions({
    queryKey: viewsKey(tableId),
    queryFn: async () => {
      const body = await unwrap(api.GET("/tables/{table_id}/views", { params: { path: { table_id: tableId } } }));
      return body?.views ?? [];
    },
  });

export const fieldTypesQuery = () =>
  queryOptions({
    queryKey: queryKeys.fieldTypes(),
    queryFn: async () => (await unwrap(api.GET("/field-types"))) as unknown as FieldTypeCatalog,
    staleTime: Infinity,
  });

export async function createView(tableId: string, name: string, config: Record<string, unknown> = {}, type: ViewType = "grid"): Promise<View> {
  return unwrap(api.POST("/tables/{table_id}/views", { params: { path: { table_id: tableId } }, body: { name, type, config } as never }));
}

export async function updateView(viewId: string, body: { name?: string; config?: Record<string, unknown> }): Promise<View> {
  return unwrap(api.PATCH("/views/{view_id}", { params: { path: { view_id: viewId } }, body }));
}

export async function deleteView(viewId: string): Promise<void> {
  await unwrap(api.DELETE("/views/{view_id}", { params: { path: { view_id: viewId } } }));
}

/** Put a saved view into the cached list (the grid and the tabs read it from there). */
export function storeView(queryClient: QueryClient, tableId: string, saved: View): void {
  queryClient.setQueryData(viewsKey(tableId), (list: View[] | undefined) => {
    if (!list) return [saved];
    return list.some((v) => v.id === saved.id) ? list.map((v) => (v.id === saved.id ? saved : v)) : [...list, saved];
  });
}

/** How many records the view shows (its filters applied): one small page with count=true. */
export async function countRecords(tableId: string, viewId: string): Promise<number> {
  const body = await unwrap(
    api.GET("/tables/{table_id}/records", { params: { path: { table_id: tableId }, query: { view: viewId, count: true, page_size: 1 } } }),
  );
  return (body as unknown as { total?: number }).total ?? 0;
}
