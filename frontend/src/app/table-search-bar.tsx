// Search within the table on screen (features/search); a result opens its record (?record=<id>).
import { useSearchParams } from "react-router-dom";

import { TableSearch } from "@/features/search/components/table-search";

export function TableSearchBar({ tableId }: { tableId: string }) {
  const [, setParams] = useSearchParams();
  return (
    <div className="ml-auto">
      <TableSearch
        tableId={tableId}
        onOpen={(hit) =>
          setParams((current) => {
            const next = new URLSearchParams(current);
            next.set("record", hit.record_id);
            return next;
          })
        }
      />
    </div>
  );
}
