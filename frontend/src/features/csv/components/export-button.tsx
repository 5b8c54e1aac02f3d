// Export the current view as CSV; "raw" writes values as stored (no spreadsheet-formula guard).
import { Download } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { toast } from "@/components/ui/toaster";
import { exportView } from "@/features/csv/api/csv";
import { errorMessage } from "@/lib/api/errors";

export function ExportButton({ viewId, fileName }: { viewId: string; fileName: string }) {
  const [busy, setBusy] = useState(false);
  async function download(raw: boolean) {
    setBusy(true);
    try {
      const blob = await exportView(viewId, raw);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `${fileName}.csv`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      toast.error(`Export failed: ${errorMessage(error)}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" disabled={busy} data-testid="export-csv">
          <Download className="mr-1 h-4 w-4" aria-hidden /> Export
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent>
        <DropdownMenuItem onSelect={() => void download(false)}>CSV (for spreadsheets)</DropdownMenuItem>
        <DropdownMenuItem onSelect={() => void download(true)}>CSV, raw values</DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
