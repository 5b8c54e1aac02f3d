import { useQuery } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { useRestoreTable } from "@/features/workspaces/api/mutations";
import { trashQuery } from "@/features/workspaces/api/queries";
import { errorMessage } from "@/lib/api/errors";

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Deleted tables of a base, restorable until the purge (30 days). */
export function TrashDialog({ base, open, onOpenChange }: { base: { id: string; name: string }; open: boolean; onOpenChange: (open: boolean) => void }) {
  const trash = useQuery({ ...trashQuery(base.id), enabled: open });
  const restore = useRestoreTable();
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>Trash of {base.name}</DialogTitle>
          <DialogDescription>Deleted tables stay here for 30 days, then they are removed for good.</DialogDescription>
        </DialogHeader>
        {trash.isPending ? (
          <Skeleton className="h-20 w-full" />
        ) : trash.isError ? (
          <p role="alert" className="text-sm text-destructive">
            {errorMessage(trash.error)}
          </p>
        ) : trash.data.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">The trash is empty.</p>
        ) : (
          <ul className="grid divide-y rounded-md border" aria-label="Deleted tables">
            {trash.data.items.map((item) => (
              <li key={item.id} className="flex items-center gap-3 px-3 py-2">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium">{item.name ?? item.table_name}</p>
                  <p className="text-xs text-muted-foreground">
                    Deleted {when(item.deleted_at)} · removed for good {when(item.expires_at)}
                  </p>
                </div>
                <Button
                  size="sm"
                  variant="outline"
                  disabled={!item.can_restore || restore.isPending}
                  onClick={() =>
                    restore.mutate(
                      { tableId: item.id, baseId: base.id },
                      {
                        onError: (e) => toast.error(errorMessage(e)),
                        onSuccess: () => toast.success(`Restored ${item.name ?? item.table_name}`),
                      },
                    )
                  }
                >
                  <RotateCcw aria-hidden="true" />
                  Restore
                </Button>
              </li>
            ))}
          </ul>
        )}
      </DialogContent>
    </Dialog>
  );
}
