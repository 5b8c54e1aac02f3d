// The sidebar: workspaces -> bases -> tables, each level loaded when shown, with a menu per item
// (create, rename, delete, members and sharing, trash). Items the caller's role does not allow are
// disabled with the reason in their title.
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, Database, Folder, GripVertical, MoreHorizontal, Plus, Table2 } from "lucide-react";
import { useState, type ReactNode } from "react";
import { NavLink, useLocation, useNavigate } from "react-router-dom";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import {
  useCreateBase,
  useCreateTable,
  useCreateWorkspace,
  useDeleteBase,
  useDeleteTable,
  useDeleteWorkspace,
  useRenameBase,
  useRenameTable,
  useRenameWorkspace,
  useReorderTables,
} from "@/features/workspaces/api/mutations";
import { basesQuery, tablesQuery, workspacesQuery } from "@/features/workspaces/api/queries";
import { ConfirmDeleteDialog } from "@/features/workspaces/components/confirm-delete-dialog";
import { MembersDialog } from "@/features/workspaces/components/members-dialog";
import { NameDialog } from "@/features/workspaces/components/name-dialog";
import { SharingDialog } from "@/features/workspaces/components/sharing-dialog";
import { TrashDialog } from "@/features/workspaces/components/trash-dialog";
import { moveItem } from "@/features/workspaces/lib/order";
import { atLeast } from "@/features/workspaces/lib/roles";
import { errorMessage } from "@/lib/api/errors";
import { cn } from "@/lib/utils";
import type { Base, Table, Workspace } from "@/types/api";

type DialogState =
  | { type: "create-workspace" }
  | { type: "rename-workspace" | "delete-workspace" | "members" | "create-base"; workspace: Workspace }
  | { type: "rename-base" | "delete-base" | "share-base" | "trash" | "create-table"; base: Base }
  | { type: "rename-table" | "delete-table" | "share-table"; table: Table; base: Base };

type Open = (state: DialogState) => void;

const rowClass =
  "group flex items-center gap-1 rounded-md pr-1 hover:bg-accent focus-within:bg-accent";
const focusRing = "focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring";

function ItemMenu({ label, children }: { label: string; children: ReactNode }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={label} className="h-6 w-6 shrink-0 opacity-70 hover:opacity-100">
          <MoreHorizontal aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">{children}</DropdownMenuContent>
    </DropdownMenu>
  );
}

function needs(role: string | null, needed: "editor" | "admin" | "owner"): { disabled: boolean; title?: string } {
  return atLeast(role, needed) ? { disabled: false } : { disabled: true, title: `Needs the ${needed} role` };
}

function Disclosure({ label, icon, open, onToggle, depth }: { label: string; icon: ReactNode; open: boolean; onToggle: () => void; depth: number }) {
  return (
    <button
      type="button"
      aria-expanded={open}
      onClick={onToggle}
      className={cn("flex min-w-0 flex-1 items-center gap-1.5 rounded-md py-1 text-left text-sm", focusRing)}
      style={{ paddingLeft: `${0.5 + depth * 0.75}rem` }}
    >
      {open ? <ChevronDown className="h-3.5 w-3.5 shrink-0" aria-hidden="true" /> : <ChevronRight className="h-3.5 w-3.5 shrink-0" aria-hidden="true" />}
      {icon}
      <span className="truncate">{label}</span>
    </button>
  );
}

const dragAnnouncements = (tables: Table[]) => {
  const name = (id: string | number) => tables.find((t) => t.id === id)?.name ?? "table";
  return {
    onDragStart: ({ active }: { active: { id: string | number } }) => `Picked up ${name(active.id)}.`,
    onDragOver: ({ active, over }: { active: { id: string | number }; over: { id: string | number } | null }) =>
      over ? `${name(active.id)} is over ${name(over.id)}.` : `${name(active.id)} is no longer over a table.`,
    onDragEnd: ({ active, over }: { active: { id: string | number }; over: { id: string | number } | null }) =>
      over ? `${name(active.id)} was dropped at the place of ${name(over.id)}.` : `${name(active.id)} was dropped.`,
    onDragCancel: ({ active }: { active: { id: string | number } }) => `Moving ${name(active.id)} was cancelled.`,
  };
};

