// A 412 on an edit: someone changed the same cell since it was loaded. Show both values; the user
// keeps theirs (written over the newer version) or takes the other.
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import type { Conflict } from "@/features/grid/lib/conflict";
import { formatValue } from "@/features/grid/lib/field-values";
import type { FieldDef } from "@/types/api";

export interface ConflictDialogProps {
  conflict: { conflict: Conflict; field: FieldDef } | null;
  onResolve: (choice: "mine" | "theirs") => void;
}

export function ConflictDialog({ conflict, onResolve }: ConflictDialogProps) {
  const field = conflict?.field;
  const mine = field && conflict ? formatValue(field, conflict.conflict.mine[field.id]) : "";
  const theirs = field && conflict ? formatValue(field, conflict.conflict.theirs.fields[field.id]) : "";
  return (
    <Dialog open={conflict !== null}>
      <DialogContent hideClose data-testid="conflict-dialog" onEscapeKeyDown={(e) => e.preventDefault()}>
        <DialogHeader>
          <DialogTitle>Someone else changed {field?.name ?? "this cell"}</DialogTitle>
          <DialogDescription>
            The record was edited while you were typing. Choose which value to keep.
          </DialogDescription>
        </DialogHeader>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="font-medium">Their value</dt>
          <dd data-testid="conflict-theirs" className="break-words rounded bg-muted px-2 py-1">
            {theirs || <span className="text-muted-foreground">(empty)</span>}
          </dd>
          <dt className="font-medium">Your value</dt>
          <dd data-testid="conflict-mine" className="break-words rounded bg-muted px-2 py-1">
            {mine || <span className="text-muted-foreground">(empty)</span>}
          </dd>
        </dl>
        <DialogFooter>
          <Button variant="outline" onClick={() => onResolve("theirs")}>
            Take theirs
          </Button>
          <Button onClick={() => onResolve("mine")}>Keep mine</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
