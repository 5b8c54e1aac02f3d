import type { Segment } from "@/features/search/api/search";

/** A highlighted snippet: matched words in <mark>, everything as text (never HTML from the server). */
export function Snippet({ segments }: { segments: Segment[] }) {
  return (
    <span className="line-clamp-1 text-xs text-muted-foreground">
      {segments.map((segment, i) =>
        segment.match ? (
          <mark key={i} className="rounded-sm bg-yellow-200 px-0.5 text-foreground">
            {segment.text}
          </mark>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </span>
  );
}
