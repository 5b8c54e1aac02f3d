// One Ctrl/Cmd+K palette for the whole app: tables of every base (by name, filtered here) and, inside
// a base, its records found by full-text search (features/search). Choosing a record opens it over
// its table in the record panel (?open=<id>); ?record=<id> links still show the quick read-only dialog.
import { useQueries, useQuery } from "@tanstack/react-query";
import { Search, Table2 } from "lucide-react";
import { useEffect, useState } from "react";
import { useMatch, useNavigate, useSearchParams } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { CommandDialog, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import { RecordDialog } from "@/features/search/components/record-dialog";
import { RecordResults } from "@/features/search/components/record-results";
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

export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const navigate = useNavigate();
  const inBase = useMatch("/b/:baseId/*");
  const baseId = inBase?.params.baseId;
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

  const close = () => {
    setOpen(false);
    setText("");
  };

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
        <span className="flex-1 text-left">{baseId ? "Search…" : "Go to table…"}</span>
        <kbd className="rounded border bg-muted px-1 font-mono text-[10px]">Ctrl K</kbd>
      </Button>
      <CommandDialog
        open={open}
        onOpenChange={(value) => (value ? setOpen(true) : close())}
        title={baseId ? "Search" : "Go to a table"}
        description={baseId ? "Type a table name, or words of a record in this base." : "Type part of a table, base or workspace name."}
      >
        <CommandInput
          value={text}
          onValueChange={setText}
          placeholder={baseId ? "Tables and records…" : "Table, base or workspace name…"}
          aria-label={baseId ? "Search tables and records" : "Table name"}
        />
        <CommandList>
          <CommandEmpty>{loading ? "Loading…" : "No table matches."}</CommandEmpty>
          {groups.map(({ base, tables }) => (
            <CommandGroup key={base.id} heading={`${base.name} · ${base.workspaceName}`}>
              {tables.map((table) => (
                <CommandItem
                  key={table.id}
                  value={`${table.name} ${base.name} ${base.workspaceName} ${table.id}`}
                  onSelect={() => {
                    close();
                    navigate(`/b/${base.id}/t/${table.id}`);
                  }}
                >
                  <Table2 aria-hidden="true" />
                  {table.name}
                </CommandItem>
              ))}
            </CommandGroup>
          ))}
          {baseId && open ? (
            <RecordResults
              baseId={baseId}
              query={text}
              onOpen={(hit) => {
                close();
                navigate(`/b/${baseId}/t/${hit.table_id}?open=${encodeURIComponent(hit.record_id)}`);
              }}
            />
          ) : null}
        </CommandList>
      </CommandDialog>
      <RecordFromUrl />
    </>
  );
}

/** The record named by ?record=<id> on a table screen, shown over it; closing drops the parameter. */
export function RecordFromUrl() {
  const onTable = useMatch("/b/:baseId/t/:tableId/*");
  const [params, setParams] = useSearchParams();
  const recordId = params.get("record");
  if (!onTable || !recordId) return null;
  const { baseId = "", tableId = "" } = onTable.params;
  return (
    <RecordDialog
      key={recordId}
      baseId={baseId}
      tableId={tableId}
      recordId={recordId}
      onClose={() =>
        setParams((current) => {
          const next = new URLSearchParams(current);
          next.delete("record");
          return next;
        })
      }
    />
  );
}
