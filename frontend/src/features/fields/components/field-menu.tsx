// What can be done to a column: rename, edit (options, change type), insert a field beside it, sort,
// filter and group by it, hide it, delete it (to the trash). Sorting, filtering, grouping, hiding and
// column order belong to the view: the caller says how. Optional actions are shown when given.
import { useQueryClient } from "@tanstack/react-query";
import { ArrowDownAZ, ArrowLeftToLine, ArrowRightToLine, ArrowUpZA, EyeOff, Filter, Group, Pencil, Replace, TextCursorInput, Trash2 } from "lucide-react";
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
  onRename?: (field: FieldDef) => void;
  onChangeType?: (field: FieldDef) => void;
  /** Add a new field left or right of this one (in the view's column order). */
  onInsert?: (field: FieldDef, side: "left" | "right") => void;
  onGroup?: (field: FieldDef) => void;
}

/** The menu items for one field; render them inside a DropdownMenuContent (or a sub-menu). */
export function FieldMenuItems({
  field,
  isPrimary,
  canAdmin,
  canEditView,
  actions,
  onDelete,
  sortLabels,
}: {
  field: FieldDef;
  isPrimary: boolean;
  canAdmin: boolean;
  canEditView: boolean;
  actions: FieldActions;
  onDelete: (field: FieldDef) => void;
  /** How the two sort directions read for this field's type ("A → Z", "1 → 9", ...). */
  sortLabels?: [string, string] | undefined;
}) {
  const [ascending, descending] = sortLabels ?? ["ascending", "descending"];
  return (
    <>
      <DropdownMenuLabel className="text-xs font-normal text-muted-foreground">{typeLabel(field.type)}</DropdownMenuLabel>
      {actions.onRename && (
        <DropdownMenuItem disabled={!canAdmin} onSelect={() => actions.onRename?.(field)}>
          <TextCursorInput className="h-4 w-4" /> Rename field
        </DropdownMenuItem>
      )}
      <DropdownMenuItem disabled={!canAdmin} onSelect={() => actions.onEdit(field)}>
        <Pencil className="h-4 w-4" /> Edit field (name, type, options)
      </DropdownMenuItem>
      {actions.onChangeType && (
        <DropdownMenuItem disabled={!canAdmin} onSelect={() => actions.onChangeType?.(field)}>
          <Replace className="h-4 w-4" /> Change field type
        </DropdownMenuItem>
      )}
      {actions.onInsert && (
        <>
          <DropdownMenuSeparator />
          <DropdownMenuItem
            disabled={!canAdmin || isPrimary}
            title={isPrimary ? "The primary field stays first" : undefined}
            onSelect={() => actions.onInsert?.(field, "left")}
          >
            <ArrowLeftToLine className="h-4 w-4" /> Insert left
          </DropdownMenuItem>
          <DropdownMenuItem disabled={!canAdmin} onSelect={() => actions.onInsert?.(field, "right")}>
            <ArrowRightToLine className="h-4 w-4" /> Insert right
          </DropdownMenuItem>
        </>
      )}
      <DropdownMenuSeparator />
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onSort(field, "asc")}>
        <ArrowDownAZ className="h-4 w-4" /> Sort {ascending}
      </DropdownMenuItem>
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onSort(field, "desc")}>
        <ArrowUpZA className="h-4 w-4" /> Sort {descending}
      </DropdownMenuItem>
      <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onFilter(field)}>
        <Filter className="h-4 w-4" /> Filter by this field
      </DropdownMenuItem>
      {actions.onGroup && (
        <DropdownMenuItem disabled={!canEditView} onSelect={() => actions.onGroup?.(field)}>
          <Group className="h-4 w-4" /> Group by this field
        </DropdownMenuItem>
      )}
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
