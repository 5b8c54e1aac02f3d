// Under a box whose text is read as it is typed (engineering values): what the text reads as, or
// why it does not read (announced as an alert). Nothing while there is no reading.
import type { Reading } from "@/lib/engineering";
import { cn } from "@/lib/utils";

export function ReadingHint({ id, reading, className }: { id: string; reading: Reading | null; className?: string }) {
  if (!reading) return null;
  return reading.ok ? (
    <p id={id} className={cn("text-xs text-muted-foreground", className)} data-testid="structured-reading">
      Reads as {reading.text}
    </p>
  ) : (
    <p id={id} role="alert" className={cn("text-xs text-destructive", className)} data-testid="structured-error">
      {reading.error}
    </p>
  );
}
