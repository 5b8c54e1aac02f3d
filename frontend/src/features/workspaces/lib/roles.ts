// Roles and the effective role of each person on a workspace, base or table, computed the way the
// API decides access (shared/pybase/access/service.py): the most specific grant wins, a table grant
// over a base grant over the workspace membership, even when it is lower.
import type { Role } from "@/types/api";

export const ROLES: readonly Role[] = ["viewer", "commenter", "editor", "admin", "owner"];
export const GRANT_ROLES: readonly Exclude<Role, "owner">[] = ["viewer", "commenter", "editor", "admin"];

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  admin: "Admin",
  editor: "Editor",
  commenter: "Commenter",
  viewer: "Viewer",
};

export const ROLE_HELP: Record<Role, string> = {
  owner: "Everything, including deleting the workspace and managing owners",
  admin: "Manage members, sharing, bases and tables",
  editor: "Create and edit records, fields and views",
  commenter: "Read and comment",
  viewer: "Read only",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

export function rank(role: string | null | undefined): number {
  return isRole(role) ? ROLES.indexOf(role) : -1;
}

export function atLeast(role: string | null | undefined, needed: Role): boolean {
  return rank(role) >= rank(needed);
}

export type AccessSource = "workspace" | "base" | "table";

export interface PersonAccess {
  userId: string;
  name: string;
  email: string;
  /** The role that decides what they can do here. */
  role: Role;
  source: AccessSource;
  /** Their workspace role, when they are a member (guests have none). */
  workspaceRole: Role | null;
  /** The explicit grant at this level, if any (what an admin edits here). */
  grant: Role | null;
}

interface Person {
  user_id: string;
  name: string;
  email: string;
  role: string;
}

/**
 * Everyone with access at a level. For a base, pass the base grants; for a table, the base grants and
 * the table grants. People are sorted by role (highest first), then name.
 */
export function effectiveAccess(
  members: Person[],
  baseGrants: Person[] = [],
  tableGrants: Person[] | null = null,
): PersonAccess[] {
  const level: AccessSource = tableGrants ? "table" : "base";
  const people = new Map<string, { name: string; email: string; workspace: Role | null; base: Role | null; table: Role | null }>();
  const entry = (p: Person) => {
    let found = people.get(p.user_id);
    if (!found) {
      found = { name: p.name, email: p.email, workspace: null, base: null, table: null };
      people.set(p.user_id, found);
    }
    return found;
  };
  for (const m of members) if (isRole(m.role)) entry(m).workspace = m.role;
  for (const g of baseGrants) if (isRole(g.role)) entry(g).base = g.role;
  for (const g of tableGrants ?? []) if (isRole(g.role)) entry(g).table = g.role;

  const result: PersonAccess[] = [];
  for (const [userId, p] of people) {
    const chosen: [Role, AccessSource] | null = p.table
      ? [p.table, "table"]
      : p.base
        ? [p.base, "base"]
        : p.workspace
          ? [p.workspace, "workspace"]
          : null;
    if (!chosen) continue;
    const grant = level === "table" ? p.table : level === "base" ? p.base : null;
    result.push({ userId, name: p.name, email: p.email, role: chosen[0], source: chosen[1], workspaceRole: p.workspace, grant });
  }
  return result.sort((a, b) => rank(b.role) - rank(a.role) || a.name.localeCompare(b.name));
}
