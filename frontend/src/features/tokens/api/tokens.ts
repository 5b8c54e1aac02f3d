import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "@/lib/query-keys";
import type { TokenScope } from "@/features/tokens/lib/validation";

export const tokensQuery = () =>
  queryOptions({
    queryKey: queryKeys.apiTokens(),
    queryFn: () => unwrap(api.GET("/api-tokens")),
  });

export interface BaseChoice {
  id: string;
  name: string;
  workspaceName: string;
}

/** Every base the user can reach, for the "limit to bases" picker. */
export const baseChoicesQuery = () =>
  queryOptions({
    queryKey: ["api-tokens", "base-choices"],
    queryFn: async (): Promise<BaseChoice[]> => {
      const workspaces = await unwrap(api.GET("/workspaces"));
      const lists = await Promise.all(
        workspaces.map(async (w) => {
          const bases = await unwrap(api.GET("/workspaces/{workspaceId}/bases", { params: { path: { workspaceId: w.id } } }));
          return bases.map((b) => ({ id: b.id, name: b.name, workspaceName: w.name }));
        }),
      );
      return lists.flat();
    },
  });

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scope: TokenScope; base_ids: string[] | null; expires_in_days: number | null }) =>
      unwrap(api.POST("/api-tokens", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => unwrap(api.DELETE("/api-tokens/{tokenId}", { params: { path: { tokenId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: queryKeys.apiTokens() }),
  });
}
