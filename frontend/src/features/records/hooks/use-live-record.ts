// Keeps an open record panel current by itself, whatever view (or none) is under it: the grid
// reloads the table's fields on schema events, but kanban, gallery, calendar and form views do not,
// and no view reloads the single record the panel reads. A teammate's new field, a type change or an
// edit of this record then shows in the open panel without reopening it.
import { useQueryClient } from "@tanstack/react-query";

import { fieldsQuery, historyQuery, recordQuery } from "@/features/records/api/records";
import { useTableEvents } from "@/hooks/use-realtime";
import type { RealtimeEvent } from "@/lib/ws";

/** What an event means for the panel of `recordId`: its fields, its record, or nothing. */
export function panelRefresh(event: RealtimeEvent, recordId: string): { fields: boolean; record: boolean } {
  // A field added, changed, deleted or restored: the list of editors and the record's values (a new
  // computed field has values, a converted one new ones, a deleted one none).
  if (event.type.startsWith("field.")) return { fields: true, record: true };
  if (!event.type.startsWith("records.")) return { fields: false, record: false };
  const ids = event.payload.record_ids;
  // Payload cut to fit a frame: it may still name this record.
  const named = event.refetch === true || !Array.isArray(ids) || ids.includes(recordId);
  return { fields: false, record: named };
}

export function useLiveRecord(tableId: string, recordId: string): void {
  const queryClient = useQueryClient();
  const reloadFields = () => void queryClient.invalidateQueries({ queryKey: fieldsQuery(tableId).queryKey, exact: true });
  const reloadRecord = () => {
    void queryClient.invalidateQueries({ queryKey: recordQuery(tableId, recordId).queryKey, exact: true });
    void queryClient.invalidateQueries({ queryKey: historyQuery(tableId, recordId).queryKey, exact: true });
  };
  useTableEvents(tableId, {
    onEvent: (event) => {
      const refresh = panelRefresh(event, recordId);
      if (refresh.fields) reloadFields();
      if (refresh.record) reloadRecord();
    },
    // Events may have been missed: reload both.
    onRefetch: () => {
      reloadFields();
      reloadRecord();
    },
  });
}
