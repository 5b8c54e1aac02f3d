// The body of the table screen by the current view's type: the grid (given as children), or a
// kanban, gallery, calendar or form view. Above it a bar with the table's views of those types and
// buttons to create one (the grid views have their tabs in the header). The current view is
// ?view=<id>, as for the grid. Settings of these views are saved in the view (PATCH /views/{id}).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { CalendarDays, GalleryHorizontal, KanbanSquare, ListChecks, Plus } from "lucide-react";
import { useCallback, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router-dom";

import { ViewRecordPanel } from "@/app/view-record-panel";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toaster";
import { CalendarView } from "@/features/calendar/components/calendar-view";
import { FormBuilder } from "@/features/forms/components/form-builder";
import { GalleryView } from "@/features/gallery/components/gallery-view";
import { fieldsQuery, peopleQuery, viewsQuery, type View } from "@/features/grid/api/records";
import { KanbanView } from "@/features/kanban/components/kanban-view";
import { api, unwrap } from "@/lib/api/client";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef, RecordRow } from "@/types/api";

const EDIT_ROLES = new Set(["owner", "admin", "editor"]);
const ICONS = { kanban: KanbanSquare, gallery: GalleryHorizontal, calendar: CalendarDays, form: ListChecks } as const;
type CardType = keyof typeof ICONS;
const LABELS: Record<CardType, string> = { kanban: "Kanban", gallery: "Gallery", calendar: "Calendar", form: "Form" };

/** Settings a new view of the type needs: the first field that fits. */
function initialConfig(type: CardType, fields: FieldDef[]): Record<string, unknown> | string {
  const first = (types: string[]) => fields.find((f) => types.includes(f.type))?.id;
  const cover = first(["attachment"]);
  if (type === "kanban") {
    const stack = first(["single_select", "user"]);
    return stack ? { stack_field_id: stack, ...(cover ? { cover_field_id: cover } : {}) } : "A kanban needs a single select or user field to stack by.";
  }
  if (type === "calendar") {
    const date = first(["date", "datetime"]);
    return date ? { date_field_id: date } : "A calendar needs a date or date-time field.";
  }
  if (type === "gallery") return cover ? { cover_field_id: cover } : {};
  const READ_ONLY = ["autonumber", "created_time", "last_modified_time", "created_by", "last_modified_by", "formula", "rollup", "lookup", "count", "attachment", "link", "user"];
  return { fields: fields.filter((f) => !READ_ONLY.includes(f.type)).map((f) => ({ field_id: f.id, required: false })) };
}

function uniqueName(base: string, views: View[]): string {
  const names = new Set(views.map((v) => v.name));
  for (let i = 1; ; i += 1) {
    const name = i === 1 ? base : `${base} ${i}`;
    if (!names.has(name)) return name;
  }
}

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
  const [open, setOpen] = useState<RecordRow | null>(null);
  const list = views.data ?? [];
  const wanted = params.get("view");
  const view = list.find((v) => v.id === wanted);
  const canEdit = role === undefined || role === null || EDIT_ROLES.has(role);
  const cardViews = list.filter((v) => v.type in ICONS);
  const fieldList = fields.data ?? [];

  const select = useCallback(
    (viewId: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set("view", viewId);
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

  async function create(type: CardType) {
    const config = initialConfig(type, fieldList);
    if (typeof config === "string") {
      toast.error(config);
      return;
    }
    try {
      const created = await unwrap(
        api.POST("/tables/{table_id}/views", { params: { path: { table_id: tableId } }, body: { name: uniqueName(LABELS[type], list), type, config } as never }),
      );
      queryClient.setQueryData<View[]>(["tables", tableId, "views"], (old) => [...(old ?? []), created]);
      select(created.id);
    } catch (error) {
      toast.error(`The view was not created: ${errorMessage(error)}`);
    }
  }

  const bar = (
    <nav aria-label="Kanban, gallery, calendar and form views" className="flex flex-wrap items-center gap-1 border-b px-3 py-1" data-testid="layout-views">
      {cardViews.map((v) => {
        const Icon = ICONS[v.type as CardType];
        return (
          <Button key={v.id} size="sm" variant={v.id === view?.id ? "secondary" : "ghost"} aria-current={v.id === view?.id ? "page" : undefined} onClick={() => select(v.id)}>
            <Icon className="h-4 w-4" aria-hidden />
            {v.name}
          </Button>
        );
      })}
      {canEdit ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button size="sm" variant="ghost" data-testid="new-layout-view">
              <Plus className="h-4 w-4" aria-hidden /> Kanban, gallery, calendar or form
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent>
            {(Object.keys(ICONS) as CardType[]).map((type) => (
              <DropdownMenuItem key={type} onSelect={() => void create(type)}>
                New {LABELS[type].toLowerCase()} view
              </DropdownMenuItem>
            ))}
          </DropdownMenuContent>
        </DropdownMenu>
      ) : null}
    </nav>
  );

  if (!view || !(view.type in ICONS)) {
    return (
      <>
        {bar}
        {children}
      </>
    );
  }
  const props = {
    tableId,
    view: { id: view.id, name: view.name, config: view.config as Record<string, unknown> },
    fields: fieldList,
    primaryFieldId,
    canEdit,
    people: people.data,
    onOpenRecord: setOpen,
    onSaveConfig: saveConfig,
  };
  return (
    <>
      {bar}
      {view.type === "kanban" ? <KanbanView key={view.id} {...props} /> : null}
      {view.type === "gallery" ? <GalleryView key={view.id} {...props} /> : null}
      {view.type === "calendar" ? <CalendarView key={view.id} {...props} /> : null}
      {view.type === "form" ? <FormBuilder key={view.id} view={props.view} fields={fieldList} canEdit={canEdit} onSaveConfig={saveConfig} /> : null}
      {open ? (
        <ViewRecordPanel
          tableId={tableId}
          record={open}
          fields={fieldList}
          primaryFieldId={primaryFieldId}
          canEdit={canEdit}
          onClose={() => setOpen(null)}
          onRecord={() => void queryClient.invalidateQueries({ queryKey: queryKeys.records(tableId) })}
        />
      ) : null}
    </>
  );
}
