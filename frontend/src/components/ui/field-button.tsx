// A button field's value outside the grid (cards, record panels): a link styled as a button that
// opens the URL in a new tab, or a disabled button when the URL formula gave nothing.
import { ExternalLink } from "lucide-react";

import { cn } from "@/lib/utils";

export function FieldButton({ label, url, className }: { label: string; url: string | null; className?: string }) {
  const look = "inline-flex h-7 items-center gap-1 rounded-md border px-2.5 text-xs font-medium";
  if (!url) {
    return (
      <button type="button" disabled className={cn(look, "cursor-not-allowed opacity-50", className)} title="No URL for this record">
        {label}
      </button>
    );
  }
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer"
      className={cn(look, "bg-background text-primary hover:bg-accent", className)}
      // Cards open their record on click: the button opens only its URL.
      onClick={(event) => event.stopPropagation()}
      onPointerDown={(event) => event.stopPropagation()}
    >
      {label} <ExternalLink className="h-3 w-3" aria-hidden="true" />
    </a>
  );
}
