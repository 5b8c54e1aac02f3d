// Search within the table (or view) on screen: a box whose results open the record.
import { useQuery } from "@tanstack/react-query";
import { Search } from "lucide-react";
import { useState } from "react";

import { tableSearchQuery, type SearchHit } from "@/features/search/api/search";
import { Snippet } from "@/features/search/components/snippet";
import { useDebounced } from "@/features/search/hooks/use-debounced";
import { errorMessage } from "@/lib/api/errors";

export function TableSearch({ tableId, onOpen }: { tableId: string; onOpen: (hit: SearchHit) => void }) {
  const [text, setText] = useState("");
  const settled = useDebounced(text.trim());
  const search = useQuery(tableSearchQuery(tableId, settled));
  const hits = search.data?.results ?? [];
  const open = settled.length > 0;
  return (
    <div className="relative w-64">
      <label className="flex items-center gap-2 rounded-md border px-2 py-1 text-sm">
        <Search className="h-4 w-4 opacity-60" aria-hidden="true" />
        <input
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setText("");
          }}
          placeholder="Search this table…"
          aria-label="Search this table"
          className="w-full bg-transparent outline-none"
        />
      </label>
      {open ? (
        <ul aria-label="Search results" className="absolute right-0 z-20 mt-1 max-h-80 w-96 overflow-y-auto rounded-md border bg-popover p-1 shadow-md">
          {search.isError ? (
            <li role="alert" className="px-2 py-1.5 text-sm text-destructive">
              {errorMessage(search.error)}
            </li>
          ) : null}
          {!search.isPending && !search.isError && hits.length === 0 ? (
            <li className="px-2 py-1.5 text-sm text-muted-foreground">No record matches.</li>
          ) : null}
          {hits.map((hit) => {
            const match = hit.matches.find((m) => m.snippet.some((s) => s.match));
            return (
              <li key={hit.record_id}>
                <button
                  type="button"
                  className="flex w-full flex-col rounded-sm px-2 py-1.5 text-left text-sm hover:bg-accent focus:bg-accent focus:outline-none"
                  onClick={() => {
                    onOpen(hit);
                    setText("");
                  }}
                >
                  <span className="truncate">{hit.title || "Untitled record"}</span>
                  {match ? (
                    <span className="truncate">
                      <span className="text-xs text-muted-foreground">{match.field_name}: </span>
                      <Snippet segments={match.snippet} />
                    </span>
                  ) : null}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
