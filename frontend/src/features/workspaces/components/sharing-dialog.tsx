import { useQuery } from "@tanstack/react-query";

import { Avatar, AvatarFallback, initials } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { useSetGrant } from "@/features/workspaces/api/mutations";
import { baseGrantsQuery, membersQuery, tableGrantsQuery } from "@/features/workspaces/api/queries";
import { INHERIT, RoleSelect } from "@/features/workspaces/components/role-select";
import { atLeast, effectiveAccess, GRANT_ROLES, isRole, ROLE_LABELS, type AccessSource, type PersonAccess } from "@/features/workspaces/lib/roles";
import { useSession } from "@/hooks/use-session";
import { ApiError, errorMessage } from "@/lib/api/errors";

export type SharingTarget =
  | { kind: "base"; id: string; name: string; workspaceId: string; role: string | null }
  | { kind: "table"; id: string; name: string; workspaceId: string; baseId: string; role: string | null };

const SOURCE_LABELS: Record<AccessSource, string> = {
  workspace: "from the workspace",
  base: "given on the base",
  table: "given on the table",
};

function inheritedLabel(person: PersonAccess, kind: "base" | "table", baseGrantRole: string | null): string {
  // What the person falls back to when this level's grant is removed.
  const above = kind === "table" && baseGrantRole ? baseGrantRole : person.workspaceRole;
  if (!above || !isRole(above)) return "No access";
  return `Inherit (${ROLE_LABELS[above]})`;
}

export function SharingDialog({ target, open, onOpenChange }: { target: SharingTarget; open: boolean; onOpenChange: (open: boolean) => void }) {
  const me = useSession().session?.user?.id;
  const members = useQuery({ ...membersQuery(target.workspaceId), enabled: open });
  const baseId = target.kind === "base" ? target.id : target.baseId;
  const baseGrants = useQuery({ ...baseGrantsQuery(baseId), enabled: open });
  const tableGrants = useQuery({ ...tableGrantsQuery(target.id), enabled: open && target.kind === "table" });
  const setGrant = useSetGrant();
  const canManage = atLeast(target.role, "admin");

  // Guests (a grant on this base or table, no workspace membership) may not list the workspace's
  // members: they still see and manage the grants, without the workspace roles behind them.
  const membersHidden = members.error instanceof ApiError && members.error.status === 403;
  const loading = members.isPending || baseGrants.isPending || (target.kind === "table" && tableGrants.isPending);
  const failure = (membersHidden ? null : members.error) ?? baseGrants.error ?? (target.kind === "table" ? tableGrants.error : null);
  const people =
    !loading && !failure
      ? effectiveAccess(members.data ?? [], baseGrants.data ?? [], target.kind === "table" ? (tableGrants.data ?? []) : null)
      : [];

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>
            Who can access {target.kind === "base" ? "the base" : "the table"} {target.name}
          </DialogTitle>
          <DialogDescription>
            The most specific role wins: a role given on the table replaces the base&apos;s, which replaces the workspace&apos;s, even
            when it is lower.
            {target.role && isRole(target.role) && <> Your role here: {ROLE_LABELS[target.role]}.</>}
          </DialogDescription>
        </DialogHeader>
        {loading ? (
          <Skeleton className="h-32 w-full" />
        ) : failure ? (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(failure)}
          </p>
        ) : (
          <ul className="grid divide-y rounded-md border" aria-label="People with access">
            {people.map((person) => {
              const baseGrant = (baseGrants.data ?? []).find((g) => g.user_id === person.userId)?.role ?? null;
              return (
                <li key={person.userId} className="flex items-center gap-3 px-3 py-2">
                  <Avatar className="h-8 w-8">
                    <AvatarFallback>{initials(person.name || person.email)}</AvatarFallback>
                  </Avatar>
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium">
                      {person.name}
                      {person.userId === me && <span className="text-muted-foreground"> (you)</span>}
                    </p>
                    <p className="truncate text-xs text-muted-foreground">
                      {person.email} · {ROLE_LABELS[person.role]} {SOURCE_LABELS[person.source]}
                      {person.workspaceRole === null && " · guest"}
                    </p>
                  </div>
                  {canManage && person.workspaceRole !== "owner" ? (
                    <RoleSelect
                      label={`Role of ${person.name} on this ${target.kind}`}
                      value={person.grant && person.grant !== "owner" ? person.grant : INHERIT}
                      roles={GRANT_ROLES}
                      inheritLabel={inheritedLabel(person, target.kind, baseGrant)}
                      className="h-8 w-44"
                      onChange={(next) =>
                        setGrant.mutate(
                          { scope: { kind: target.kind, id: target.id }, userId: person.userId, role: next === INHERIT ? null : next },
                          { onError: (e) => toast.error(errorMessage(e)) },
                        )
                      }
                    />
                  ) : (
                    <Badge variant="secondary">{ROLE_LABELS[person.role]}</Badge>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {membersHidden && (
          <p className="text-xs text-muted-foreground">
            Only people given a role on this base or table are listed: workspace members are visible to members only.
          </p>
        )}
        <p className="text-xs text-muted-foreground">
          To give someone outside the workspace access, invite them to the workspace first (Members), then adjust their role here.
        </p>
      </DialogContent>
    </Dialog>
  );
}
