// Records of a base matching what is typed in a command palette: a cmdk group whose items are
// found by the server (prefix words, typos corrected), so they are always shown (forceMount) and
// not filtered again by cmdk.
import { useQuery } from "@tanstack/react-query";
import { FileText } from "lucide-react";

import { CommandGroup, CommandItem } from "@/components/ui/command";
import { baseSearchQuery, type SearchHit } from "@/features/search/api/search";
import { Snippet } from "@/features/search/components/snippet";
import { useDebounced } from "@/features/search/hooks/use-debounced";
import { errorMessage } from "@/lib/api/errors";

export function RecordResults({ baseId, query, onOpen }: { baseId: string; query: string; onOpen: (hit: SearchHit) => void }) {
  const settled = useDebounced(query.trim());
  const search = useQuery(baseSearchQuery(baseId, settled));
  if (!settled) return null;
  const hits = search.data?.results ?? [];
  const heading = search.data?.typo_corrected ? "Records (spelling corrected)" : "Records";
  return (
    <CommandGroup heading={heading} forceMount>
      {search.isError ? (
        <p role="alert" className="px-2 py-2 text-sm text-destructive">
          {errorMessage(search.error)}
        </p>
      ) : null}
      {search.isPending ? (
        <p role="status" className="px-2 py-2 text-sm text-muted-foreground">
          Searching…
        </p>
      ) : null}
      {!search.isPending && !search.isError && hits.length === 0 ? (
        <p className="px-2 py-2 text-sm text-muted-foreground">No record matches.</p>
      ) : null}
      {hits.map((hit) => {
        const match = hit.matches.find((m) => m.snippet.some((s) => s.match));
        return (
          <CommandItem key={`${hit.table_id}/${hit.record_id}`} value={`record ${hit.record_id}`} forceMount onSelect={() => onOpen(hit)}>
            <FileText aria-hidden="true" />
            <span className="flex min-w-0 flex-col">
              <span className="truncate">
                {hit.title || "Untitled record"} <span className="text-xs text-muted-foreground">· {hit.table_name}</span>
              </span>
              {match ? (
                <span className="truncate">
                  <span className="text-xs text-muted-foreground">{match.field_name}: </span>
                  <Snippet segments={match.snippet} />
                </span>
              ) : null}
            </span>
          </CommandItem>
        );
      })}
    </CommandGroup>
  );
}