function TableRow({ table, base, open, canReorder }: { table: Table; base: Base; open: Open; canReorder: boolean }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: table.id,
    disabled: !canReorder,
  });
  const style = {
    transform: transform ? `translate3d(${Math.round(transform.x)}px, ${Math.round(transform.y)}px, 0)` : undefined,
    transition,
  };
  return (
    <li ref={setNodeRef} style={style} className={cn(rowClass, isDragging && "relative z-10 bg-accent shadow")}>
      {canReorder ? (
        <button
          type="button"
          ref={setActivatorNodeRef}
          {...attributes}
          {...listeners}
          aria-label={`Move ${table.name}`}
          className={cn("ml-3 cursor-grab rounded-sm text-muted-foreground opacity-0 group-hover:opacity-100 focus-visible:opacity-100", focusRing)}
        >
          <GripVertical className="h-3.5 w-3.5" aria-hidden="true" />
        </button>
      ) : (
        <span className="ml-3 w-3.5" aria-hidden="true" />
      )}
      <NavLink
        to={`/b/${base.id}/t/${table.id}`}
        className={({ isActive }) =>
          cn("ml-1 flex min-w-0 flex-1 items-center gap-2 rounded-md px-2 py-1 text-sm", focusRing, isActive && "font-semibold text-primary")
        }
      >
        <Table2 className="h-4 w-4 shrink-0" aria-hidden="true" />
        <span className="truncate">{table.name}</span>
      </NavLink>
      <ItemMenu label={`Table ${table.name} actions`}>
        <DropdownMenuItem {...needs(table.role, "admin")} onSelect={() => open({ type: "rename-table", table, base })}>
          Rename table
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => open({ type: "share-table", table, base })}>Who has access</DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem destructive {...needs(table.role, "admin")} onSelect={() => open({ type: "delete-table", table, base })}>
          Delete table
        </DropdownMenuItem>
      </ItemMenu>
    </li>
  );
}

function TableList({ base, open }: { base: Base; open: Open }) {
  const tables = useQuery(tablesQuery(base.id));
  const reorder = useReorderTables();
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  if (tables.isPending) return <Skeleton className="ml-10 h-5 w-24" />;
  if (tables.isError) return <p className="ml-10 text-xs text-destructive">{errorMessage(tables.error)}</p>;
  if (tables.data.length === 0) return <p className="ml-10 py-1 text-xs text-muted-foreground">No tables yet</p>;
  const list = tables.data;
  // Moving a table writes its position, which needs the admin role on the table (so on the base).
  const canReorder = list.length > 1 && list.every((t) => atLeast(t.role, "admin"));

  function onDragEnd(event: DragEndEvent) {
    const { active, over } = event;
    if (!over || active.id === over.id) return;
    const from = list.findIndex((t) => t.id === active.id);
    const to = list.findIndex((t) => t.id === over.id);
    reorder.mutate({ baseId: base.id, ordered: moveItem(list, from, to) }, { onError: (e) => toast.error(errorMessage(e)) });
  }

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        announcements: dragAnnouncements(list),
        screenReaderInstructions: {
          draggable: "To move a table, press space or enter, use the arrow keys, then press space or enter again. Escape cancels.",
        },
      }}
    >
      <SortableContext items={list.map((t) => t.id)} strategy={verticalListSortingStrategy}>
        <ul className="grid" aria-label={`Tables of ${base.name}`}>
          {list.map((table) => (
            <TableRow key={table.id} table={table} base={base} open={open} canReorder={canReorder} />
          ))}
        </ul>
      </SortableContext>
    </DndContext>
  );
}

function BaseList({ workspace, open }: { workspace: Workspace; open: Open }) {
  const bases = useQuery(basesQuery(workspace.id));
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  if (bases.isPending) return <Skeleton className="ml-6 h-5 w-28" />;
  if (bases.isError) return <p className="ml-6 text-xs text-destructive">{errorMessage(bases.error)}</p>;
  if (bases.data.length === 0) return <p className="ml-8 py-1 text-xs text-muted-foreground">No bases yet</p>;
  return (
    <ul className="grid">
      {bases.data.map((base) => {
        const isOpen = expanded[base.id] ?? true;
        return (
          <li key={base.id}>
            <div className={rowClass}>
              <Disclosure
                label={base.name}
                depth={1}
                open={isOpen}
                onToggle={() => setExpanded((o) => ({ ...o, [base.id]: !isOpen }))}
                icon={<Database className="h-4 w-4 shrink-0" aria-hidden="true" />}
              />
              <ItemMenu label={`Base ${base.name} actions`}>
                <DropdownMenuItem {...needs(base.role, "admin")} onSelect={() => open({ type: "create-table", base })}>
                  New table
                </DropdownMenuItem>
                <DropdownMenuItem {...needs(base.role, "admin")} onSelect={() => open({ type: "rename-base", base })}>
                  Rename base
                </DropdownMenuItem>
                <DropdownMenuItem onSelect={() => open({ type: "share-base", base })}>Who has access</DropdownMenuItem>
                <DropdownMenuItem {...needs(base.role, "editor")} onSelect={() => open({ type: "trash", base })}>
                  Trash
                </DropdownMenuItem>
                <DropdownMenuSeparator />
                <DropdownMenuItem destructive {...needs(base.role, "admin")} onSelect={() => open({ type: "delete-base", base })}>
                  Delete base
                </DropdownMenuItem>
              </ItemMenu>
            </div>
            {isOpen && <TableList base={base} open={open} />}
          </li>
        );
      })}
    </ul>
  );
}

