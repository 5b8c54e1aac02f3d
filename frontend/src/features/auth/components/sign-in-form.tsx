import { useState, type FormEvent } from "react";

import { FormField } from "@/components/form/form-field";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { signIn } from "@/features/auth/api/auth";
import { hasErrors, validateSignIn, type FormErrors } from "@/features/auth/lib/validation";
import { ApiError, errorMessage } from "@/lib/api/errors";

export function SignInForm({ defaultEmail = "", onSuccess }: { defaultEmail?: string; onSuccess?: () => void }) {
  const [email, setEmail] = useState(defaultEmail);
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FormErrors<"email" | "password">>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateSignIn({ email, password });
    setErrors(found);
    setFormError(null);
    if (hasErrors(found)) return;
    setPending(true);
    try {
      await signIn({ email: email.trim(), password });
      onSuccess?.();
    } catch (error) {
      setFormError(error instanceof ApiError && error.status === 401 ? "Wrong email or password." : errorMessage(error));
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="grid gap-4" onSubmit={submit} noValidate aria-label="Sign in">
      <FormField label="Email" error={errors.email}>
        {(props) => (
          <Input {...props} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        )}
      </FormField>
      <FormField label="Password" error={errors.password}>
        {(props) => (
          <Input
            {...props}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
      </FormField>
      {formError && (
        <p role="alert" className="text-sm font-medium text-destructive">
          {formError}
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
