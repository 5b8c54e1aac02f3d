// The grid's column header menu, as in Airtable: rename, edit the field, change its type (the field
// dialog previews the conversion report before applying), insert a field left or right, sort,
// filter and group by it, hide it, delete it (to the trash, confirmed). It composes the fields
// feature (dialogs, menu items) with what the view saves, so it lives in the app.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { NameDialog } from "@/components/name-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuLabel, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { updateField } from "@/features/fields/api/fields";
import { FieldDialog } from "@/features/fields/components/field-dialog";
import { FieldMenuItems, useDeleteField, type FieldActions } from "@/features/fields/components/field-menu";
import type { HeaderMenuRequest } from "@/features/grid/components/grid-view";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef } from "@/types/api";

/** The view's column order (primary field excluded) with a new field placed beside another. */
export function orderWithInserted(columnIds: string[], anchorId: string, side: "left" | "right", newId: string): string[] {
  // The primary field is always first and frozen: it is not part of the saved order.
  const ids = columnIds.slice(1).filter((id) => id !== newId);
  const at = ids.indexOf(anchorId);
  const index = at < 0 ? 0 : side === "left" ? at : at + 1;
  ids.splice(index, 0, newId);
  return ids;
}

type DialogState = { kind: "edit"; field: FieldDef } | { kind: "insert"; anchorId: string; side: "left" | "right"; columnIds: string[] };

export interface GridHeaderMenuProps {
  tableId: string;
  baseId: string | undefined;
  fields: FieldDef[];
  primaryFieldId: string | null | undefined;
  canAdmin: boolean;
  canEditView: boolean;
  request: HeaderMenuRequest | null;
  onClose: () => void;
  actions: Omit<FieldActions, "onEdit" | "onRename" | "onChangeType" | "onInsert">;
  sortLabels: (field: FieldDef) => [string, string];
  /** Save the view's column order (after an insert). */
  onOrder: (fieldOrder: string[]) => void;
}

export function GridHeaderMenu({
  tableId,
  baseId,
  fields,
  primaryFieldId,
  canAdmin,
  canEditView,
  request,
  onClose,
  actions,
  sortLabels,
  onOrder,
}: GridHeaderMenuProps) {
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [renaming, setRenaming] = useState<FieldDef | null>(null);
  const remove = useDeleteField(tableId);
  const field = request ? fields.find((f) => f.id === request.fieldId) : undefined;
  const all: FieldActions = {
    ...actions,
    onEdit: (target) => setDialog({ kind: "edit", field: target }),
    onChangeType: (target) => setDialog({ kind: "edit", field: target }),
    onRename: setRenaming,
    onInsert: (target, side) => request && setDialog({ kind: "insert", anchorId: target.id, side, columnIds: request.columnIds }),
  };
  return (
    <>
      {request && field && (
        // Not modal: the page around stays in the accessibility tree (the grid's canvas keeps focusable
        // cells, which a modal menu would hide from screen readers while they stay focusable).
        <DropdownMenu open modal={false} onOpenChange={(open) => !open && onClose()}>
          <DropdownMenuTrigger asChild>
            <span
              aria-hidden="true"
              className="fixed"
              style={{ left: request.bounds.x, top: request.bounds.y + request.bounds.height, width: 1, height: 1 }}
            />
          </DropdownMenuTrigger>
          <DropdownMenuContent
            align="start"
            data-testid="header-menu"
            // "Filter by" opens the view's filter popover: focus going back to the hidden anchor
            // would close it at once.
            onCloseAutoFocus={(event) => event.preventDefault()}
          >
            <DropdownMenuLabel>{field.name}</DropdownMenuLabel>
            <FieldMenuItems
              field={field}
              isPrimary={field.id === primaryFieldId}
              canAdmin={canAdmin}
              canEditView={canEditView}
              actions={all}
              onDelete={remove.request}
              sortLabels={sortLabels(field)}
            />
          </DropdownMenuContent>
        </DropdownMenu>
      )}
      <FieldDialog
        open={dialog !== null}
        onOpenChange={(open) => !open && setDialog(null)}
        tableId={tableId}
        baseId={baseId}
        fields={fields}
        field={dialog?.kind === "edit" ? dialog.field : null}
        onSaved={(saved) => {
          if (dialog?.kind === "insert") onOrder(orderWithInserted(dialog.columnIds, dialog.anchorId, dialog.side, saved.id));
        }}
      />
      <NameDialog
        open={renaming !== null}
        onOpenChange={(open) => !open && setRenaming(null)}
        title="Rename field"
        description="The new name shows everywhere the field is used; formulas keep working."
        label="Field name"
        initial={renaming?.name ?? ""}
        submitLabel="Rename"
        maxLength={200}
        onSubmit={async (name) => {
          if (!renaming) return;
          await updateField(renaming.id, { name });
          await queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
        }}
      />
      {remove.dialog}
    </>
  );
}
