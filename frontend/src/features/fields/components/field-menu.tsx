// What can be done to a column: edit (rename, options, change type), sort by it, filter by it, hide
// it, delete it (to the trash). Sorting, filtering and hiding belong to the view: the caller says how.
import { useQueryClient } from "@tanstack/react-query";
import { ArrowDownAZ, ArrowUpZA, EyeOff, Filter, Pencil, Trash2 } from "lucide-react";
import { useState, type ReactNode } from "react";

import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator } from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toaster";
import { deleteField } from "@/features/fields/api/fields";
import { typeLabel } from "@/features/fields/lib/field-types";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef } from "@/types/api";

export interface FieldActions {
  onEdit: (field: FieldDef) => void;
  onSort: (field: FieldDef, direction: "asc" | "desc") => void;
  onFilter: (field: FieldDef) => void;
  onHide: (field: FieldDef) => void;
}

/** The menu items for one field; render them inside a DropdownMenuContent (or a sub-menu). */
export function FieldMenuItems({
  field,
  isPrimary,
  canAdmin,
  canEditView,
  actions,
  onDelete,
}: {
  field: FieldDef;
  isPrimary: boolean;
  canAdmin: boolean;
  canEditView: boolean;
  actions: FieldActions;
  onDelete: (field: FieldDef) => void;
}) {
  return (
    <>
      <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">{typeLabel(field.type)}</DropdownMenuLabel>
      <DropdownMenuItem disabled={!canAdmin} onSelect={() => actions.onEdit(field)}>
        <Pencil className="h-4 w-4" /> Edit field (name, type, options)
      </DropdownMenuItem>
      <DropdownMenuSeparator />
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onSort(field, "asc")}>
        <ArrowDownAZ className="h-4 w-4" /> Sort ascending
      </DropdownMenuItem>
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onSort(field, "desc")}>
        <ArrowUpZA className="h-4 w-4" /> Sort descending
      </DropdownMenuItem>
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onFilter(field)}>
        <Filter className="h-4 w-4" /> Filter by this field
      </DropdownMenuItem>
      <DropdownMenuItem disabled={!canEditView || isPrimary} onSelect={() => actions.onHide(field)}>
        <EyeOff className="h-4 w-4" /> Hide field
      </DropdownMenuItem>
      <DropdownMenuSeparator />
      <DropdownMenuItem
        disabled={!canAdmin || isPrimary}
        title={isPrimary ? "The primary field cannot be deleted" : undefined}
        className="text-destructive"
        onSelect={() => onDelete(field)}
      >
        <Trash2 className="h-4 w-4" /> Delete field
      </DropdownMenuItem>
    </>
  );
}

/** Confirms and deletes a field (to the base's trash); render once next to the menus. */
export function useDeleteField(tableId: string): { request: (field: FieldDef) => void; dialog: ReactNode } {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<FieldDef | null>(null);
  const dialog = (
    <AlertDialog open={target !== null} onOpenChange={(open) => !open && setTarget(null)}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Delete the field “{target?.name}”?</AlertDialogTitle>
          <AlertDialogDescription>
            It goes to the base's trash with its values, and can be restored for 30 days. Formulas, lookups and filters that use it stop working until then.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction
            data-testid="confirm-delete-field"
            onClick={() => {
              const field = target;
              if (!field) return;
              deleteField(field.id)
                .then(() => {
                  void queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
                  toast(`Field “${field.name}” moved to the trash.`);
                })
                .catch((error: unknown) => toast.error(`The field was not deleted: ${errorMessage(error)}`));
            }}
          >
            Delete
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
  return { request: setTarget, dialog };
}
