// The gallery: a card per record with a cover image from the view's attachment field (the first
// preview of the first file: an image, the SVG of a DXF drawing or the first page of a PDF, as the
// API renders them) and the view's visible fields. Cards appear in pages as you scroll.
import { useEffect, useMemo, useRef, useState } from "react";

import { CardSettings } from "@/components/card-settings";
import { RecordCard } from "@/components/record-card";
import type { CardViewProps } from "@/features/gallery/types/view-props";
import { useViewRecords } from "@/hooks/use-view-records";
import { errorMessage } from "@/lib/api/errors";
import { visibleFields } from "@/lib/record-values";

const PAGE = 120;

export function GalleryView({ tableId, view, fields, primaryFieldId, canEdit, people, onOpenRecord, onSaveConfig }: CardViewProps) {
  const config = view.config;
  const records = useViewRecords(tableId, { viewId: view.id });
  const coverField = fields.find((f) => f.id === config.cover_field_id);
  const fit = config.cover_fit === "fit" ? "fit" : "crop";
  const titleField = fields.find((f) => f.id === primaryFieldId) ?? fields[0];
  const shownFields = useMemo(
    () => visibleFields(fields, config).filter((f) => f.id !== titleField?.id && f.id !== coverField?.id),
    [fields, config, titleField, coverField],
  );
  const [shown, setShown] = useState(PAGE);
  const sentinel = useRef<HTMLDivElement | null>(null);
  const all = records.data?.records ?? [];
  useEffect(() => {
    const node = sentinel.current;
    if (!node || typeof IntersectionObserver === "undefined") return undefined;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setShown((n) => n + PAGE);
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [all.length]);

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="gallery-view">
      <div className="flex items-center gap-2 border-b px-3 py-1 text-sm">
        <CardSettings
          canEdit={canEdit}
          choices={[
            {
              key: "cover_field_id",
              label: "Cover image",
              value: coverField?.id ?? null,
              options: fields.filter((f) => f.type === "attachment"),
              optional: true,
            },
          ]}
          fields={fields.filter((f) => f.id !== titleField?.id)}
          hidden={Array.isArray(config.hidden_fields) ? (config.hidden_fields as string[]) : []}
          onChoice={(key, value) => void onSaveConfig({ [key]: value })}
          onHidden={(hidden) => void onSaveConfig({ hidden_fields: hidden })}
        >
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={fit === "fit"} onChange={(e) => void onSaveConfig({ cover_fit: e.target.checked ? "fit" : "crop" })} />
            Show the whole image (fit)
          </label>
        </CardSettings>
        <span className="text-muted-foreground" data-testid="gallery-count">
          {records.data ? `${all.length}${records.data.truncated ? "+" : ""} records` : ""}
        </span>
      </div>
      {records.isError ? (
        <p role="alert" className="p-4 text-sm text-destructive">
          {errorMessage(records.error)}
        </p>
      ) : records.isPending ? (
        <p role="status" className="p-4 text-sm text-muted-foreground">
          Loading records…
        </p>
      ) : (
        <div className="min-h-0 flex-1 overflow-y-auto p-3">
          <ul className="grid grid-cols-[repeat(auto-fill,minmax(14rem,1fr))] gap-3" aria-label={`${view.name}: records`}>
            {all.slice(0, shown).map((record) => (
              <li key={record.id} data-testid="gallery-card">
                <RecordCard
                  record={record}
                  titleField={titleField}
                  fields={shownFields}
                  coverField={coverField}
                  coverFit={fit}
                  coverHeight={160}
                  people={people}
                  onOpen={onOpenRecord}
                  className="h-full"
                />
              </li>
            ))}
          </ul>
          {all.length > shown ? <div ref={sentinel} className="h-8" aria-hidden /> : null}
          {all.length === 0 ? <p className="text-sm text-muted-foreground">No records in this view.</p> : null}
        </div>
      )}
    </div>
  );
}
