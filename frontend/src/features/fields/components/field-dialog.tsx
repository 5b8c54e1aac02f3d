// Add a field, or edit one (name, description, options, type). A type change is first run as a dry
// run: the conversion report (how many values convert, which fail and why) is shown, and only
// "Convert" applies it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState, type FormEvent } from "react";

import { FormField } from "@/components/form/form-field";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toaster";
import { FieldOptionsForm } from "@/features/fields/components/field-options-form";
import type { FormulaCheck } from "@/features/fields/components/formula-editor";
import { createField, fieldTypesQuery, updateField, type ConversionReport } from "@/features/fields/api/fields";
import { cleanOptions, defaultOptions, FIELD_TYPE_GROUPS, optionsProblem, typeLabel } from "@/features/fields/lib/field-types";
import { displayFormula } from "@/features/fields/lib/formula";
import { ApiError, errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef } from "@/types/api";

export interface FieldDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  tableId: string;
  baseId?: string | undefined;
  fields: FieldDef[];
  /** The field to edit; absent: add a new one. */
  field?: FieldDef | null;
  /** Called with the created or updated field. */
  onSaved?: (field: FieldDef) => void;
}

const CHECK_NAME = "Formula check (not saved)";
// Types the API has that the groups do not name yet are listed under "Other".
const GROUPED = new Set(FIELD_TYPE_GROUPS.flatMap(([, types]) => types));

/** The field's options as the form edits them: a formula with field names instead of stored IDs. */
function editableOptions(field: FieldDef, fields: FieldDef[]): Record<string, unknown> {
  const options = { ...field.options };
  if (field.type === "formula" && typeof options.formula === "string") options.formula = displayFormula(options.formula, fields);
  // A button is stored with its URL formula as `formula` (field IDs); the API takes it back as url_formula.
  if (field.type === "button") {
    const stored = typeof options.formula === "string" ? options.formula : "";
    return { label: options.label, url_formula: displayFormula(stored, fields) };
  }
  return options;
}

