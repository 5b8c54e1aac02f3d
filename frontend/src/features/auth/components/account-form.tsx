import { useState, type FormEvent } from "react";

import { FormField } from "@/components/form/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { toast } from "@/components/ui/toaster";
import { useUpdateAccount, type AccountChanges } from "@/features/auth/api/account";
import { hasErrors, validateAccount, type AccountValues, type FormErrors } from "@/features/auth/lib/validation";
import { useSession } from "@/hooks/use-session";
import { ApiError, errorMessage } from "@/lib/api/errors";

export function AccountForm() {
  const user = useSession().session?.user ?? { id: "", name: "", email: "" };
  const [values, setValues] = useState<AccountValues>({ name: user.name, email: user.email, password: "", confirm: "", currentPassword: "" });
  const [errors, setErrors] = useState<FormErrors<keyof AccountValues>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const update = useUpdateAccount();
  const set = (key: keyof AccountValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateAccount(values, user);
    setErrors(found);
    setFormError(null);
    if (hasErrors(found)) return;
    const changes: AccountChanges = {};
    if (values.name.trim() !== user.name) changes.name = values.name.trim();
    if (values.email.trim().toLowerCase() !== user.email.toLowerCase()) changes.email = values.email.trim();
    if (values.password) changes.password = values.password;
    if (changes.email || changes.password) changes.current_password = values.currentPassword;
    if (!Object.keys(changes).length) {
      setFormError("Nothing changed.");
      return;
    }
    try {
      await update.mutateAsync(changes);
      setValues((v) => ({ ...v, password: "", confirm: "", currentPassword: "" }));
      toast.success("Account updated");
    } catch (cause) {
      if (cause instanceof ApiError && (cause.status === 401 || cause.status === 403) && changes.current_password) {
        setErrors({ currentPassword: "The current password is not right." });
      } else if (cause instanceof ApiError && cause.status === 409) {
        setErrors({ email: cause.message });
      } else {
        setFormError(errorMessage(cause));
      }
    }
  }

  return (
    <form onSubmit={submit} noValidate className="grid max-w-md gap-4" aria-label="Account">
      <FormField label="Name" error={errors.name}>
        {(props) => <Input {...props} autoComplete="name" value={values.name} onChange={set("name")} />}
      </FormField>
      <FormField label="Email" error={errors.email}>
        {(props) => <Input {...props} type="email" autoComplete="email" value={values.email} onChange={set("email")} />}
      </FormField>
      <FormField label="New password" error={errors.password} hint="Leave empty to keep your password.">
        {(props) => <Input {...props} type="password" autoComplete="new-password" value={values.password} onChange={set("password")} />}
      </FormField>
      {values.password && (
        <FormField label="Repeat the new password" error={errors.confirm}>
          {(props) => <Input {...props} type="password" autoComplete="new-password" value={values.confirm} onChange={set("confirm")} />}
        </FormField>
      )}
      <FormField label="Current password" error={errors.currentPassword} hint="Needed to change your email or password.">
        {(props) => (
          <Input {...props} type="password" autoComplete="current-password" value={values.currentPassword} onChange={set("currentPassword")} />
        )}
      </FormField>
      {formError && (
        <p role="alert" className="text-sm font-medium text-destructive">
          {formError}
        </p>
      )}
      <Button type="submit" className="justify-self-start" disabled={update.isPending}>
        {update.isPending ? "Saving…" : "Save changes"}
      </Button>
    </form>
  );
}
