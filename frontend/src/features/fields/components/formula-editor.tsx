// The formula editor: a text area that completes {Field name} after an open brace and function
// names while a word is typed (arrow keys pick, Enter or Tab insert, Escape closes), and shows the
// server's verdict on the formula as it is typed (a dry run of the field write).
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";

import { Textarea } from "@/components/ui/textarea";
import { applyCompletion, completionsAt, signature, type Completion, type FormulaFunction } from "@/features/fields/lib/formula";
import { cn } from "@/lib/utils";

export type FormulaCheck = { ok: true; resultType?: string | undefined } | { ok: false; message: string };

export interface FormulaEditorProps {
  value: string;
  onChange: (value: string) => void;
  fieldNames: string[];
  functions: FormulaFunction[];
  /** Ask the server about the formula; called after typing pauses. */
  validate?: (formula: string) => Promise<FormulaCheck>;
  delayMs?: number;
  label?: string;
}

export function FormulaEditor({ value, onChange, fieldNames, functions, validate, delayMs = 400, label = "Formula" }: FormulaEditorProps) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [check, setCheck] = useState<FormulaCheck | null>(null);
  const [checking, setChecking] = useState(false);
  const completions = open ? completionsAt(value, caret, fieldNames, functions) : [];
  const byName = new Map(functions.map((f) => [f.name, f]));

  useEffect(() => {
    if (!validate) return;
    if (!value.trim()) {
      setCheck(null);
      return;
    }
    let stale = false;
    const timer = setTimeout(() => {
      setChecking(true);
      validate(value)
        .then((result) => !stale && setCheck(result))
        .catch(() => undefined)
        .finally(() => !stale && setChecking(false));
    }, delayMs);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [value, validate, delayMs]);

  // The caret after an insertion, put in place as soon as the new text is in the DOM (before the next
  // key press, however fast the typing).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null || !ref.current) return;
    pendingCaret.current = null;
    ref.current.focus();
    ref.current.setSelectionRange(at, at);
  }, [value]);

  function accept(completion: Completion) {
    const next = applyCompletion(value, completion);
    pendingCaret.current = next.caret;
    onChange(next.text);
    setCaret(next.caret);
    setOpen(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (!completions.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const by = event.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + by + completions.length) % completions.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      const chosen = completions[Math.min(active, completions.length - 1)];
      if (chosen) {
        event.preventDefault();
        accept(chosen);
      }
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
    }
  }

  const listId = `${id}-completions`;
  const statusId = `${id}-status`;
  return (
    <div className="relative grid gap-1.5">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <Textarea
        ref={ref}
        id={id}
        value={value}
        rows={3}
        spellCheck={false}
        className="font-mono text-sm"
        placeholder="e.g. {Price} * {Quantity}"
        role="combobox"
        aria-expanded={completions.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={completions.length ? `${listId}-${Math.min(active, completions.length - 1)}` : undefined}
        aria-describedby={statusId}
        aria-invalid={check?.ok === false}
        onChange={(e) => {
          onChange(e.target.value);
          setCaret(e.target.selectionStart);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => setCaret(e.currentTarget.selectionStart)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {completions.length > 0 && (
        <ul id={listId} role="listbox" aria-label="Suggestions" className="absolute top-full z-50 mt-1 max-h-56 w-full overflow-auto rounded-md border bg-popover p-1 text-sm shadow-md">
          {completions.map((completion, index) => (
            <li
              key={`${completion.kind}:${completion.label}`}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={cn("flex cursor-pointer items-center justify-between gap-4 rounded px-2 py-1", index === active && "bg-accent")}
              onMouseDown={(e) => {
                e.preventDefault();
                accept(completion);
              }}
            >
              <span className="font-mono">{completion.kind === "field" ? `{${completion.label}}` : completion.label}</span>
              <span className="truncate text-xs text-muted-foreground">
                {completion.kind === "field" ? "field" : (byName.get(completion.label)?.description?.split("\n")[0] ?? signature(byName.get(completion.label) ?? { name: completion.label }))}
              </span>
            </li>
          ))}
        </ul>
      )}
      <p id={statusId} className="min-h-4 text-xs" aria-live="polite">
        {check?.ok === false ? (
          <span role="alert" className="font-medium text-destructive" data-testid="formula-error">
            {check.message}
          </span>
        ) : checking ? (
          <span className="text-muted-foreground">Checking…</span>
        ) : check?.ok ? (
          <span className="text-muted-foreground" data-testid="formula-ok">
            Valid formula{check.resultType ? `: gives a ${check.resultType}` : ""}
          </span>
        ) : (
          <span className="text-muted-foreground">Type {"{"} to insert a field.</span>
        )}
      </p>
    </div>
  );
}
