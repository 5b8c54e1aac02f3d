// Writes of the workspaces area. Each mutation refreshes the lists it changes; errors surface as
// ApiError for the caller (dialogs show them inline, menus as toasts).
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import { positionWrites } from "@/features/workspaces/lib/order";
import type { Role, Table } from "@/types/api";

export function useCreateWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/workspaces", { body: { name } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
  });
}

export function useRenameWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, name }: { workspaceId: string; name: string }) =>
      unwrap(api.PATCH("/workspaces/{workspaceId}", { params: { path: { workspaceId } }, body: { name } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
  });
}

export function useDeleteWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (workspaceId: string) => unwrap(api.DELETE("/workspaces/{workspaceId}", { params: { path: { workspaceId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
  });
}

export function useCreateBase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, name }: { workspaceId: string; name: string }) =>
      unwrap(api.POST("/workspaces/{workspaceId}/bases", { params: { path: { workspaceId } }, body: { name } })),
    onSuccess: (_base, { workspaceId }) => qc.invalidateQueries({ queryKey: queryKeys.bases(workspaceId) }),
  });
}

export function useRenameBase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ baseId, name }: { baseId: string; workspaceId: string; name: string }) =>
      unwrap(api.PATCH("/bases/{baseId}", { params: { path: { baseId } }, body: { name } })),
    onSuccess: (_base, { workspaceId, baseId }) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.bases(workspaceId) }),
        qc.invalidateQueries({ queryKey: queryKeys.base(baseId), exact: true }),
      ]),
  });
}

export function useDeleteBase() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ baseId }: { baseId: string; workspaceId: string }) =>
      unwrap(api.DELETE("/bases/{baseId}", { params: { path: { baseId } } })),
    onSuccess: (_r, { workspaceId }) => qc.invalidateQueries({ queryKey: queryKeys.bases(workspaceId) }),
  });
}

export function useCreateTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ baseId, name }: { baseId: string; name: string }) =>
      unwrap(api.POST("/bases/{baseId}/tables", { params: { path: { baseId } }, body: { name } })),
    onSuccess: (_t, { baseId }) => qc.invalidateQueries({ queryKey: queryKeys.tables(baseId) }),
  });
}

export function useRenameTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ tableId, name }: { tableId: string; baseId: string; name: string }) =>
      unwrap(api.PATCH("/tables/{tableId}", { params: { path: { tableId } }, body: { name } })),
    onSuccess: (_t, { baseId, tableId }) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.tables(baseId) }),
        qc.invalidateQueries({ queryKey: queryKeys.table(tableId), exact: true }),
      ]),
  });
}

/** Save a new table order: the list is shown in its new order at once and restored if a write fails. */
export function useReorderTables() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ ordered }: { baseId: string; ordered: Table[] }) => {
      // Independent writes: sent together, so the new order is saved in one round trip.
      await Promise.all(
        positionWrites(ordered).map(([tableId, position]) =>
          unwrap(api.PATCH("/tables/{tableId}", { params: { path: { tableId } }, body: { position } })),
        ),
      );
    },
    onMutate: async ({ baseId, ordered }) => {
      await qc.cancelQueries({ queryKey: queryKeys.tables(baseId) });
      const previous = qc.getQueryData<Table[]>(queryKeys.tables(baseId));
      qc.setQueryData<Table[]>(queryKeys.tables(baseId), ordered.map((table, position) => ({ ...table, position })));
      return { previous };
    },
    onError: (_error, { baseId }, context) => {
      if (context?.previous) qc.setQueryData(queryKeys.tables(baseId), context.previous);
    },
    onSettled: (_r, _e, { baseId }) => qc.invalidateQueries({ queryKey: queryKeys.tables(baseId) }),
  });
}

