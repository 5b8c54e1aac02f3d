// The body of the table screen by the current view's type: the grid (given as children), or a
// kanban, gallery, calendar or form view. The views of every type are tabs in the header
// (features/views, composed in table-view-bar.tsx); the current view is ?view=<id>. Settings of
// these views are saved in the view (PATCH /views/{id}). A card opens the record panel through
// ?open=<record id>, as every view does, so a reload keeps it open and Back closes it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, type ReactNode } from "react";
import { useSearchParams } from "react-router-dom";

import { OPEN_RECORD_PARAM } from "@/app/record-panel-from-url";
import { toast } from "@/components/ui/toaster";
import { CalendarView } from "@/features/calendar/components/calendar-view";
import { FormBuilder } from "@/features/forms/components/form-builder";
import { GalleryView } from "@/features/gallery/components/gallery-view";
import { fieldsQuery, peopleQuery, viewsQuery, type View } from "@/features/grid/api/records";
import { KanbanView } from "@/features/kanban/components/kanban-view";
import { api, unwrap } from "@/lib/api/client";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { RecordRow } from "@/types/api";

const EDIT_ROLES = new Set(["owner", "admin", "editor"]);
const CARD_TYPES = new Set(["kanban", "gallery", "calendar", "form"]);

export function ViewBody({
  tableId,
  baseId,
  primaryFieldId,
  role,
  children,
}: {
  tableId: string;
  baseId: string | undefined;
  primaryFieldId: string | null | undefined;
  role: string | null | undefined;
  children: ReactNode;
}) {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const views = useQuery(viewsQuery(tableId));
  const fields = useQuery(fieldsQuery(tableId));
  const people = useQuery(peopleQuery(baseId));
  const list = views.data ?? [];
  const wanted = params.get("view");
  const view = list.find((v) => v.id === wanted);
  const canEdit = role === undefined || role === null || EDIT_ROLES.has(role);
  const fieldList = fields.data ?? [];

  // A history entry per opened record: Back closes the panel.
  const openRecord = useCallback(
    (record: RecordRow) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set(OPEN_RECORD_PARAM, record.id);
        return next;
      }),
    [setParams],
  );

  const saveConfig = useCallback(
    async (patch: Record<string, unknown>) => {
      if (!view) return;
      const key = ["tables", tableId, "views"];
      const before = queryClient.getQueryData<View[]>(key);
      const apply = (saved: View) =>
        queryClient.setQueryData<View[]>(key, (old) => (old ?? []).map((v) => (v.id === saved.id ? saved : v)));
      apply({ ...view, config: { ...view.config, ...patch } });
      try {
        apply(await unwrap(api.PATCH("/views/{view_id}", { params: { path: { view_id: view.id } }, body: { config: patch } })));
        // A new stack, date or filter changes which records the view lists.
        if (Object.keys(patch).some((k) => k !== "card_order" && k !== "hidden_fields")) {
          void queryClient.invalidateQueries({ queryKey: queryKeys.records(tableId) });
        }
      } catch (error) {
        if (before) queryClient.setQueryData(key, before);
        toast.error(`The view was not saved: ${errorMessage(error)}`);
      }
    },
    [queryClient, tableId, view],
  );

  if (!view || !CARD_TYPES.has(view.type)) return <>{children}</>;
  const props = {
    tableId,
    view: { id: view.id, name: view.name, config: view.config as Record<string, unknown> },
    fields: fieldList,
    primaryFieldId,
    canEdit,
    people: people.data,
    onOpenRecord: openRecord,
    onSaveConfig: saveConfig,
  };
  return (
    <>
      {view.type === "kanban" ? <KanbanView key={view.id} {...props} /> : null}
      {view.type === "gallery" ? <GalleryView key={view.id} {...props} /> : null}
      {view.type === "calendar" ? <CalendarView key={view.id} {...props} /> : null}
      {view.type === "form" ? <FormBuilder key={view.id} view={props.view} fields={fieldList} canEdit={canEdit} onSaveConfig={saveConfig} /> : null}
    </>
  );
}
