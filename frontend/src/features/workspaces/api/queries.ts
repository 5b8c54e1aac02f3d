import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

export const workspacesQuery = () =>
  queryOptions({
    queryKey: queryKeys.workspaces(),
    queryFn: () => unwrap(api.GET("/workspaces")),
  });

export const basesQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: queryKeys.bases(workspaceId),
    queryFn: () => unwrap(api.GET("/workspaces/{workspaceId}/bases", { params: { path: { workspaceId } } })),
  });

export const tablesQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.tables(baseId),
    queryFn: () => unwrap(api.GET("/bases/{baseId}/tables", { params: { path: { baseId } } })),
  });

export const tableQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.table(tableId),
    queryFn: () => unwrap(api.GET("/tables/{tableId}", { params: { path: { tableId } } })),
  });
