// Data in and out on the table screen: the CSV import wizard and the current view's export
// (features/csv), next to the view toolbar.
import { Upload } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { ExportButton } from "@/features/csv/components/export-button";
import { ImportWizard } from "@/features/csv/components/import-wizard";
import type { FieldDef } from "@/types/api";

export function TableDataActions({
  tableId,
  viewId,
  viewName,
  fields,
  canImport,
}: {
  tableId: string;
  viewId: string;
  viewName: string;
  fields: readonly FieldDef[];
  canImport: boolean;
}) {
  const [importing, setImporting] = useState(false);
  return (
    <div className="ml-auto flex items-center gap-1">
      {canImport ? (
        <Button variant="outline" size="sm" onClick={() => setImporting(true)} data-testid="import-csv">
          <Upload className="mr-1 h-4 w-4" aria-hidden /> Import
        </Button>
      ) : null}
      <ExportButton viewId={viewId} fileName={viewName} />
      {importing ? <ImportWizard tableId={tableId} fields={fields} onClose={() => setImporting(false)} /> : null}
    </div>
  );
}
