import { useQuery } from "@tanstack/react-query";
import { KeyRound, Plus, Trash2, TriangleAlert } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { CopyButton } from "@/components/copy-button";
import { FormField } from "@/components/form/form-field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { baseChoicesQuery, tokensQuery, useCreateToken, useRevokeToken } from "@/features/tokens/api/tokens";
import {
  SCOPE_HELP,
  SCOPES,
  tokenRequest,
  validateTokenForm,
  type TokenForm,
  type TokenFormErrors,
  type TokenScope,
} from "@/features/tokens/lib/validation";
import { errorMessage } from "@/lib/api/errors";

function when(iso: string | null): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

const EMPTY: TokenForm = { name: "", scope: "read", limitBases: false, baseIds: [], expiresInDays: "" };

function NewTokenDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const [form, setForm] = useState<TokenForm>(EMPTY);
  const [errors, setErrors] = useState<TokenFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const bases = useQuery({ ...baseChoicesQuery(), enabled: open && form.limitBases });
  const create = useCreateToken();
  const scopeId = useId();
  const limitId = useId();

  function close(value: boolean) {
    if (value) return;
    onOpenChange(false);
    // Forget the secret once the dialog closes: it is never shown again.
    setSecret(null);
    setForm(EMPTY);
    setErrors({});
    setFormError(null);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateTokenForm(form);
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length) return;
    try {
      const created = await create.mutateAsync(tokenRequest(form));
      setSecret({ name: created.name, token: created.token });
    } catch (cause) {
      setFormError(errorMessage(cause));
    }
  }

  return (
    <Dialog open={open} onOpenChange={close}>
      <DialogContent className="max-w-lg">
        {secret ? (
          <div className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Copy your new token</DialogTitle>
              <DialogDescription>
                This is the only time the secret of “{secret.name}” is shown. Store it in a password manager or your CI&apos;s secrets.
              </DialogDescription>
            </DialogHeader>
            <div className="flex items-center gap-2">
              <Input readOnly value={secret.token} aria-label="Token secret" className="font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
              <CopyButton value={secret.token} />
            </div>
            <p className="flex items-start gap-2 text-sm text-muted-foreground">
              <TriangleAlert className="mt-0.5 h-4 w-4 shrink-0" aria-hidden="true" />
              <span>
                Use it as <code className="whitespace-nowrap rounded bg-muted px-1">Authorization: Bearer …</code>. Anyone with it acts as
                you within its scope.
              </span>
            </p>
            <DialogFooter>
              <Button onClick={() => close(false)}>Done</Button>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={submit} noValidate className="grid gap-4" aria-label="New API token">
            <DialogHeader>
              <DialogTitle>New API token</DialogTitle>
              <DialogDescription>A token acts as you, limited to its scope and bases, and never more than your role allows.</DialogDescription>
            </DialogHeader>
            <FormField label="Name" error={errors.name}>
              {(props) => <Input {...props} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />}
            </FormField>
            <div className="grid gap-1.5">
              <Label htmlFor={scopeId}>Scope</Label>
              <Select value={form.scope} onValueChange={(scope) => setForm({ ...form, scope: scope as TokenScope })}>
                <SelectTrigger id={scopeId}>
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {SCOPES.map((scope) => (
                    <SelectItem key={scope} value={scope}>
                      {scope} — {SCOPE_HELP[scope]}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <fieldset className="grid gap-2">
              <legend className="mb-1 text-sm font-medium">Bases</legend>
              <div className="flex items-center gap-2">
                <Checkbox
                  id={limitId}
                  checked={form.limitBases}
                  onCheckedChange={(checked) => setForm({ ...form, limitBases: checked === true })}
                />
                <Label htmlFor={limitId} className="font-normal">
                  Only some bases (otherwise every base you can reach, now and later)
                </Label>
              </div>
              {form.limitBases && (
                <div className="max-h-48 overflow-y-auto rounded-md border p-2" role="group" aria-label="Bases the token may use">
                  {bases.isPending ? (
                    <Skeleton className="h-12 w-full" />
                  ) : bases.isError ? (
                    <p role="alert" className="text-sm text-destructive">
                      {errorMessage(bases.error)}
                    </p>
                  ) : bases.data.length === 0 ? (
                    <p className="text-sm text-muted-foreground">You have no bases yet.</p>
                  ) : (
                    bases.data.map((base) => {
                      const checked = form.baseIds.includes(base.id);
                      const id = `${limitId}-${base.id}`;
                      return (
                        <div key={base.id} className="flex items-center gap-2 py-1">
                          <Checkbox
                            id={id}
                            checked={checked}
                            onCheckedChange={(value) =>
                              setForm({
                                ...form,
                                baseIds: value === true ? [...form.baseIds, base.id] : form.baseIds.filter((b) => b !== base.id),
                              })
                            }
                          />
                          <Label htmlFor={id} className="font-normal">
                            {base.name} <span className="text-muted-foreground">({base.workspaceName})</span>
                          </Label>
                        </div>
                      );
                    })
                  )}
                </div>
              )}
              {errors.baseIds && (
                <p role="alert" className="text-xs font-medium text-destructive">
                  {errors.baseIds}
                </p>
              )}
            </fieldset>
            <FormField label="Expires after (days)" error={errors.expiresInDays} hint="Leave empty for a token that does not expire.">
              {(props) => (
                <Input
                  {...props}
                  inputMode="numeric"
                  value={form.expiresInDays}
                  onChange={(e) => setForm({ ...form, expiresInDays: e.target.value })}
                  className="w-32"
                />
              )}
            </FormField>
            {formError && (
              <p role="alert" className="text-sm font-medium text-destructive">
                {formError}
              </p>
            )}
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => close(false)}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create token"}
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

export function TokensPage() {
  const tokens = useQuery(tokensQuery());
  const revoke = useRevokeToken();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);

  return (
    <div className="mx-auto grid w-full max-w-4xl gap-6 p-6">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">API tokens</h1>
          <p className="mt-1 text-sm text-muted-foreground">Personal tokens for scripts and integrations (REST and Airtable-compatible API).</p>
        </div>
        <Button onClick={() => setCreating(true)}>
          <Plus aria-hidden="true" />
          New token
        </Button>
      </div>
      {tokens.isPending ? (
        <Skeleton className="h-32 w-full" />
      ) : tokens.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(tokens.error)}
        </p>
      ) : tokens.data.length === 0 ? (
        <div className="grid justify-items-center gap-2 rounded-lg border border-dashed p-10 text-center text-muted-foreground">
          <KeyRound className="h-6 w-6" aria-hidden="true" />
          <p>No tokens yet.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-md border">
          <table className="w-full text-sm">
            <caption className="sr-only">Your API tokens</caption>
            <thead className="bg-muted text-left">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Name</th>
                <th scope="col" className="px-3 py-2 font-medium">Scope</th>
                <th scope="col" className="px-3 py-2 font-medium">Bases</th>
                <th scope="col" className="px-3 py-2 font-medium">Created</th>
                <th scope="col" className="px-3 py-2 font-medium">Last used</th>
                <th scope="col" className="px-3 py-2 font-medium">Expires</th>
                <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.map((token) => (
                <tr key={token.id} className="border-t">
                  <td className="px-3 py-2 font-medium">{token.name}</td>
                  <td className="px-3 py-2">
                    <Badge variant="secondary">{token.scope}</Badge>
                  </td>
                  <td className="px-3 py-2">{token.base_ids ? `${token.base_ids.length} base${token.base_ids.length === 1 ? "" : "s"}` : "All"}</td>
                  <td className="px-3 py-2">{when(token.created_at)}</td>
                  <td className="px-3 py-2">{token.last_used_at ? when(token.last_used_at) : "Never"}</td>
                  <td className="px-3 py-2">{token.expires_at ? when(token.expires_at) : "Never"}</td>
                  <td className="px-3 py-2 text-right">
                    <Button variant="ghost" size="icon-sm" aria-label={`Revoke ${token.name}`} onClick={() => setRevoking({ id: token.id, name: token.name })}>
                      <Trash2 aria-hidden="true" />
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <NewTokenDialog open={creating} onOpenChange={setCreating} />
      <AlertDialog open={revoking !== null} onOpenChange={(open) => !open && setRevoking(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Revoke “{revoking?.name}”?</AlertDialogTitle>
            <AlertDialogDescription>Programs using it stop working at once. This cannot be undone.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <Button
              variant="destructive"
              disabled={revoke.isPending}
              onClick={() => {
                if (!revoking) return;
                revoke.mutate(revoking.id, {
                  onSuccess: () => {
                    toast.success(`Revoked ${revoking.name}`);
                    setRevoking(null);
                  },
                  onError: (e) => toast.error(errorMessage(e)),
                });
              }}
            >
              Revoke token
            </Button>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}
