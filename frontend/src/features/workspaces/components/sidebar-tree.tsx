import { useQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, Database, Folder, Table2 } from "lucide-react";
import { useState, type ReactNode } from "react";
import { NavLink } from "react-router-dom";

import { Skeleton } from "@/components/ui/skeleton";
import { basesQuery, tablesQuery, workspacesQuery } from "@/features/workspaces/api/queries";
import { errorMessage } from "@/lib/api/errors";
import { cn } from "@/lib/utils";
import type { Base, Workspace } from "@/types/api";

function TableList({ base }: { base: Base }) {
  const tables = useQuery(tablesQuery(base.id));
  if (tables.isPending) return <Skeleton className="ml-10 h-5 w-24" />;
  if (tables.isError) return <p className="ml-10 text-xs text-destructive">{errorMessage(tables.error)}</p>;
  if (tables.data.length === 0) return <p className="ml-10 py-1 text-xs text-muted-foreground">No tables yet</p>;
  return (
    <ul className="grid">
      {tables.data.map((table) => (
        <li key={table.id}>
          <NavLink
            to={`/b/${base.id}/t/${table.id}`}
            className={({ isActive }) =>
              cn(
                "ml-6 flex items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring",
                isActive && "bg-accent font-medium",
              )
            }
          >
            <Table2 className="h-4 w-4 shrink-0" aria-hidden="true" />
            <span className="truncate">{table.name}</span>
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

function Disclosure({
  label,
  icon,
  open,
  onToggle,
  depth,
}: {
  label: string;
  icon: ReactNode;
  open: boolean;
  onToggle: () => void;
  depth: number;
}) {
  return (
    <button
      type="button"
      aria-expanded={open}
      onClick={onToggle}
      className="flex w-full items-center gap-1.5 rounded-md px-2 py-1 text-left text-sm hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      style={{ paddingLeft: `${0.5 + depth * 0.75}rem` }}
    >
      {open ? <ChevronDown className="h-3.5 w-3.5 shrink-0" aria-hidden="true" /> : <ChevronRight className="h-3.5 w-3.5 shrink-0" aria-hidden="true" />}
      {icon}
      <span className="truncate">{label}</span>
    </button>
  );
}

function BaseList({ workspace }: { workspace: Workspace }) {
  const bases = useQuery(basesQuery(workspace.id));
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (bases.isPending) return <Skeleton className="ml-6 h-5 w-28" />;
  if (bases.isError) return <p className="ml-6 text-xs text-destructive">{errorMessage(bases.error)}</p>;
  if (bases.data.length === 0) return <p className="ml-8 py-1 text-xs text-muted-foreground">No bases yet</p>;
  return (
    <ul className="grid">
      {bases.data.map((base) => {
        const isOpen = open[base.id] ?? true;
        return (
          <li key={base.id}>
            <Disclosure
              label={base.name}
              depth={1}
              open={isOpen}
              onToggle={() => setOpen((o) => ({ ...o, [base.id]: !isOpen }))}
              icon={<Database className="h-4 w-4 shrink-0" aria-hidden="true" />}
            />
            {isOpen && <TableList base={base} />}
          </li>
        );
      })}
    </ul>
  );
}

/** Workspaces -> bases -> tables, each level loaded when it is shown. */
export function SidebarTree() {
  const workspaces = useQuery(workspacesQuery());
  const [open, setOpen] = useState<Record<string, boolean>>({});
  if (workspaces.isPending) {
    return (
      <div className="grid gap-2 p-2" aria-busy="true" aria-label="Loading workspaces">
        <Skeleton className="h-5 w-32" />
        <Skeleton className="h-5 w-24" />
      </div>
    );
  }
  if (workspaces.isError) return <p className="p-2 text-sm text-destructive">{errorMessage(workspaces.error)}</p>;
  if (workspaces.data.length === 0) return <p className="p-2 text-sm text-muted-foreground">No workspaces yet.</p>;
  return (
    <ul aria-label="Workspaces, bases and tables" className="grid gap-0.5">
      {workspaces.data.map((workspace) => {
        const isOpen = open[workspace.id] ?? true;
        return (
          <li key={workspace.id}>
            <Disclosure
              label={workspace.name}
              depth={0}
              open={isOpen}
              onToggle={() => setOpen((o) => ({ ...o, [workspace.id]: !isOpen }))}
              icon={<Folder className="h-4 w-4 shrink-0" aria-hidden="true" />}
            />
            {isOpen && <BaseList workspace={workspace} />}
          </li>
        );
      })}
    </ul>
  );
}