function Dialogs({ state, close }: { state: DialogState | null; close: () => void }) {
  const navigate = useNavigate();
  const location = useLocation();
  const createWorkspace = useCreateWorkspace();
  const renameWorkspace = useRenameWorkspace();
  const deleteWorkspace = useDeleteWorkspace();
  const createBase = useCreateBase();
  const renameBase = useRenameBase();
  const deleteBase = useDeleteBase();
  const createTable = useCreateTable();
  const renameTable = useRenameTable();
  const deleteTable = useDeleteTable();
  const onOpenChange = (value: boolean) => {
    if (!value) close();
  };
  const leaveIfShowing = (...ids: string[]) => {
    if (ids.some((id) => location.pathname.includes(id))) navigate("/", { replace: true });
  };
  if (!state) return null;
  switch (state.type) {
    case "create-workspace":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="New workspace"
          description="A workspace holds bases and the people who work on them."
          label="Workspace name"
          submitLabel="Create workspace"
          onSubmit={(name) => createWorkspace.mutateAsync(name).then((w) => toast.success(`Created ${w.name}`))}
        />
      );
    case "rename-workspace":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="Rename workspace"
          description={`Rename ${state.workspace.name}.`}
          label="Workspace name"
          initial={state.workspace.name}
          submitLabel="Rename"
          onSubmit={(name) => renameWorkspace.mutateAsync({ workspaceId: state.workspace.id, name })}
        />
      );
    case "delete-workspace":
      return (
        <ConfirmDeleteDialog
          open
          onOpenChange={onOpenChange}
          title={`Delete the workspace ${state.workspace.name}?`}
          description="Every base, table and record in it is deleted for good, for every member. This cannot be undone."
          confirmName={state.workspace.name}
          actionLabel="Delete workspace"
          onConfirm={() =>
            deleteWorkspace.mutateAsync(state.workspace.id).then(() => {
              toast.success(`Deleted ${state.workspace.name}`);
              navigate("/", { replace: true });
            })
          }
        />
      );
    case "members":
      return <MembersDialog open onOpenChange={onOpenChange} workspace={state.workspace} />;
    case "create-base":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="New base"
          description={`A base in ${state.workspace.name}: a set of related tables.`}
          label="Base name"
          submitLabel="Create base"
          onSubmit={(name) => createBase.mutateAsync({ workspaceId: state.workspace.id, name })}
        />
      );
    case "rename-base":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="Rename base"
          description={`Rename ${state.base.name}.`}
          label="Base name"
          initial={state.base.name}
          submitLabel="Rename"
          onSubmit={(name) => renameBase.mutateAsync({ baseId: state.base.id, workspaceId: state.base.workspace_id, name })}
        />
      );
    case "delete-base":
      return (
        <ConfirmDeleteDialog
          open
          onOpenChange={onOpenChange}
          title={`Delete the base ${state.base.name}?`}
          description="Its tables and records are deleted for good (bases have no trash). This cannot be undone."
          confirmName={state.base.name}
          actionLabel="Delete base"
          onConfirm={() =>
            deleteBase.mutateAsync({ baseId: state.base.id, workspaceId: state.base.workspace_id }).then(() => {
              toast.success(`Deleted ${state.base.name}`);
              leaveIfShowing(state.base.id);
            })
          }
        />
      );
    case "share-base":
      return (
        <SharingDialog
          open
          onOpenChange={onOpenChange}
          target={{ kind: "base", id: state.base.id, name: state.base.name, workspaceId: state.base.workspace_id, role: state.base.role }}
        />
      );
    case "trash":
      return <TrashDialog open onOpenChange={onOpenChange} base={state.base} />;
    case "create-table":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="New table"
          description={`A table in ${state.base.name}.`}
          label="Table name"
          submitLabel="Create table"
          onSubmit={(name) =>
            createTable.mutateAsync({ baseId: state.base.id, name }).then((table) => navigate(`/b/${state.base.id}/t/${table.id}`))
          }
        />
      );
    case "rename-table":
      return (
        <NameDialog
          open
          onOpenChange={onOpenChange}
          title="Rename table"
          description={`Rename ${state.table.name}.`}
          label="Table name"
          initial={state.table.name}
          submitLabel="Rename"
          onSubmit={(name) => renameTable.mutateAsync({ tableId: state.table.id, baseId: state.base.id, name })}
        />
      );
    case "delete-table":
      return (
        <ConfirmDeleteDialog
          open
          onOpenChange={onOpenChange}
          title={`Delete the table ${state.table.name}?`}
          description="It moves to the base's trash, where it can be restored for 30 days."
          actionLabel="Move to trash"
          onConfirm={() => {
            // Leave the table's screen first, so its grid is not left refetching a table that is gone.
            leaveIfShowing(state.table.id);
            return deleteTable.mutateAsync({ tableId: state.table.id, baseId: state.base.id }).then(() => {
              toast.success(`Moved ${state.table.name} to the trash`);
            });
          }}
        />
      );
    case "share-table":
      return (
        <SharingDialog
          open
          onOpenChange={onOpenChange}
          target={{
            kind: "table",
            id: state.table.id,
            name: state.table.name,
            workspaceId: state.base.workspace_id,
            baseId: state.base.id,
            role: state.table.role,
          }}
        />
      );
    default:
      return null;
  }
}

