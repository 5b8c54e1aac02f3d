// CSV import into an existing table: choose a file, check the preview (a guessed type per column),
// map each column to a field, a new field or nothing, import with progress, then read the per-row
// errors of the rows left out.
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { importIntoTable, importProgress, type ImportProgress, type ImportReport } from "@/features/csv/api/csv";
import {
  mappingOptions,
  newImportId,
  preview as makePreview,
  suggestMapping,
  type ColumnTarget,
  type FieldRef,
  type Preview,
} from "@/features/csv/lib/csv-preview";
import { errorMessage } from "@/lib/api/errors";

type Step = { kind: "choose" } | { kind: "map"; text: string; preview: Preview } | { kind: "running"; importId: string } | { kind: "report"; report: ImportReport };

function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsText(file);
  });
}

const MAX_BYTES = 5 * 1024 * 1024; // the request body (JSON) must stay under Lambda's 6 MB

export function ImportWizard({
  tableId,
  fields,
  onClose,
}: {
  tableId: string;
  fields: readonly FieldRef[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [step, setStep] = useState<Step>({ kind: "choose" });
  const [targets, setTargets] = useState<ColumnTarget[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [onError, setOnError] = useState<"skip" | "abort">("skip");

  const running = step.kind === "running" ? step.importId : null;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      importProgress(tableId, running).then(setProgress, () => undefined);
    }, 700);
    return () => clearInterval(timer);
  }, [running, tableId]);

  async function choose(file: File | undefined) {
    setError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setError(`The file is larger than ${MAX_BYTES / 1024 / 1024} MB; split it or use the API with text/csv.`);
      return;
    }
    const text = await readText(file);
    const shown = makePreview(text);
    if (shown.headers.length === 0) {
      setError("The file is empty.");
      return;
    }
    setTargets(suggestMapping(shown.headers, fields));
    setStep({ kind: "map", text, preview: shown });
  }

  async function run(text: string, headers: string[]) {
    const importId = newImportId();
    setProgress(null);
    setStep({ kind: "running", importId });
    try {
      const report = await importIntoTable(tableId, { csv: text, import_id: importId, on_error: onError, ...mappingOptions(headers, targets) });
      setStep({ kind: "report", report });
      void queryClient.invalidateQueries({ queryKey: ["tables", tableId] });
    } catch (e) {
      setError(errorMessage(e));
      setStep({ kind: "choose" });
    }
  }

  const writable = fields.filter((f) => !f.read_only);
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent className="max-h-[90vh] max-w-4xl overflow-y-auto" data-testid="csv-import">
        <DialogHeader>
          <DialogTitle>Import CSV</DialogTitle>
          <DialogDescription>Rows with a value their field refuses are left out and listed with the reason.</DialogDescription>
        </DialogHeader>
        {error ? (
          <p role="alert" className="text-destructive text-sm">
            {error}
          </p>
        ) : null}
        {step.kind === "choose" ? (
          <label className="block text-sm">
            <span className="mb-1 block font-medium">CSV file</span>
            <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void choose(e.target.files?.[0])} data-testid="csv-file" />
          </label>
        ) : null}
        {step.kind === "map" ? (
          <div className="space-y-3">
            <p className="text-muted-foreground text-sm">
              {step.preview.headers.length} columns, delimiter “{step.preview.delimiter === "\t" ? "tab" : step.preview.delimiter}”
              {step.preview.ragged.length ? `; ${step.preview.ragged.length} rows with a different number of cells` : ""}
            </p>
            <div className="overflow-x-auto">
              <table className="text-xs" data-testid="csv-preview">
                <thead>
                  <tr>
                    {step.preview.columns.map((column, i) => (
                      <th key={i} className="border p-1 text-left align-top">
                        <div className="font-medium">{column.header}</div>
                        <div className="text-muted-foreground font-normal">looks like {column.type.replace("_", " ")}</div>
                        <select
                          aria-label={`Field for ${column.header}`}
                          className="mt-1 w-36 rounded border bg-transparent p-0.5"
                          value={targets[i] ?? "skip"}
                          onChange={(e) => setTargets((t) => t.map((v, j) => (j === i ? e.target.value : v)))}
                        >
                          <option value="new">New field</option>
                          <option value="skip">Skip</option>
                          {writable.map((f) => (
                            <option key={f.id} value={f.id}>
                              {f.name}
                            </option>
                          ))}
                        </select>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {step.preview.rows.map((row, r) => (
                    <tr key={r}>
                      {step.preview.headers.map((_, c) => (
                        <td key={c} className="max-w-48 truncate border p-1">
                          {row[c] ?? ""}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={onError === "abort"} onChange={(e) => setOnError(e.target.checked ? "abort" : "skip")} />
              Import nothing if any row is refused
            </label>
            <div className="flex gap-2">
              <Button onClick={() => void run(step.text, step.preview.headers)}>Import</Button>
              <Button variant="outline" onClick={() => setStep({ kind: "choose" })}>
                Choose another file
              </Button>
            </div>
          </div>
        ) : null}
        {step.kind === "running" ? (
          <div className="space-y-2 text-sm" data-testid="csv-progress">
            <p>
              Importing…{" "}
              {progress?.total_rows ? `${progress.processed_rows ?? 0} of ${progress.total_rows} rows (${progress.phase ?? "starting"})` : ""}
            </p>
            <div
              role="progressbar"
              aria-label="Import progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress?.total_rows ? Math.floor(((progress.processed_rows ?? 0) / progress.total_rows) * 100) : 0}
              className="bg-muted h-1.5 overflow-hidden rounded"
            >
              <div
                className="bg-primary h-full transition-all"
                style={{ width: `${progress?.total_rows ? Math.floor(((progress.processed_rows ?? 0) / progress.total_rows) * 100) : 5}%` }}
              />
            </div>
          </div>
        ) : null}
        {step.kind === "report" ? (
          <div className="space-y-2 text-sm" data-testid="csv-report">
            <p>
              <strong>{step.report.imported_rows}</strong> of {step.report.total_rows} rows imported
              {step.report.failed_rows ? `, ${step.report.failed_rows} left out` : ""}.
            </p>
            {step.report.fields.some((f) => f.created) ? (
              <p>New fields: {step.report.fields.filter((f) => f.created).map((f) => `${f.name} (${f.type})`).join(", ")}</p>
            ) : null}
            {step.report.skipped_columns.length ? (
              <p>Skipped columns: {step.report.skipped_columns.map((s) => `${s.column} (${s.reason})`).join(", ")}</p>
            ) : null}
            {step.report.errors.length ? (
              <table className="text-xs" data-testid="csv-errors">
                <thead>
                  <tr>
                    <th className="border p-1 text-left">Row</th>
                    <th className="border p-1 text-left">Column</th>
                    <th className="border p-1 text-left">Value</th>
                    <th className="border p-1 text-left">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {step.report.errors.map((e, i) => (
                    <tr key={i}>
                      <td className="border p-1">{e.row}</td>
                      <td className="border p-1">{e.column ?? ""}</td>
                      <td className="border p-1">{e.value ?? ""}</td>
                      <td className="border p-1">{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            {step.report.errors_truncated ? <p className="text-muted-foreground">Only the first errors are listed.</p> : null}
            <Button onClick={onClose}>Done</Button>
          </div>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
