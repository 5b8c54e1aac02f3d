// Map an extraction result into records: what to map (BOM rows, dimensions, blocks, title block,
// IFC elements...), into which fields of the table (existing or new), a preview of the records, run.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { runMapping, suggestedMappingQuery } from "@/features/extraction/api/jobs";
import {
  initialChoices,
  mappingProblems,
  mappingRequest,
  previewRecords,
  retarget,
  SOURCE_LABELS,
  type ColumnChoice,
  type TableField,
} from "@/features/extraction/lib/mapping";
import { errorMessage } from "@/lib/api/errors";

export function MappingForm({
  jobId,
  tableId,
  fields,
  onDone,
}: {
  jobId: string;
  tableId: string;
  fields: readonly TableField[];
  onDone: (recordIds: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const [source, setSource] = useState<string | null>(null);
  const suggested = useQuery(suggestedMappingQuery(jobId, tableId, source));
  const [choices, setChoices] = useState<ColumnChoice[]>([]);
  const [key] = useState(() => `map-${jobId}-${Date.now().toString(36)}`);
  useEffect(() => {
    if (suggested.data) setChoices(initialChoices(suggested.data));
  }, [suggested.data]);
  const problems = mappingProblems(choices, fields);
  const records = useMemo(() => previewRecords(suggested.data?.preview ?? [], choices), [suggested.data, choices]);
  const run = useMutation({
    mutationFn: () => {
      if (!suggested.data) throw new Error("The mapping is not loaded.");
      return runMapping(jobId, mappingRequest(tableId, suggested.data, choices, `${key}-${suggested.data.source}`));
    },
    onSuccess: (out) => {
      void queryClient.invalidateQueries({ queryKey: ["tables", tableId] });
      onDone(out.record_ids);
    },
  });
  const writable = fields.filter((f) => !f.read_only);

  if (suggested.isError) return <p className="text-destructive text-sm">{errorMessage(suggested.error)}</p>;
  if (!suggested.data) return <p className="text-muted-foreground text-sm">Loading the suggested mapping…</p>;
  const data = suggested.data;
  const included = choices.filter((c) => c.include);
  return (
    <div className="space-y-3 text-sm" data-testid="mapping-form">
      <label className="flex items-center gap-2">
        <span className="font-medium">Map</span>
        <select
          aria-label="What to map"
          className="rounded border bg-transparent p-1"
          value={data.source}
          onChange={(e) => setSource(e.target.value)}
        >
          {Object.entries(data.sources).map(([name, count]) => (
            <option key={name} value={name} disabled={count === 0}>
              {SOURCE_LABELS[name] ?? name} ({count})
            </option>
          ))}
        </select>
        <span className="text-muted-foreground">{data.row_count} records</span>
      </label>
      <table className="text-xs">
        <thead>
          <tr>
            <th className="p-1 text-left">Map</th>
            <th className="p-1 text-left">From</th>
            <th className="p-1 text-left">Into field</th>
          </tr>
        </thead>
        <tbody>
          {choices.map((c, i) => (
            <tr key={c.source}>
              <td className="p-1">
                <input
                  type="checkbox"
                  aria-label={`Map ${c.source}`}
                  checked={c.include}
                  onChange={(e) => setChoices((all) => all.map((x, j) => (j === i ? { ...x, include: e.target.checked } : x)))}
                />
              </td>
              <td className="p-1">{c.source}</td>
              <td className="flex gap-1 p-1">
                <select
                  aria-label={`Field for ${c.source}`}
                  className="rounded border bg-transparent p-0.5"
                  value={c.fieldId ?? "__new"}
                  onChange={(e) =>
                    setChoices((all) => all.map((x, j) => (j === i ? retarget(x, fields, e.target.value === "__new" ? x.source : e.target.value) : x)))
                  }
                >
                  <option value="__new">New field…</option>
                  {writable.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name}
                    </option>
                  ))}
                </select>
                {c.fieldId ? null : (
                  <Input
                    aria-label={`New field name for ${c.source}`}
                    className="h-7 w-40"
                    value={c.fieldName}
                    onChange={(e) => setChoices((all) => all.map((x, j) => (j === i ? { ...x, fieldName: e.target.value } : x)))}
                  />
                )}
                {c.fieldId ? null : <span className="text-muted-foreground self-center">{c.type}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {records.length && included.length ? (
        <div className="overflow-x-auto">
          <p className="text-muted-foreground text-xs">
            Preview of the first {records.length} of {data.row_count} records
          </p>
          <table className="text-xs" data-testid="mapping-preview">
            <thead>
              <tr>
                {included.map((c) => (
                  <th key={c.source} className="border p-1 text-left">
                    {c.fieldName}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {records.map((r, i) => (
                <tr key={i}>
                  {included.map((c) => (
                    <td key={c.source} className="border p-1">
                      {r[c.fieldName] === null || r[c.fieldName] === undefined ? "" : String(r[c.fieldName])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {problems.map((p) => (
        <p key={p} className="text-destructive text-xs">
          {p}
        </p>
      ))}
      {run.isError ? <p className="text-destructive text-xs">{errorMessage(run.error)}</p> : null}
      {run.isSuccess ? <p data-testid="mapping-done">{run.data.record_ids.length} records created.</p> : null}
      <Button disabled={problems.length > 0 || run.isPending || run.isSuccess} onClick={() => run.mutate()}>
        Create {data.row_count} records
      </Button>
    </div>
  );
}
