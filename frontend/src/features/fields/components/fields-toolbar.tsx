// "Add field" and the column menu of every field (a "Fields" menu with one sub-menu per field):
// the table screen's entry points to the field dialog, sorting/filtering/hiding by a field and
// deleting it.
import { Columns3, Plus } from "lucide-react";
import { useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuSub,
  DropdownMenuSubContent,
  DropdownMenuSubTrigger,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { FieldDialog } from "@/features/fields/components/field-dialog";
import { FieldMenuItems, useDeleteField, type FieldActions } from "@/features/fields/components/field-menu";
import type { FieldDef } from "@/types/api";

export function FieldsToolbar({
  tableId,
  baseId,
  fields,
  primaryFieldId,
  canAdmin,
  canEditView,
  actions,
}: {
  tableId: string;
  baseId?: string | undefined;
  fields: FieldDef[];
  primaryFieldId?: string | null | undefined;
  canAdmin: boolean;
  canEditView: boolean;
  actions: Omit<FieldActions, "onEdit">;
}) {
  const [dialog, setDialog] = useState<{ field: FieldDef | null } | null>(null);
  const remove = useDeleteField(tableId);
  // "Filter by" opens the view's filter popover: the menu must not take the focus back to its
  // trigger as it closes, which the popover would take as a click outside and close at once.
  const keepFocus = useRef(false);
  const all: FieldActions = {
    ...actions,
    onEdit: (field) => setDialog({ field }),
    onFilter: (field) => {
      keepFocus.current = true;
      actions.onFilter(field);
    },
  };
  return (
    <div className="flex items-center gap-1">
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button size="sm" variant="ghost" data-testid="fields-menu">
            <Columns3 className="h-4 w-4" /> Fields
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent
          align="start"
          className="max-h-[70vh] overflow-y-auto"
          onCloseAutoFocus={(event) => {
            if (keepFocus.current) event.preventDefault();
            keepFocus.current = false;
          }}
        >
          {fields.map((field) => (
            <DropdownMenuSub key={field.id}>
              <DropdownMenuSubTrigger>{field.name}</DropdownMenuSubTrigger>
              <DropdownMenuSubContent>
                <FieldMenuItems
                  field={field}
                  isPrimary={field.id === primaryFieldId}
                  canAdmin={canAdmin}
                  canEditView={canEditView}
                  actions={all}
                  onDelete={remove.request}
                />
              </DropdownMenuSubContent>
            </DropdownMenuSub>
          ))}
        </DropdownMenuContent>
      </DropdownMenu>
      {canAdmin && (
        <Button size="sm" variant="ghost" onClick={() => setDialog({ field: null })} data-testid="add-field">
          <Plus className="h-4 w-4" /> Add field
        </Button>
      )}
      <FieldDialog
        open={dialog !== null}
        onOpenChange={(open) => !open && setDialog(null)}
        tableId={tableId}
        baseId={baseId}
        fields={fields}
        field={dialog?.field ?? null}
      />
      {remove.dialog}
    </div>
  );
}
