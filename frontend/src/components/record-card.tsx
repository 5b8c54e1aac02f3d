// A record as a card (kanban, gallery, calendar): optional cover image, the primary field as its
// title and the view's visible fields as label/value lines. A button, so it opens with Enter too.
import { forwardRef, memo, type HTMLAttributes } from "react";

import { FieldButton } from "@/components/ui/field-button";
import { UserChips } from "@/components/ui/user-chip";
import { buttonValue } from "@/lib/button-value";
import { chipBackground, choicesOf, coverImage, displayValue } from "@/lib/record-values";
import { cn } from "@/lib/utils";
import type { FieldDef, RecordRow } from "@/types/api";

export interface RecordCardProps extends Omit<HTMLAttributes<HTMLDivElement>, "onClick"> {
  record: RecordRow;
  titleField: FieldDef | undefined;
  fields: FieldDef[];
  coverField?: FieldDef | undefined;
  coverFit?: "crop" | "fit";
  coverHeight?: number;
  people?: Map<string, string> | undefined;
  onOpen?: (record: RecordRow) => void;
}

const USER_TYPES = new Set(["user", "created_by", "last_modified_by"]);

function FieldLine({ field, value, people }: { field: FieldDef; value: unknown; people?: Map<string, string> | undefined }) {
  if (field.type === "single_select" || field.type === "multiple_select") {
    const names = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v !== "");
    if (names.length === 0) return null;
    const colors = new Map(choicesOf(field).map((c) => [c.name, c.color]));
    return (
      <span className="flex flex-wrap gap-1">
        {names.map((name) => (
          <span key={name} className="rounded px-1.5 text-xs text-gray-900" style={{ background: chipBackground(colors.get(name)) }}>
            {name}
          </span>
        ))}
      </span>
    );
  }
  if (USER_TYPES.has(field.type)) return <UserChips value={value} names={people} />;
  if (field.type === "button") {
    const button = buttonValue(value, field);
    return <FieldButton label={button.label} url={button.url} className="justify-self-start" />;
  }
  const shown = displayValue(value);
  if (!shown) return null;
  return <span className="line-clamp-2 break-words">{shown}</span>;
}

export const RecordCard = memo(
  forwardRef<HTMLDivElement, RecordCardProps>(function RecordCard(
    { record, titleField, fields, coverField, coverFit = "crop", coverHeight = 128, people, onOpen, className, ...rest },
    ref,
  ) {
    const title = titleField ? displayValue(record.fields[titleField.id]) : "";
    const cover = coverField ? coverImage(record.fields[coverField.id]) : null;
    return (
      <div
        ref={ref}
        data-record-id={record.id}
        className={cn("overflow-hidden rounded-md border bg-card text-left text-sm shadow-sm", className)}
        {...rest}
      >
        {coverField ? (
          <div className="flex items-center justify-center bg-muted" style={{ height: coverHeight }}>
            {cover ? (
              <img
                src={cover.url}
                alt={cover.alt}
                loading="lazy"
                className={cn("h-full w-full", coverFit === "fit" ? "object-contain" : "object-cover")}
              />
            ) : null}
          </div>
        ) : null}
        <div className="grid gap-1 p-2">
          <button
            type="button"
            className="truncate text-left font-medium hover:underline focus-visible:outline-2"
            onClick={() => onOpen?.(record)}
            onPointerDown={(event) => event.stopPropagation()}
          >
            {title || "Unnamed record"}
          </button>
          {fields.map((field) => {
            const value = record.fields[field.id];
            if (value === null || value === undefined || value === "") return null;
            return (
              <div key={field.id} className="grid gap-0.5">
                <span className="text-xs text-muted-foreground">{field.name}</span>
                <FieldLine field={field} value={value} people={people} />
              </div>
            );
          })}
        </div>
      </div>
    );
  }),
);