export function useDeleteTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ tableId }: { tableId: string; baseId: string }) =>
      unwrap(api.DELETE("/tables/{tableId}", { params: { path: { tableId } } })),
    onSuccess: (_r, { baseId, tableId }) => {
      // Its fields and records are gone: drop them rather than let a mounted view refetch into a 404.
      qc.removeQueries({ queryKey: queryKeys.table(tableId) });
      return Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.tables(baseId) }),
        qc.invalidateQueries({ queryKey: queryKeys.trash(baseId) }),
      ]);
    },
  });
}

export function useRestoreTable() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ tableId }: { tableId: string; baseId: string }) =>
      unwrap(api.POST("/trash/{kind}/{object_id}/restore", { params: { path: { kind: "table", object_id: tableId } } })),
    onSuccess: (_r, { baseId }) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.tables(baseId) }),
        qc.invalidateQueries({ queryKey: queryKeys.trash(baseId) }),
      ]),
  });
}

export function useAddMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, email, role }: { workspaceId: string; email: string; role: Role }) =>
      unwrap(api.POST("/workspaces/{workspaceId}/members", { params: { path: { workspaceId } }, body: { email, role } })),
    onSuccess: (_m, { workspaceId }) => qc.invalidateQueries({ queryKey: queryKeys.members("workspace", workspaceId) }),
  });
}

export function useSetMemberRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, userId, role }: { workspaceId: string; userId: string; role: Role }) =>
      unwrap(api.PATCH("/workspaces/{workspaceId}/members/{userId}", { params: { path: { workspaceId, userId } }, body: { role } })),
    onSuccess: (_m, { workspaceId }) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.members("workspace", workspaceId) }),
        qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
      ]),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, userId }: { workspaceId: string; userId: string }) =>
      unwrap(api.DELETE("/workspaces/{workspaceId}/members/{userId}", { params: { path: { workspaceId, userId } } })),
    onSuccess: (_m, { workspaceId }) =>
      Promise.all([
        qc.invalidateQueries({ queryKey: queryKeys.members("workspace", workspaceId) }),
        qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
      ]),
  });
}

export function useCreateInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, email, role, expiresInDays }: { workspaceId: string; email: string; role: Role; expiresInDays: number }) =>
      unwrap(
        api.POST("/workspaces/{workspaceId}/invitations", {
          params: { path: { workspaceId } },
          body: { email, role, expires_in_days: expiresInDays },
        }),
      ),
    onSuccess: (_i, { workspaceId }) => qc.invalidateQueries({ queryKey: queryKeys.invitations(workspaceId) }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ workspaceId, invitationId }: { workspaceId: string; invitationId: string }) =>
      unwrap(
        api.DELETE("/workspaces/{workspaceId}/invitations/{invitationId}", { params: { path: { workspaceId, invitationId } } }),
      ),
    onSuccess: (_i, { workspaceId }) => qc.invalidateQueries({ queryKey: queryKeys.invitations(workspaceId) }),
  });
}

export function useAcceptInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST("/invitations/accept", { body: { token } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.workspaces() }),
  });
}

type GrantScope = { kind: "base"; id: string } | { kind: "table"; id: string };

/** Set (role) or remove (null: fall back to the level above) a person's grant on a base or table. */
export function useSetGrant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ scope, userId, role }: { scope: GrantScope; userId: string; role: Exclude<Role, "owner"> | null }) => {
      if (scope.kind === "base") {
        const path = { baseId: scope.id, userId };
        if (role === null) return unwrap(api.DELETE("/bases/{baseId}/grants/{userId}", { params: { path } }));
        return unwrap(api.PUT("/bases/{baseId}/grants/{userId}", { params: { path }, body: { role } }));
      }
      const path = { tableId: scope.id, userId };
      if (role === null) return unwrap(api.DELETE("/tables/{tableId}/grants/{userId}", { params: { path } }));
      return unwrap(api.PUT("/tables/{tableId}/grants/{userId}", { params: { path }, body: { role } }));
    },
    onSuccess: (_g, { scope }) => qc.invalidateQueries({ queryKey: queryKeys.members(scope.kind, scope.id) }),
  });
}
