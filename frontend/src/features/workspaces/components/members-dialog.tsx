import { useQuery } from "@tanstack/react-query";
import { Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";

import { CopyButton } from "@/components/copy-button";
import { FormField } from "@/components/form/form-field";
import { Avatar, AvatarFallback, initials } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { toast } from "@/components/ui/toaster";
import {
  useAddMember,
  useCreateInvitation,
  useRemoveMember,
  useRevokeInvitation,
  useSetMemberRole,
} from "@/features/workspaces/api/mutations";
import { invitationsQuery, membersQuery } from "@/features/workspaces/api/queries";
import { ConfirmDeleteDialog } from "@/features/workspaces/components/confirm-delete-dialog";
import { RoleSelect } from "@/features/workspaces/components/role-select";
import { atLeast, isRole, ROLE_LABELS, ROLES } from "@/features/workspaces/lib/roles";
import { validateInviteEmail } from "@/features/workspaces/lib/validation";
import { useSession } from "@/hooks/use-session";
import { ApiError, errorMessage } from "@/lib/api/errors";
import type { Role, Workspace } from "@/types/api";

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

function MembersTab({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const members = useQuery(membersQuery(workspace.id));
  const me = useSession().session?.user?.id;
  const setRole = useSetMemberRole();
  const remove = useRemoveMember();
  const add = useAddMember();
  const [email, setEmail] = useState("");
  const [role, setRoleValue] = useState<Role>("editor");
  const [error, setError] = useState<string | undefined>();
  const [removing, setRemoving] = useState<{ userId: string; name: string; self: boolean } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = validateInviteEmail(email);
    setError(problem);
    if (problem) return;
    try {
      await add.mutateAsync({ workspaceId: workspace.id, email: email.trim(), role });
      setEmail("");
      toast.success("Member added");
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 404
          ? "No account uses this email. Send an invitation instead (Invitations tab)."
          : errorMessage(cause),
      );
    }
  }

  if (members.isPending) return <Skeleton className="h-24 w-full" />;
  if (members.isError) return <p role="alert" className="text-sm text-destructive">{errorMessage(members.error)}</p>;
  return (
    <div className="grid gap-4">
      <ul className="grid divide-y rounded-md border" aria-label="Members">
        {members.data.map((member) => (
          <li key={member.user_id} className="flex items-center gap-3 px-3 py-2">
            <Avatar className="h-8 w-8">
              <AvatarFallback>{initials(member.name || member.email)}</AvatarFallback>
            </Avatar>
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium">
                {member.name}
                {member.user_id === me && <span className="text-muted-foreground"> (you)</span>}
              </p>
              <p className="truncate text-xs text-muted-foreground">{member.email}</p>
            </div>
            {canManage && isRole(member.role) ? (
              <RoleSelect
                label={`Role of ${member.name}`}
                value={member.role}
                roles={ROLES}
                onChange={(next) => {
                  if (next === "inherit" || next === member.role) return;
                  setRole.mutate(
                    { workspaceId: workspace.id, userId: member.user_id, role: next },
                    { onError: (e) => toast.error(errorMessage(e)), onSuccess: () => toast.success(`${member.name} is now ${ROLE_LABELS[next]}`) },
                  );
                }}
              />
            ) : (
              <Badge variant="secondary">{isRole(member.role) ? ROLE_LABELS[member.role] : member.role}</Badge>
            )}
            {(canManage || member.user_id === me) && (
              <Button
                variant="ghost"
                size="icon-sm"
                aria-label={member.user_id === me ? "Leave workspace" : `Remove ${member.name}`}
                title={member.user_id === me ? "Leave workspace" : "Remove from workspace"}
                onClick={() => setRemoving({ userId: member.user_id, name: member.name, self: member.user_id === me })}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            )}
          </li>
        ))}
      </ul>
      {canManage && (
        <form onSubmit={submit} noValidate className="grid gap-2 rounded-md border p-3" aria-label="Add a member">
          <p className="text-sm font-medium">Add someone who already has an account</p>
          <div className="flex items-start gap-2">
            <div className="flex-1">
              <FormField label="Email" error={error}>
                {(props) => <Input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
              </FormField>
            </div>
            <div className="grid gap-1.5">
              <span className="text-sm font-medium" aria-hidden="true">
                Role
              </span>
              <RoleSelect label="Role of the new member" value={role} roles={ROLES} onChange={(r) => r !== "inherit" && setRoleValue(r)} />
            </div>
          </div>
          <Button type="submit" size="sm" className="justify-self-end" disabled={add.isPending}>
            Add member
          </Button>
        </form>
      )}
      <ConfirmDeleteDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={removing?.self ? `Leave ${workspace.name}?` : `Remove ${removing?.name ?? ""} from ${workspace.name}?`}
        description={
          removing?.self
            ? "You lose access to its bases and tables unless one of them was shared with you directly."
            : "They lose access to its bases and tables, except those shared with them directly."
        }
        actionLabel={removing?.self ? "Leave" : "Remove"}
        onConfirm={async () => {
          if (!removing) return;
          await remove.mutateAsync({ workspaceId: workspace.id, userId: removing.userId });
          toast.success(removing.self ? `You left ${workspace.name}` : `Removed ${removing.name}`);
        }}
      />
    </div>
  );
}

function InvitationsTab({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const invitations = useQuery({ ...invitationsQuery(workspace.id), enabled: canManage });
  const create = useCreateInvitation();
  const revoke = useRevokeInvitation();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [days, setDays] = useState("7");
  const [error, setError] = useState<string | undefined>();
  const [created, setCreated] = useState<{ email: string; link: string } | null>(null);

  if (!canManage) return <p className="text-sm text-muted-foreground">Only admins and owners can invite people.</p>;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = validateInviteEmail(email);
    const expires = Number(days);
    setError(problem ?? (Number.isInteger(expires) && expires >= 1 && expires <= 90 ? undefined : "Between 1 and 90 days."));
    if (problem || !(Number.isInteger(expires) && expires >= 1 && expires <= 90)) return;
    try {
      const invitation = await create.mutateAsync({ workspaceId: workspace.id, email: email.trim(), role, expiresInDays: expires });
      setCreated({ email: invitation.email, link: `${window.location.origin}/invite?token=${encodeURIComponent(invitation.token)}` });
      setEmail("");
    } catch (cause) {
      setError(errorMessage(cause));
    }
  }

  return (
    <div className="grid gap-4">
      <form onSubmit={submit} noValidate className="grid gap-2 rounded-md border p-3" aria-label="Invite by email">
        <div className="flex flex-wrap items-start gap-2">
          <div className="min-w-48 flex-1">
            <FormField label="Email" error={error}>
              {(props) => <Input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </FormField>
          </div>
          <div className="grid gap-1.5">
            <span className="text-sm font-medium" aria-hidden="true">
              Role
            </span>
            <RoleSelect label="Role of the invited person" value={role} roles={ROLES} onChange={(r) => r !== "inherit" && setRole(r)} />
          </div>
          <div className="w-24">
            <FormField label="Valid (days)">
              {(props) => <Input {...props} type="number" min={1} max={90} value={days} onChange={(e) => setDays(e.target.value)} />}
            </FormField>
          </div>
        </div>
        <Button type="submit" size="sm" className="justify-self-end" disabled={create.isPending}>
          Create invitation
        </Button>
      </form>
      {created && (
        <div className="grid gap-2 rounded-md border border-primary/40 bg-accent p-3" role="status">
          <p className="text-sm">
            Send this link to <span className="font-medium">{created.email}</span>. It is shown only now.
          </p>
          <div className="flex items-center gap-2">
            <Input readOnly value={created.link} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()} className="font-mono text-xs" />
            <CopyButton value={created.link} label="Copy link" />
          </div>
        </div>
      )}
      {invitations.isPending ? (
        <Skeleton className="h-16 w-full" />
      ) : invitations.isError ? (
        <p role="alert" className="text-sm text-destructive">{errorMessage(invitations.error)}</p>
      ) : invitations.data.length === 0 ? (
        <p className="text-sm text-muted-foreground">No pending invitations.</p>
      ) : (
        <ul className="grid divide-y rounded-md border" aria-label="Pending invitations">
          {invitations.data.map((inv) => (
            <li key={inv.id} className="flex items-center gap-3 px-3 py-2 text-sm">
              <span className="min-w-0 flex-1 truncate">{inv.email}</span>
              <Badge variant="secondary">{isRole(inv.role) ? ROLE_LABELS[inv.role] : inv.role}</Badge>
              <span className={inv.status === "expired" ? "text-destructive" : "text-muted-foreground"}>
                {inv.status === "expired" ? "expired" : `until ${formatDate(inv.expires_at)}`}
              </span>
              <Button
                variant="ghost"
                size="icon-sm"
                aria-label={`Revoke the invitation of ${inv.email}`}
                onClick={() =>
                  revoke.mutate(
                    { workspaceId: workspace.id, invitationId: inv.id },
                    { onError: (e) => toast.error(errorMessage(e)), onSuccess: () => toast.success("Invitation revoked") },
                  )
                }
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function MembersDialog({
  workspace,
  open,
  onOpenChange,
}: {
  workspace: Workspace;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const canManage = atLeast(workspace.role, "admin");
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Members of {workspace.name}</DialogTitle>
          <DialogDescription>
            Workspace roles apply to every base and table, unless a base or table gives someone another role.
            {workspace.role && isRole(workspace.role) && <> Your role: {ROLE_LABELS[workspace.role]}.</>}
          </DialogDescription>
        </DialogHeader>
        <Tabs defaultValue="members">
          <TabsList>
            <TabsTrigger value="members">Members</TabsTrigger>
            <TabsTrigger value="invitations">Invitations</TabsTrigger>
          </TabsList>
          <TabsContent value="members">
            <MembersTab workspace={workspace} canManage={canManage} />
          </TabsContent>
          <TabsContent value="invitations">
            <InvitationsTab workspace={workspace} canManage={canManage} />
          </TabsContent>
        </Tabs>
      </DialogContent>
    </Dialog>
  );
}
