// A record opened from search: its fields by name, read-only, with a link to its table.
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { recordQuery } from "@/features/search/api/search";
import { errorMessage } from "@/lib/api/errors";

function show(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(show).filter(Boolean).join(", ");
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    return String(v.filename ?? v.name ?? v.display ?? JSON.stringify(value));
  }
  return String(value);
}

export function RecordDialog({
  baseId,
  tableId,
  recordId,
  onClose,
}: {
  baseId: string;
  tableId: string;
  recordId: string;
  onClose: () => void;
}) {
  const record = useQuery(recordQuery(tableId, recordId));
  const fields = Object.entries((record.data?.fields ?? {}) as Record<string, unknown>);
  const title = fields.length > 0 ? show(fields[0]?.[1]) : "";
  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title || "Record"}</DialogTitle>
          <DialogDescription>
            <Link className="underline" to={`/b/${baseId}/t/${tableId}`} onClick={onClose}>
              Open its table
            </Link>
          </DialogDescription>
        </DialogHeader>
        {record.isError ? (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(record.error)}
          </p>
        ) : record.isPending ? (
          <p role="status" className="text-sm text-muted-foreground">
            Loading…
          </p>
        ) : (
          <dl className="grid max-h-[60vh] grid-cols-[minmax(8rem,auto)_1fr] gap-x-4 gap-y-2 overflow-y-auto text-sm">
            {fields.map(([name, value]) => (
              <div key={name} className="contents">
                <dt className="font-medium text-muted-foreground">{name}</dt>
                <dd className="whitespace-pre-wrap break-words">{show(value) || "—"}</dd>
              </div>
            ))}
          </dl>
        )}
      </DialogContent>
    </Dialog>
  );
}
