// The record's history: who changed what, from what to what.
import { timeline, type HistoryPage } from "@/features/records/lib/history";

function when(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : date.toLocaleString();
}

export function HistoryTimeline({ page, people }: { page: HistoryPage; people: ReadonlyMap<string, string> }) {
  const items = timeline(page, people);
  const creator = page.created_by ? (people.get(page.created_by) ?? page.created_by) : "Someone";
  return (
    <ol className="space-y-3 text-sm" data-testid="record-history" aria-label="History">
      {items.map((item) => (
        <li key={item.key} className="border-l-2 pl-3" data-testid="history-entry">
          <p>
            <span className="font-medium">{item.who}</span> {item.summary}{" "}
            <time className="text-muted-foreground text-xs" dateTime={item.at}>
              {when(item.at)}
            </time>
          </p>
          {item.changes.length ? (
            <ul className="mt-1 space-y-0.5">
              {item.changes.map((change) => (
                <li key={change.fieldId} className="text-xs">
                  <span className="font-medium">{change.field}</span>:{" "}
                  <del className="text-muted-foreground">{change.from}</del> → <ins className="no-underline">{change.to}</ins>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
      <li className="border-l-2 pl-3" data-testid="history-created">
        <span className="font-medium">{creator}</span> created the record{" "}
        <time className="text-muted-foreground text-xs" dateTime={page.created_at}>
          {when(page.created_at)}
        </time>
      </li>
    </ol>
  );
}
