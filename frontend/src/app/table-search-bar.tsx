// Search within the table on screen (features/search); a result opens the record panel
// (?open=<id>), the same one every view opens.
import { useSearchParams } from "react-router-dom";

import { OPEN_RECORD_PARAM } from "@/app/record-panel-from-url";
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
            next.set(OPEN_RECORD_PARAM, hit.record_id);
            return next;
          })
        }
      />
    </div>
  );
}
