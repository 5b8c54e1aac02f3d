// The table screen. The grid itself lives in src/features/grid/components/grid-view.tsx.
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router-dom";

import { GridView } from "@/features/grid/components/grid-view";
import { tableQuery } from "@/features/workspaces/api/queries";
import { errorMessage } from "@/lib/api/errors";

export default function TableRoute() {
  const { tableId = "", baseId } = useParams();
  const table = useQuery(tableQuery(tableId));
  if (table.isError) {
    return (
      <div className="p-6">
        <h1 className="text-lg font-semibold">Table unavailable</h1>
        <p role="alert" className="mt-1 text-sm text-destructive">
          {errorMessage(table.error)}
        </p>
      </div>
    );
  }
  return (
    <section className="flex min-h-0 flex-1 flex-col" aria-labelledby="table-title">
      <header className="flex items-center gap-3 border-b px-4 py-2">
        <h1 id="table-title" className="truncate text-base font-semibold">
          {table.data?.name ?? "Loading table…"}
        </h1>
      </header>
      <GridView
        key={tableId}
        tableId={tableId}
        baseId={baseId ?? table.data?.base_id}
        tableName={table.data?.name}
        primaryFieldId={table.data?.primary_field_id}
        role={table.data?.role}
      />
    </section>
  );
}
