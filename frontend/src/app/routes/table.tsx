// The table screen. The grid itself lives in src/features/grid/components/grid-view.tsx; the views
// and fields controls above it in src/app/table-view-bar.tsx.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router-dom";

import { toast } from "@/components/ui/toaster";
import { OPEN_RECORD_PARAM } from "@/app/record-panel-from-url";
import { TableViewBar, useCurrentView, ViewTabsBar } from "@/app/table-view-bar";
import { ViewBody } from "@/app/view-body";
import { TableSearchBar } from "@/app/table-search-bar";
import { TableDrops } from "@/app/table-drops";
import { GridView, type GridViewProps, type HeaderMenuRequest } from "@/features/grid/components/grid-view";
import { tableQuery } from "@/features/workspaces/api/queries";
import { useTableEvents } from "@/hooks/use-realtime";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";

/** Someone else renamed, deleted or re-shared this table: keep the header, sidebar and role current. */
function useTableMetaEvents(tableId: string, baseId: string | undefined) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  useTableEvents(tableId, {
    onEvent: (event) => {
      if (event.type === "table.deleted" || event.type === "table.purged") {
        toast.info("This table was deleted. It can be restored from the base's trash.");
        navigate("/", { replace: true });
        queryClient.removeQueries({ queryKey: queryKeys.table(tableId) });
      } else if (event.type === "table.updated" || event.type === "grant.changed") {
        void queryClient.invalidateQueries({ queryKey: queryKeys.table(tableId), exact: true });
      } else {
        return;
      }
      const base = event.base_id ?? baseId;
      if (base) void queryClient.invalidateQueries({ queryKey: queryKeys.tables(base) });
    },
    // The grid reloads its own data; the table's name and role are reloaded here.
    onRefetch: () => void queryClient.invalidateQueries({ queryKey: queryKeys.table(tableId), exact: true }),
  });
}

export default function TableRoute() {
  const { tableId = "", baseId } = useParams();
  const table = useQuery(tableQuery(tableId));
  useTableMetaEvents(tableId, baseId ?? table.data?.base_id);
  const { view } = useCurrentView(tableId);
  const [headerMenu, setHeaderMenu] = useState<HeaderMenuRequest | null>(null);
  const [, setParams] = useSearchParams();
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
  // The current view reaches the grid as `viewId`.
  const gridProps: GridViewProps & { viewId?: string | undefined } = {
    tableId,
    baseId: baseId ?? table.data?.base_id,
    tableName: table.data?.name,
    primaryFieldId: table.data?.primary_field_id,
    role: table.data?.role,
    viewId: view?.id,
    onHeaderMenu: setHeaderMenu,
    // An expanded row opens the same record panel as every other view (?open=<id>).
    onOpenRecord: (record) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set(OPEN_RECORD_PARAM, record.id);
        return next;
      }),
  };
  return (
    <section className="flex min-h-0 flex-1 flex-col" aria-labelledby="table-title">
      <header className="flex items-center gap-3 border-b px-4 py-2">
        <h1 id="table-title" className="truncate text-base font-semibold">
          {table.data?.name ?? "Loading table…"}
        </h1>
        <ViewTabsBar tableId={tableId} role={table.data?.role} />
        <TableSearchBar tableId={tableId} />
      </header>
      <TableViewBar
        tableId={tableId}
        baseId={baseId ?? table.data?.base_id}
        primaryFieldId={table.data?.primary_field_id}
        role={table.data?.role}
        headerMenu={headerMenu}
        onHeaderMenuClose={() => setHeaderMenu(null)}
      />
      <TableDrops tableId={tableId} primaryFieldId={table.data?.primary_field_id} role={table.data?.role}>
        {(cellDrops, onAttachmentCell) => (
          <ViewBody tableId={tableId} baseId={baseId ?? table.data?.base_id} primaryFieldId={table.data?.primary_field_id} role={table.data?.role}>
            <GridView key={tableId} {...gridProps} cellDrops={cellDrops} onAttachmentCell={onAttachmentCell} />
          </ViewBody>
        )}
      </TableDrops>
    </section>
  );
}
