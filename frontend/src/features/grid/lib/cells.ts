// A record's value as a glide cell, by field type.
import { GridCellKind, type GridCell } from "@glideapps/glide-data-grid";

import type { ButtonCell } from "@/features/grid/lib/button-cell";
import type { ChipsCell } from "@/features/grid/lib/chips-cell";
import type { DateCell } from "@/features/grid/lib/date-cell";
import type { EngineeringCell } from "@/features/grid/lib/engineering-cell";
import { anyText, chipColor, choicesOf, fieldKind, zoneOf } from "@/features/grid/lib/field-values";
import { buttonValue } from "@/lib/button-value";
import type { FieldDef, RecordRow } from "@/types/api";

const GREY_CHIP = "#e5e7eb";

function thumbnails(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const file = item as { url?: unknown; type?: unknown; thumbnails?: { url?: unknown }[] };
    const thumb = Array.isArray(file.thumbnails) ? file.thumbnails[0]?.url : undefined;
    if (typeof thumb === "string") out.push(thumb);
    else if (typeof file.url === "string" && typeof file.type === "string" && file.type.startsWith("image/")) out.push(file.url);
  }
  return out;
}

export interface CellOptions {
  /** Epoch ms of a change made elsewhere: glide flashes the cell. */
  lastUpdated?: number | undefined;
  canEdit: boolean;
  onOpenUri?: (href: string) => void;
  /** A user id's display name (user, created by, last modified by cells). */
  userName?: (userId: string) => string | undefined;
}

const USER_TYPES = new Set(["user", "created_by", "last_modified_by"]);

function userText(value: unknown, name: (id: string) => string | undefined): string | null {
  const ids = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  if (!ids.every((id) => typeof id === "string")) return null;
  return (ids as string[]).map((id) => name(id) ?? id).join(", ");
}

export function buildCell(field: FieldDef, record: RecordRow, options: CellOptions): GridCell {
  const kind = fieldKind(field);
  const value = record.fields[field.id];
  const named = USER_TYPES.has(field.type) && options.userName ? userText(value, options.userName) : null;
  const text = named ?? kind.format(value, field);
  const readonly = !options.canEdit || kind.editor === "readonly";
  const base = { allowOverlay: true, lastUpdated: options.lastUpdated, copyData: text } as const;
  if (field.type === "button") {
    const button = buttonValue(value, field);
    // A click opens the URL; no overlay, nothing to edit. Copying gives the URL, as a link would.
    const cell: ButtonCell = {
      ...base,
      kind: GridCellKind.Custom,
      allowOverlay: false,
      readonly: true,
      copyData: button.url ?? "",
      data: { kind: "button-cell", label: button.label, url: button.url },
    };
    return cell;
  }
  switch (kind.editor) {
    case "checkbox":
      return { ...base, kind: GridCellKind.Boolean, data: value === true, allowOverlay: false, readonly };
    case "select":
    case "multi_select":
    case "link": {
      const names = Array.isArray(value) ? value.map(anyText) : value === null || value === undefined ? [] : [anyText(value)];
      const colors = new Map(choicesOf(field).map((c) => [c.name, chipColor(c.color)]));
      const cell: ChipsCell = {
        ...base,
        kind: GridCellKind.Custom,
        readonly,
        data: {
          kind: "chips-cell",
          fieldId: field.id,
          recordId: record.id,
          value,
          chips: names.map((label) => ({ label, color: colors.get(label) ?? GREY_CHIP })),
        },
      };
      return cell;
    }
    case "date": {
      const cell: DateCell = {
        ...base,
        kind: GridCellKind.Custom,
        readonly,
        data: { kind: "date-cell", text, value: typeof value === "string" ? value : null, withTime: field.type === "datetime", timeZone: zoneOf(field) },
      };
      return cell;
    }
    case "structured": {
      const cell: EngineeringCell = {
        ...base,
        kind: GridCellKind.Custom,
        readonly,
        data: { kind: "engineering-cell", text, fieldName: field.name, fieldType: field.type, options: field.options },
      };
      return cell;
    }
    case "attachment": {
      const images = thumbnails(value);
      if (images.length > 0) return { ...base, kind: GridCellKind.Image, data: images, readonly: true, allowOverlay: true };
      return { ...base, kind: GridCellKind.Text, data: text, displayData: text, readonly: true };
    }
    case "number":
    case "rating":
      return { ...base, kind: GridCellKind.Text, data: text, displayData: text, readonly, contentAlign: kind.editor === "number" ? "right" : "left" };
    case "readonly":
      return {
        ...base,
        kind: GridCellKind.Text,
        data: text,
        displayData: text,
        readonly: true,
        contentAlign: typeof value === "number" ? "right" : "left",
      };
    default: {
      const href = kind.href?.(value) ?? null;
      if (href) {
        return {
          ...base,
          kind: GridCellKind.Uri,
          data: text,
          displayData: text,
          readonly,
          hoverEffect: true,
          onClickUri: (event) => {
            event.preventDefault();
            options.onOpenUri?.(href);
          },
        };
      }
      return { ...base, kind: GridCellKind.Text, data: text, displayData: text, readonly, allowWrapping: kind.editor === "long_text" };
    }
  }
}
