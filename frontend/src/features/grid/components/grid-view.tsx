// Integration point of the grid: src/app/routes/table.tsx renders <GridView tableId baseId />.
// Until the canvas grid lands, this is a plain, read-only HTML table of the records, loaded in keyset
// pages ("Load more") and refreshed when the table changes elsewhere.
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";

import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { fieldsQuery, recordPagesQuery } from "@/features/grid/api/records";
import { useTableEvents } from "@/hooks/use-realtime";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";

export interface GridViewProps {
  tableId: string;
  baseId?: string | undefined;
  /** The table's name, for the accessible label. */
  tableName?: string | undefined;
}

function display(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(display).join(", ");
  if (typeof value === "object") {
    const named = value as { name?: unknown; filename?: unknown; display?: unknown };
    if (typeof named.display === "string") return named.display;
    if (typeof named.name === "string") return named.name;
    if (typeof named.filename === "string") return named.filename;
    return JSON.stringify(value);
  }
  return String(value);
}

export function GridView({ tableId, tableName }: GridViewProps) {
  const queryClient = useQueryClient();
  const fields = useQuery(fieldsQuery(tableId));
  const pages = useInfiniteQuery(recordPagesQuery(tableId));

  useTableEvents(tableId, {
    onEvent: (event) => {
      const key = event.type.startsWith("field") ? queryKeys.fields(tableId) : queryKeys.records(tableId);
      void queryClient.invalidateQueries({ queryKey: key });
    },
  });

  if (fields.isPending || pages.isPending) {
    return (
      <div className="grid gap-2 p-4" aria-busy="true" aria-label="Loading records">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-7 w-full" />
        ))}
      </div>
    );
  }
  if (fields.isError || pages.isError) {
    return (
      <p role="alert" className="p-4 text-sm text-destructive">
        {errorMessage(fields.error ?? pages.error)}
      </p>
    );
  }
  const records = pages.data.pages.flatMap((page) => page.records);
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="min-h-0 flex-1 overflow-auto" tabIndex={0} role="region" aria-label={`Records of ${tableName ?? "the table"}`}>
        <table className="min-w-full border-separate border-spacing-0 text-sm">
          <thead className="sticky top-0 z-10 bg-muted">
            <tr>
              <th scope="col" className="w-12 border-b border-r px-2 py-1.5 text-right font-medium text-muted-foreground">
                #
              </th>
              {fields.data.map((field) => (
                <th key={field.id} scope="col" className="whitespace-nowrap border-b border-r px-2 py-1.5 text-left font-medium">
                  {field.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {records.map((record, index) => (
              <tr key={record.id} className="hover:bg-accent/50">
                <td className="border-b border-r px-2 py-1 text-right tabular-nums text-muted-foreground">{index + 1}</td>
                {fields.data.map((field) => (
                  <td key={field.id} className="max-w-xs truncate border-b border-r px-2 py-1">
                    {display(record.fields[field.id])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {records.length === 0 && <p className="p-4 text-sm text-muted-foreground">No records yet.</p>}
      </div>
      <div className="flex items-center gap-3 border-t px-4 py-2 text-sm text-muted-foreground">
        <span>
          {records.length} record{records.length === 1 ? "" : "s"} loaded
        </span>
        {pages.hasNextPage && (
          <Button size="sm" variant="outline" onClick={() => void pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
            {pages.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        )}
      </div>
    </div>
  );
}
