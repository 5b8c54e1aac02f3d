// The table's views of every type (grid, kanban, gallery, calendar, form) as tabs: switch, create
// any type, rename, duplicate (with its filters, sorts, grouping, columns and the type's settings)
// and delete (to the trash). Which view is current is the caller's (the URL's).
import { useQueryClient } from "@tanstack/react-query";
import { CalendarDays, ChevronDown, GalleryHorizontal, KanbanSquare, ListChecks, Plus, Sheet, type LucideIcon } from "lucide-react";
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
import { duplicateConfig, initialConfig, isViewType, VIEW_TYPE_LABELS, VIEW_TYPES, type ViewType } from "@/features/views/lib/view-types";
import { errorMessage } from "@/lib/api/errors";
import { cn } from "@/lib/utils";
import type { FieldDef } from "@/types/api";

type Prompt = { kind: "create"; type: ViewType } | { kind: "rename"; view: View } | { kind: "duplicate"; view: View } | null;

const ICONS: Record<ViewType, LucideIcon> = {
  grid: Sheet,
  kanban: KanbanSquare,
  gallery: GalleryHorizontal,
  calendar: CalendarDays,
  form: ListChecks,
};

export function ViewTabs({
  tableId,
  views,
  currentId,
  onSelect,
  canEdit,
  fields = [],
}: {
  tableId: string;
  views: View[];
  currentId: string | undefined;
  onSelect: (viewId: string) => void;
  canEdit: boolean;
  /** The table's fields: a new kanban, calendar, gallery or form starts on the first that fits. */
  fields?: FieldDef[];
}) {
  const queryClient = useQueryClient();
  const saveView = useSaveView(tableId);
  const [prompt, setPrompt] = useState<Prompt>(null);
  const [deleting, setDeleting] = useState<View | null>(null);
  const typeOf = (view: View): ViewType => (isViewType(view.type) ? view.type : "grid");
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
    let created: View;
    if (prompt.kind === "duplicate") {
      created = await createView(tableId, name, duplicateConfig(prompt.view.config as Record<string, unknown>), typeOf(prompt.view));
    } else {
      const start = initialConfig(prompt.type, fields);
      if ("problem" in start) throw new Error(start.problem);
      created = await createView(tableId, name, start.config, prompt.type);
    }
    storeView(queryClient, tableId, created);
    onSelect(created.id);
  }

  return (
    <nav aria-label="Views" className="flex min-w-0 items-center gap-1 overflow-x-auto" data-testid="view-tabs">
      {views.map((view) => {
        const current = view.id === currentId;
        const Icon = ICONS[typeOf(view)];
        return (
          <div key={view.id} className={cn("flex items-center rounded-md", current ? "bg-accent" : "hover:bg-accent/60")}>
            <button
              type="button"
              className="flex items-center gap-1.5 px-2 py-1 text-sm"
              aria-current={current ? "page" : undefined}
              onClick={() => onSelect(view.id)}
              data-view-type={view.type}
              title={`${VIEW_TYPE_LABELS[typeOf(view)]} view`}
            >
              <Icon className="h-4 w-4" aria-hidden /> {view.name}
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
                  <DropdownMenuItem disabled={views.length < 2} onSelect={() => setDeleting(view)} className="text-destructive">
                    Delete view
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            )}
          </div>
        );
      })}
      {canEdit && (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button size="sm" variant="ghost" data-testid="new-view">
              <Plus className="h-4 w-4" /> New view
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="start">
            {VIEW_TYPES.map((type) => {
              const Icon = ICONS[type];
              const start = initialConfig(type, fields);
              const problem = "problem" in start ? start.problem : undefined;
              return (
                <DropdownMenuItem key={type} disabled={problem !== undefined} title={problem} onSelect={() => setPrompt({ kind: "create", type })}>
                  <Icon className="h-4 w-4" aria-hidden /> {VIEW_TYPE_LABELS[type]}
                </DropdownMenuItem>
              );
            })}
          </DropdownMenuContent>
        </DropdownMenu>
      )}
      <NameDialog
        open={prompt !== null}
        onOpenChange={(open) => !open && setPrompt(null)}
        title={
          prompt?.kind === "rename"
            ? "Rename view"
            : prompt?.kind === "duplicate"
              ? "Duplicate view"
              : `New ${VIEW_TYPE_LABELS[prompt?.kind === "create" ? prompt.type : "grid"].toLowerCase()} view`
        }
        initial={
          prompt?.kind === "rename"
            ? prompt.view.name
            : prompt?.kind === "duplicate"
              ? freeName(`${prompt.view.name} copy`)
              : freeName(`${VIEW_TYPE_LABELS[prompt?.kind === "create" ? prompt.type : "grid"]} view`)
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
                    const next = views.find((v) => v.id !== view.id && v.type === "grid") ?? views.find((v) => v.id !== view.id);
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
