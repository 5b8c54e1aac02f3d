import { useState, type FormEvent } from "react";

import { FormField } from "@/components/form/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { signUp } from "@/features/auth/api/auth";
import { hasErrors, MIN_PASSWORD, validateSignUp, type FormErrors } from "@/features/auth/lib/validation";
import { ApiError, errorMessage } from "@/lib/api/errors";

type Field = "name" | "email" | "password";

export function SignUpForm({ onSuccess }: { onSuccess?: () => void }) {
  const [values, setValues] = useState({ name: "", email: "", password: "" });
  const [errors, setErrors] = useState<FormErrors<Field>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const set = (key: Field) => (event: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateSignUp(values);
    setErrors(found);
    setFormError(null);
    if (hasErrors(found)) return;
    setPending(true);
    try {
      await signUp({ name: values.name.trim(), email: values.email.trim(), password: values.password });
      onSuccess?.();
    } catch (error) {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        const fromServer: FormErrors<Field> = {};
        for (const key of ["name", "email", "password"] as const) if (fields[key]) fromServer[key] = fields[key];
        if (error.status === 409) fromServer.email = "An account with this email already exists. Sign in instead.";
        setErrors(fromServer);
        if (!hasErrors(fromServer)) setFormError(error.message);
      } else {
        setFormError(errorMessage(error));
      }
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="grid gap-4" onSubmit={submit} noValidate aria-label="Create account">
      <FormField label="Name" error={errors.name}>
        {(props) => <Input {...props} autoComplete="name" value={values.name} onChange={set("name")} />}
      </FormField>
      <FormField label="Email" error={errors.email}>
        {(props) => <Input {...props} type="email" autoComplete="email" value={values.email} onChange={set("email")} />}
      </FormField>
      <FormField label="Password" error={errors.password} hint={`At least ${MIN_PASSWORD} characters.`}>
        {(props) => (
          <Input {...props} type="password" autoComplete="new-password" value={values.password} onChange={set("password")} />
        )}
      </FormField>
      {formError && (
        <p role="alert" className="text-sm font-medium text-destructive">
          {formError}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
    </form>
  );
}
