import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";

// Lists shown in dialogs are fetched each time a dialog opens: other people change them (an invitation
// accepted, a role changed) and no realtime event reaches this page for those.
const freshOnOpen = { staleTime: 0 } as const;

export const workspacesQuery = () =>
  queryOptions({
    queryKey: queryKeys.workspaces(),
    queryFn: () => unwrap(api.GET("/workspaces")),
    refetchOnWindowFocus: true,
  });

export const basesQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: queryKeys.bases(workspaceId),
    queryFn: () => unwrap(api.GET("/workspaces/{workspaceId}/bases", { params: { path: { workspaceId } } })),
    refetchOnWindowFocus: true,
  });

export const baseQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.base(baseId),
    queryFn: () => unwrap(api.GET("/bases/{baseId}", { params: { path: { baseId } } })),
  });

export const tablesQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.tables(baseId),
    queryFn: () => unwrap(api.GET("/bases/{baseId}/tables", { params: { path: { baseId } } })),
    refetchOnWindowFocus: true,
  });

export const tableQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.table(tableId),
    queryFn: () => unwrap(api.GET("/tables/{tableId}", { params: { path: { tableId } } })),
  });

export const membersQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: queryKeys.members("workspace", workspaceId),
    queryFn: () => unwrap(api.GET("/workspaces/{workspaceId}/members", { params: { path: { workspaceId } } })),
    ...freshOnOpen,
  });

export const invitationsQuery = (workspaceId: string) =>
  queryOptions({
    queryKey: queryKeys.invitations(workspaceId),
    queryFn: () => unwrap(api.GET("/workspaces/{workspaceId}/invitations", { params: { path: { workspaceId } } })),
    ...freshOnOpen,
  });

export const baseGrantsQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.members("base", baseId),
    queryFn: () => unwrap(api.GET("/bases/{baseId}/grants", { params: { path: { baseId } } })),
    ...freshOnOpen,
  });

export const tableGrantsQuery = (tableId: string) =>
  queryOptions({
    queryKey: queryKeys.members("table", tableId),
    queryFn: () => unwrap(api.GET("/tables/{tableId}/grants", { params: { path: { tableId } } })),
    ...freshOnOpen,
  });

export const trashQuery = (baseId: string) =>
  queryOptions({
    queryKey: queryKeys.trash(baseId),
    queryFn: () => unwrap(api.GET("/bases/{base_id}/trash", { params: { path: { base_id: baseId }, query: { kind: "table" } } })),
    ...freshOnOpen,
  });