export function FieldDialog({ open, onOpenChange, tableId, baseId, fields, field, onSaved }: FieldDialogProps) {
  const queryClient = useQueryClient();
  const catalog = useQuery(fieldTypesQuery());
  const editing = Boolean(field);
  const [name, setName] = useState("");
  const [type, setType] = useState("single_line_text");
  const [options, setOptions] = useState<Record<string, unknown>>({});
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [report, setReport] = useState<ConversionReport | null>(null);

  useEffect(() => {
    if (!open) return;
    setName(field?.name ?? "");
    setType(field?.type ?? "single_line_text");
    setOptions(field ? editableOptions(field, fields) : defaultOptions("single_line_text"));
    setDescription(field?.description ?? "");
    setError(null);
    setReport(null);
    // The table's fields only name the formula's references; a change to them later must not reset the form.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, field]);

  const known = new Set(catalog.data?.types ?? FIELD_TYPE_GROUPS.flatMap(([, types]) => types));
  const convertible = catalog.data?.details?.find((d) => d.name === field?.type)?.convertible ?? field?.type !== "link";
  const others = fields.filter((f) => f.id !== field?.id);
  const typeChanged = editing && type !== field?.type;

  const validateFormula = useCallback(
    async (formula: string): Promise<FormulaCheck> => {
      const trial = type === "button" ? { ...cleanOptions(type, options), url_formula: formula } : { ...cleanOptions(type, options), formula };
      try {
        const result = field
          ? await updateField(field.id, { type, options: trial }, true)
          : await createField(tableId, { name: CHECK_NAME, type, options: trial }, true);
        const resultType = result.options.result_type;
        return { ok: true, resultType: typeof resultType === "string" ? resultType : undefined };
      } catch (cause) {
        if (cause instanceof ApiError && cause.status === 0) throw cause; // offline: keep the last verdict
        return { ok: false, message: errorMessage(cause) };
      }
    },
    // Options other than the formula matter for rollups (link and target field).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [field, tableId, type, JSON.stringify({ ...options, formula: undefined })],
  );

  function changeType(next: string) {
    setType(next);
    setReport(null);
    setOptions(field && next === field.type ? editableOptions(field, fields) : defaultOptions(next));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setError("Enter a field name.");
      return;
    }
    const problem = optionsProblem(type, options);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    setPending(true);
    const body = { name: name.trim(), type, options: cleanOptions(type, options), description };
    try {
      if (field && typeChanged && !report) {
        const preview = await updateField(field.id, body, true);
        setReport(preview.conversion ?? null);
        return;
      }
      const saved = field
        ? await updateField(
            field.id,
            typeChanged
              ? body
              : {
                  name: body.name,
                  description,
                  // Unchanged options are not sent: saving them again would rebuild the field's indexes.
                  ...(JSON.stringify(body.options) !== JSON.stringify(cleanOptions(field.type, field.options)) ? { options: body.options } : {}),
                },
          )
        : await createField(tableId, body);
      await queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
      if (saved.conversion && saved.conversion.failed_count > 0) {
        toast(`${saved.conversion.failed_count} value${saved.conversion.failed_count === 1 ? "" : "s"} could not convert and were cleared.`);
      }
      onSaved?.(saved);
      onOpenChange(false);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] max-w-xl overflow-y-auto">
        <form onSubmit={submit} noValidate className="grid gap-4" data-testid="field-dialog">
          <DialogHeader>
            <DialogTitle>{editing ? `Edit field “${field?.name}”` : "Add a field"}</DialogTitle>
            <DialogDescription>{editing ? "Changing the type converts every value; you see what converts before it happens." : "Choose a type and its options."}</DialogDescription>
          </DialogHeader>
          <FormField label="Field name">
            {(props) => <Input {...props} autoFocus value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />}
          </FormField>
          <FormField label="Type" hint={editing && !convertible ? "A link field cannot change type; delete it and add a new field." : undefined}>
            {(props) => (
              <NativeSelect {...props} className="h-9" value={type} disabled={editing && !convertible} onChange={(e) => changeType(e.target.value)}>
                {[...FIELD_TYPE_GROUPS, ["Other", [...known].filter((t) => !GROUPED.has(t)).sort()] as [string, string[]]]
                  .filter(([, types]) => types.some((t) => known.has(t)))
                  .map(([group, types]) => (
                  <optgroup key={group} label={group}>
                    {types
                      .filter((t) => known.has(t))
                      .map((t) => (
                        <option key={t} value={t}>
                          {typeLabel(t)}
                        </option>
                      ))}
                  </optgroup>
                ))}
              </NativeSelect>
            )}
          </FormField>
          <FieldOptionsForm
            type={type}
            options={options}
            onChange={(next) => {
              setOptions(next);
              setReport(null);
            }}
            fields={others}
            baseId={baseId}
            editing={editing && !typeChanged}
            validateFormula={type === "formula" || type === "rollup" || type === "button" ? validateFormula : undefined}
          />
          <FormField label="Description (optional)">
            {(props) => <Textarea {...props} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
          </FormField>
          {report && <ConversionPreview report={report} />}
          {error && (
            <p role="alert" className="text-sm font-medium text-destructive">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending} variant={report && report.failed_count > 0 ? "destructive" : "default"}>
              {pending ? "Working…" : !editing ? "Add field" : typeChanged ? (report ? `Convert to ${typeLabel(type)}` : "Preview conversion") : "Save"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ConversionPreview({ report }: { report: ConversionReport }) {
  return (
    <section aria-label="Conversion preview" className="grid gap-2 rounded-md border p-3 text-sm" data-testid="conversion-report">
      <p>
        {typeLabel(report.from_type)} → {typeLabel(report.to_type)}: {report.converted} of {report.records} value{report.records === 1 ? "" : "s"} convert
        {report.failed_count > 0 ? `; ${report.failed_count} cannot and will be cleared.` : ", none is lost."}
      </p>
      {report.failed.length > 0 && (
        <ul className="max-h-40 overflow-auto text-xs">
          {report.failed.map((item) => (
            <li key={item.record_id} className="flex gap-2 border-t py-1">
              <span className="font-mono">{typeof item.value === "string" ? item.value : JSON.stringify(item.value)}</span>
              <span className="text-muted-foreground">{item.message}</span>
            </li>
          ))}
          {report.failed_count > report.failed.length && <li className="border-t py-1 text-muted-foreground">and {report.failed_count - report.failed.length} more</li>}
        </ul>
      )}
    </section>
  );
}
