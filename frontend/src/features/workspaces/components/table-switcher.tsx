// Jump to any table by name: Ctrl/Cmd+K or the sidebar's search button. Lists are loaded when the
// palette opens and share the sidebar's cache.
import { useQueries, useQuery } from "@tanstack/react-query";
import { Search, Table2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { CommandDialog, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import { basesQuery, tablesQuery, workspacesQuery } from "@/features/workspaces/api/queries";

function useAllTables(enabled: boolean) {
  const workspaces = useQuery({ ...workspacesQuery(), enabled });
  const bases = useQueries({
    queries: (workspaces.data ?? []).map((w) => ({ ...basesQuery(w.id), enabled })),
  });
  const allBases = bases.flatMap((q, i) => (q.data ?? []).map((b) => ({ ...b, workspaceName: workspaces.data?.[i]?.name ?? "" })));
  const tables = useQueries({ queries: allBases.map((b) => ({ ...tablesQuery(b.id), enabled })) });
  const loading = workspaces.isPending || bases.some((q) => q.isPending) || tables.some((q) => q.isPending);
  const groups = allBases.map((base, i) => ({ base, tables: tables[i]?.data ?? [] })).filter((g) => g.tables.length > 0);
  return { groups, loading };
}

export function TableSwitcher() {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const { groups, loading } = useAllTables(open);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey) && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        setOpen((value) => !value);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <>
      <Button
        variant="outline"
        size="sm"
        className="w-full justify-start gap-2 text-muted-foreground"
        onClick={() => setOpen(true)}
        aria-keyshortcuts="Control+K Meta+K"
      >
        <Search aria-hidden="true" />
        <span className="flex-1 text-left">Go to table…</span>
        <kbd className="rounded border bg-muted px-1 font-mono text-[10px]">Ctrl K</kbd>
      </Button>
      <CommandDialog open={open} onOpenChange={setOpen} title="Go to a table" description="Type part of a table, base or workspace name.">
        <CommandInput placeholder="Table, base or workspace name…" aria-label="Table name" />
        <CommandList>
          <CommandEmpty>{loading ? "Loading…" : "No table matches."}</CommandEmpty>
          {groups.map(({ base, tables }) => (
            <CommandGroup key={base.id} heading={`${base.name} · ${base.workspaceName}`}>
              {tables.map((table) => (
                <CommandItem
                  key={table.id}
                  value={`${table.name} ${base.name} ${base.workspaceName} ${table.id}`}
                  onSelect={() => {
                    setOpen(false);
                    navigate(`/b/${base.id}/t/${table.id}`);
                  }}
                >
                  <Table2 aria-hidden="true" />
                  {table.name}
                </CommandItem>
              ))}
            </CommandGroup>
          ))}
        </CommandList>
      </CommandDialog>
    </>
  );
}
