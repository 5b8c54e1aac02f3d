// The table screen's view and field controls: views as tabs, the current view's toolbar (filter,
// sort, group, count) and the fields' menus. The current view is in the URL (?view=<id>, the
// table's first grid view when absent); the route hands it to the grid as its `viewId` prop.
// Features meet here: fields (field dialog, column actions) and views (saving in the view).
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { GridHeaderMenu } from "@/app/grid-header-menu";
import { TableDataActions } from "@/app/table-data-actions";
import { tableFieldsQuery } from "@/features/fields/api/fields";
import { FieldsToolbar } from "@/features/fields/components/fields-toolbar";
import type { HeaderMenuRequest } from "@/features/grid/components/grid-view";
import { viewsQuery, type View } from "@/features/views/api/views";
import { ViewTabs } from "@/features/views/components/view-tabs";
import { ViewToolbar, type FilterRequest } from "@/features/views/components/view-toolbar";
import { useSaveView } from "@/features/views/hooks/use-save-view";
import { directionLabels, MAX_GROUPS, readKeys, sortFirstBy } from "@/features/views/lib/sorts";
import type { FieldDef } from "@/types/api";

const ADMIN_ROLES = new Set(["owner", "admin"]);
const EDIT_ROLES = new Set(["owner", "admin", "editor"]);

/** The view the table screen shows: ?view=<id>, else the first grid view. */
export function useCurrentView(tableId: string): { views: View[]; view: View | undefined; select: (viewId: string) => void } {
  const [params, setParams] = useSearchParams();
  const views = useQuery(viewsQuery(tableId));
  const list = useMemo(() => views.data ?? [], [views.data]);
  const wanted = params.get("view");
  const view = list.find((v) => v.id === wanted) ?? list.find((v) => v.type === "grid") ?? list[0];
  const select = useCallback(
    (viewId: string) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        next.set("view", viewId);
        return next;
      }),
    [setParams],
  );
  return { views: list, view, select };
}

export function ViewTabsBar({ tableId, role }: { tableId: string; role: string | null | undefined }) {
  const { views, view, select } = useCurrentView(tableId);
  const fields = useQuery(tableFieldsQuery(tableId));
  return (
    <ViewTabs
      tableId={tableId}
      views={views}
      currentId={view?.id}
      onSelect={select}
      canEdit={role === undefined || role === null || EDIT_ROLES.has(role)}
      fields={fields.data ?? []}
    />
  );
}

export function TableViewBar({
  tableId,
  baseId,
  primaryFieldId,
  role,
  headerMenu = null,
  onHeaderMenuClose = () => undefined,
}: {
  tableId: string;
  baseId: string | undefined;
  primaryFieldId: string | null | undefined;
  role: string | null | undefined;
  /** The grid's column header menu to show (the grid asks for it, the view's actions answer it). */
  headerMenu?: HeaderMenuRequest | null;
  onHeaderMenuClose?: () => void;
}) {
  const fields = useQuery(tableFieldsQuery(tableId));
  const { view } = useCurrentView(tableId);
  const saveView = useSaveView(tableId);
  const [filterRequest, setFilterRequest] = useState<FilterRequest | null>(null);
  const known = role !== undefined && role !== null;
  const canAdmin = !known || ADMIN_ROLES.has(role);
  const canEditView = !known || EDIT_ROLES.has(role);
  if (!view) return null;
  const fieldList = fields.data ?? [];
  const hide = (field: FieldDef) => {
    const hidden = ((view.config as { hidden_fields?: string[] }).hidden_fields ?? []).filter((id) => id !== field.id);
    void saveView(view, { config: { hidden_fields: [...hidden, field.id] } });
  };
  const sort = (field: FieldDef, direction: "asc" | "desc") =>
    void saveView(view, { config: { sorts: sortFirstBy(readKeys((view.config as { sorts?: unknown }).sorts), field.id, direction) } });
  const group = (field: FieldDef) =>
    void saveView(view, {
      config: { group_by: sortFirstBy(readKeys((view.config as { group_by?: unknown }).group_by), field.id, "asc").slice(0, MAX_GROUPS) },
    });
  const filter = (field: FieldDef) => setFilterRequest({ fieldId: field.id, nonce: Date.now() });
  return (
    <div className="flex flex-wrap items-center gap-1 border-b px-3 py-1">
      <GridHeaderMenu
        tableId={tableId}
        baseId={baseId}
        fields={fieldList}
        primaryFieldId={primaryFieldId}
        canAdmin={canAdmin}
        canEditView={canEditView}
        request={headerMenu}
        onClose={onHeaderMenuClose}
        actions={{ onSort: sort, onFilter: filter, onHide: hide, onGroup: group }}
        sortLabels={(field) => directionLabels(field.type)}
        onOrder={(fieldOrder) => void saveView(view, { config: { field_order: fieldOrder } })}
      />
      <FieldsToolbar
        tableId={tableId}
        baseId={baseId}
        fields={fieldList}
        primaryFieldId={primaryFieldId}
        canAdmin={canAdmin}
        canEditView={canEditView}
        actions={{
          onSort: sort,
          onFilter: filter,
          onHide: hide,
        }}
      />
      <ViewToolbar tableId={tableId} view={view} fields={fieldList} canEdit={canEditView} filterRequest={filterRequest} />
      <TableDataActions tableId={tableId} viewId={view.id} viewName={view.name} fields={fieldList} canImport={known && canEditView} />
    </div>
  );
}