export function SidebarTree() {
  const workspaces = useQuery(workspacesQuery());
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [dialog, setDialog] = useState<DialogState | null>(null);

  let body: ReactNode;
  if (workspaces.isPending) {
    body = (
      <div className="grid gap-2 p-2" role="status" aria-busy="true" aria-label="Loading workspaces">
        <Skeleton className="h-5 w-32" />
        <Skeleton className="h-5 w-24" />
      </div>
    );
  } else if (workspaces.isError) {
    body = (
      <p role="alert" className="p-2 text-sm text-destructive">
        {errorMessage(workspaces.error)}
      </p>
    );
  } else if (workspaces.data.length === 0) {
    body = (
      <div className="grid gap-2 p-2 text-sm text-muted-foreground">
        <p>No workspaces yet.</p>
        <Button size="sm" onClick={() => setDialog({ type: "create-workspace" })}>
          <Plus aria-hidden="true" />
          Create a workspace
        </Button>
      </div>
    );
  } else {
    body = (
      <ul className="grid gap-0.5">
        {workspaces.data.map((workspace) => {
          const isOpen = expanded[workspace.id] ?? true;
          return (
            <li key={workspace.id}>
              <div className={rowClass}>
                <Disclosure
                  label={workspace.name}
                  depth={0}
                  open={isOpen}
                  onToggle={() => setExpanded((o) => ({ ...o, [workspace.id]: !isOpen }))}
                  icon={<Folder className="h-4 w-4 shrink-0" aria-hidden="true" />}
                />
                <ItemMenu label={`Workspace ${workspace.name} actions`}>
                  <DropdownMenuItem {...needs(workspace.role, "editor")} onSelect={() => setDialog({ type: "create-base", workspace })}>
                    New base
                  </DropdownMenuItem>
                  <DropdownMenuItem {...needs(workspace.role, "admin")} onSelect={() => setDialog({ type: "rename-workspace", workspace })}>
                    Rename workspace
                  </DropdownMenuItem>
                  <DropdownMenuItem disabled={workspace.role === null} onSelect={() => setDialog({ type: "members", workspace })}>
                    Members and invitations
                  </DropdownMenuItem>
                  <DropdownMenuSeparator />
                  <DropdownMenuItem destructive {...needs(workspace.role, "owner")} onSelect={() => setDialog({ type: "delete-workspace", workspace })}>
                    Delete workspace
                  </DropdownMenuItem>
                </ItemMenu>
              </div>
              {isOpen && <BaseList workspace={workspace} open={setDialog} />}
            </li>
          );
        })}
      </ul>
    );
  }

  return (
    <div className="grid gap-1">
      <div className="flex items-center justify-between px-2 pb-1">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">Workspaces</h2>
        <Button variant="ghost" size="icon-sm" aria-label="New workspace" title="New workspace" onClick={() => setDialog({ type: "create-workspace" })}>
          <Plus aria-hidden="true" />
        </Button>
      </div>
      {body}
      <Dialogs state={dialog} close={() => setDialog(null)} />
    </div>
  );
}
