import { useEffect, useState, type FormEvent } from "react";

import { FormField } from "@/components/form/form-field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { errorMessage } from "@/lib/api/errors";

export type NameDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  label: string;
  initial?: string;
  submitLabel: string;
  maxLength: number;
  /** The problem with a typed name, shown under the input before anything is sent; default: empty. */
  validate?: (name: string) => string | undefined;
  onSubmit: (name: string) => Promise<unknown>;
};

function requireName(name: string): string | undefined {
  return name.trim() ? undefined : "Enter a name.";
}

/** Ask for a name (create or rename). `onSubmit` rejects with an ApiError to show it inline. */
export function NameDialog({
  open,
  onOpenChange,
  title,
  description,
  label,
  initial = "",
  submitLabel,
  maxLength,
  validate = requireName,
  onSubmit,
}: NameDialogProps) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (open) {
      setName(initial);
      setError(undefined);
    }
  }, [open, initial]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = validate(name);
    setError(problem);
    if (problem) return;
    setPending(true);
    try {
      await onSubmit(name.trim());
      onOpenChange(false);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-md">
        <form onSubmit={submit} noValidate className="grid gap-4">
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            <DialogDescription>{description}</DialogDescription>
          </DialogHeader>
          <FormField label={label} error={error}>
            {(props) => <Input {...props} autoFocus value={name} onChange={(e) => setName(e.target.value)} maxLength={maxLength} />}
          </FormField>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : submitLabel}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
