// Query keys shared by features, so one feature's mutation can refresh another's lists without
// importing it. Ids come second so realtime refetches can match keys by id (see use-realtime.tsx).
export const queryKeys = {
  me: () => ["me"] as const,
  workspaces: () => ["workspaces"] as const,
  workspace: (workspaceId: string) => ["workspaces", workspaceId] as const,
  bases: (workspaceId: string) => ["workspaces", workspaceId, "bases"] as const,
  base: (baseId: string) => ["bases", baseId] as const,
  tables: (baseId: string) => ["bases", baseId, "tables"] as const,
  table: (tableId: string) => ["tables", tableId] as const,
  fields: (tableId: string) => ["tables", tableId, "fields"] as const,
  fieldTypes: () => ["field-types"] as const,
  records: (tableId: string, params: Record<string, unknown> = {}) => ["tables", tableId, "records", params] as const,
  members: (scope: "workspace" | "base" | "table", id: string) => [`${scope}s`, id, "members"] as const,
  invitations: (workspaceId: string) => ["workspaces", workspaceId, "invitations"] as const,
  apiTokens: () => ["api-tokens"] as const,
  trash: (baseId: string) => ["bases", baseId, "trash"] as const,
};
