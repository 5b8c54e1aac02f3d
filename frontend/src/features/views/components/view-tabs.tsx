// The table's views as tabs: switch, create, rename, duplicate (with its filters, sorts, grouping
// and columns) and delete (to the trash). Which view is current is the caller's (the URL's).
import { useQueryClient } from "@tanstack/react-query";
import { ChevronDown, Plus, Sheet } from "lucide-react";
import { useState } from "react";

import { NameDialog } from "@/components/name-dialog";
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
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toaster";
import { createView, deleteView, storeView, viewsKey, type View } from "@/features/views/api/views";
import { useSaveView } from "@/features/views/hooks/use-save-view";
import { errorMessage } from "@/lib/api/errors";
import { cn } from "@/lib/utils";

type Prompt = { kind: "create" } | { kind: "rename"; view: View } | { kind: "duplicate"; view: View } | null;

export function ViewTabs({
  tableId,
  views,
  currentId,
  onSelect,
  canEdit,
}: {
  tableId: string;
  views: View[];
  currentId: string | undefined;
  onSelect: (viewId: string) => void;
  canEdit: boolean;
}) {
  const queryClient = useQueryClient();
  const saveView = useSaveView(tableId);
  const [prompt, setPrompt] = useState<Prompt>(null);
  const [deleting, setDeleting] = useState<View | null>(null);
  const grids = views.filter((v) => v.type === "grid");
  const freeName = (base: string) => {
    const taken = new Set(views.map((v) => v.name.toLowerCase()));
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${base} ${n}`;
    return name;
  };

  async function submit(name: string) {
    if (!prompt) return;
    if (prompt.kind === "rename") {
      const saved = await saveView(prompt.view, { name });
      if (!saved) throw new Error("The view was not renamed.");
      return;
    }
    const { share_token: _share, ...config } = (prompt.kind === "duplicate" ? prompt.view.config : {}) as Record<string, unknown>;
    const created = await createView(tableId, name, config);
    storeView(queryClient, tableId, created);
    onSelect(created.id);
  }

  return (
    <nav aria-label="Views" className="flex min-w-0 items-center gap-1 overflow-x-auto" data-testid="view-tabs">
      {grids.map((view) => {
        const current = view.id === currentId;
        return (
          <div key={view.id} className={cn("flex items-center rounded-md", current ? "bg-accent" : "hover:bg-accent/60")}>
            <button
              type="button"
              className="flex items-center gap-1.5 px-2 py-1 text-sm"
              aria-current={current ? "page" : undefined}
              onClick={() => onSelect(view.id)}
            >
              <Sheet className="h-4 w-4" aria-hidden /> {view.name}
            </button>
            {current && canEdit && (
              <DropdownMenu>
                <DropdownMenuTrigger asChild>
                  <Button size="icon" variant="ghost" className="h-6 w-6" aria-label={`View ${view.name} actions`}>
                    <ChevronDown className="h-3.5 w-3.5" />
                  </Button>
                </DropdownMenuTrigger>
                <DropdownMenuContent align="start">
                  <DropdownMenuItem onSelect={() => setPrompt({ kind: "rename", view })}>Rename view</DropdownMenuItem>
                  <DropdownMenuItem onSelect={() => setPrompt({ kind: "duplicate", view })}>Duplicate view</DropdownMenuItem>
                  <DropdownMenuItem disabled={grids.length < 2} onSelect={() => setDeleting(view)} className="text-destructive">
                    Delete view
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            )}
          </div>
        );
      })}
      {canEdit && (
        <Button size="sm" variant="ghost" onClick={() => setPrompt({ kind: "create" })} data-testid="new-view">
          <Plus className="h-4 w-4" /> New view
        </Button>
      )}
      <NameDialog
        open={prompt !== null}
        onOpenChange={(open) => !open && setPrompt(null)}
        title={prompt?.kind === "rename" ? "Rename view" : prompt?.kind === "duplicate" ? "Duplicate view" : "New grid view"}
        initial={
          prompt?.kind === "rename" ? prompt.view.name : prompt?.kind === "duplicate" ? freeName(`${prompt.view.name} copy`) : freeName("Grid view")
        }
        description="Views keep their own filters, sorts, grouping and columns."
        label="View name"
        maxLength={200}
        submitLabel={prompt?.kind === "rename" ? "Rename" : "Create"}
        onSubmit={submit}
      />
      <AlertDialog open={deleting !== null} onOpenChange={(open) => !open && setDeleting(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete the view “{deleting?.name}”?</AlertDialogTitle>
            <AlertDialogDescription>It goes to the base's trash and can be restored for 30 days. Records are not touched.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Cancel</AlertDialogCancel>
            <AlertDialogAction
              onClick={() => {
                const view = deleting;
                if (!view) return;
                deleteView(view.id)
                  .then(() => {
                    queryClient.setQueryData(viewsKey(tableId), (list: View[] | undefined) => list?.filter((v) => v.id !== view.id));
                    const next = grids.find((v) => v.id !== view.id);
                    if (next) onSelect(next.id);
                    toast(`View “${view.name}” moved to the trash.`);
                  })
                  .catch((error: unknown) => toast.error(`The view was not deleted: ${errorMessage(error)}`));
              }}
            >
              Delete
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </nav>
  );
}
