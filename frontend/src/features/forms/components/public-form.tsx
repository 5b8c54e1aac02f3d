// A form to fill in, signed in or out (with the share token of a public form): one input per field
// type, checks before sending, the API's messages on the fields they concern, the rate limit's
// message, and a thank-you page (the form's own message) after a submission.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { formQuery, submitForm, type FormSchema } from "@/features/forms/api/forms";
import { submission, submitErrors, validateForm, type FieldErrors, type FormFieldSchema, type FormValues } from "@/features/forms/lib/validation";
import { errorMessage } from "@/lib/api/errors";
import { choicesOf } from "@/lib/record-values";
import type { FieldDef } from "@/types/api";

const INPUT_TYPES: Record<string, string> = {
  email: "email",
  url: "url",
  phone: "tel",
  number: "text",
  currency: "text",
  percent: "text",
  date: "date",
  datetime: "datetime-local",
};

function choices(field: FormFieldSchema): string[] {
  return choicesOf({ options: field.options ?? {} } as FieldDef).map((c) => c.name);
}

function FieldInput({ field, value, error, onChange }: { field: FormFieldSchema; value: unknown; error?: string | undefined; onChange: (v: unknown) => void }) {
  const id = useId();
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const described = [field.help ? helpId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const common = { id, "aria-invalid": error ? true : undefined, "aria-describedby": described, "aria-required": field.required || undefined };
  let control;
  if (field.type === "long_text") {
    control = <Textarea {...common} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />;
  } else if (field.type === "checkbox") {
    control = <input {...common} type="checkbox" className="h-4 w-4" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  } else if (field.type === "single_select") {
    control = (
      <select {...common} className="h-9 rounded-md border bg-background px-2 text-sm" value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">Choose…</option>
        {choices(field).map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    );
  } else if (field.type === "multiple_select") {
    const picked = Array.isArray(value) ? (value as string[]) : [];
    control = (
      <div role="group" aria-labelledby={`${id}-label`} aria-describedby={described} className="flex flex-wrap gap-3">
        {choices(field).map((name) => (
          <label key={name} className="flex items-center gap-1 text-sm">
            <input type="checkbox" checked={picked.includes(name)} onChange={(e) => onChange(e.target.checked ? [...picked, name] : picked.filter((n) => n !== name))} />
            {name}
          </label>
        ))}
      </div>
    );
  } else if (field.type === "rating") {
    const max = typeof field.options?.max === "number" ? field.options.max : 5;
    control = (
      <select {...common} className="h-9 w-24 rounded-md border bg-background px-2 text-sm" value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)}>
        <option value="">–</option>
        {Array.from({ length: max }, (_, i) => String(i + 1)).map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
    );
  } else {
    control = (
      <Input
        {...common}
        type={INPUT_TYPES[field.type] ?? "text"}
        inputMode={field.type in { number: 1, currency: 1, percent: 1 } ? "decimal" : undefined}
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="grid gap-1" data-testid="form-field" data-field-id={field.field_id}>
      <label id={`${id}-label`} htmlFor={id} className="text-sm font-medium">
        {field.label}
        {field.required ? <span aria-hidden className="text-destructive"> *</span> : null}
      </label>
      {field.help ? (
        <p id={helpId} className="text-xs text-muted-foreground">
          {field.help}
        </p>
      ) : null}
      {control}
      {error ? (
        <p id={errorId} className="text-sm text-destructive" data-testid="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The date-time input gives local wall-clock text; the API wants an instant. */
function toApiValues(fields: FormFieldSchema[], values: FormValues): FormValues {
  const out = submission(fields, values);
  for (const field of fields) {
    const v = out[field.field_id];
    if (field.type === "datetime" && typeof v === "string") out[field.field_id] = new Date(v).toISOString();
  }
  return out;
}

export function FormFill({ schema, share }: { schema: FormSchema; share: string | null }) {
  const fields = schema.fields as FormFieldSchema[];
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  if (done !== null) {
    return (
      <div className="grid gap-3" data-testid="form-thanks" role="status">
        <h1 className="text-xl font-semibold">Thank you</h1>
        <p className="whitespace-pre-wrap">{done}</p>
        <Button
          variant="outline"
          className="w-fit"
          onClick={() => {
            setValues({});
            setDone(null);
          }}
        >
          Submit another response
        </Button>
      </div>
    );
  }

  async function send() {
    const found = validateForm(fields, values);
    setErrors(found);
    setFormError(Object.keys(found).length > 0 ? "Some answers need another look." : null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const result = await submitForm(schema.view_id, share, toApiValues(fields, values));
      if (result.redirect_url) {
        window.location.assign(result.redirect_url);
        return;
      }
      setDone(result.submit_message || "Your response was recorded.");
    } catch (error) {
      const refused = submitErrors(fields, error);
      setErrors(refused.fields);
      setFormError(refused.form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      noValidate
      className="grid gap-4"
      aria-labelledby="form-title"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      <header className="grid gap-1">
        <h1 id="form-title" className="text-xl font-semibold">
          {schema.title}
        </h1>
        {schema.description ? <p className="whitespace-pre-wrap text-sm text-muted-foreground">{schema.description}</p> : null}
      </header>
      {fields.map((field) => (
        <FieldInput
          key={field.field_id}
          field={field}
          value={values[field.field_id]}
          error={errors[field.field_id]}
          onChange={(v) => {
            setValues((current) => ({ ...current, [field.field_id]: v }));
            setErrors(({ [field.field_id]: _gone, ...rest }) => rest);
          }}
        />
      ))}
      {formError ? (
        <p role="alert" className="text-sm text-destructive" data-testid="form-error">
          {formError}
        </p>
      ) : null}
      <Button type="submit" className="w-fit" disabled={busy}>
        {busy ? "Sending…" : "Submit"}
      </Button>
    </form>
  );
}

/** The form page: loads the form (by its share token when given) and shows it or why it cannot. */
export function PublicFormPage({ viewId, share }: { viewId: string; share: string | null }) {
  const form = useQuery(formQuery(viewId, share));
  return (
    <main className="mx-auto w-full max-w-xl p-6" data-testid="public-form">
      {form.isPending ? (
        <p role="status" className="text-sm text-muted-foreground">
          Loading the form…
        </p>
      ) : form.isError ? (
        <div role="alert">
          <h1 className="text-xl font-semibold">This form is not available</h1>
          <p className="mt-1 text-sm">{errorMessage(form.error)} The link may have changed or the form may no longer be shared.</p>
        </div>
      ) : (
        <FormFill schema={form.data} share={share} />
      )}
    </main>
  );
}
