import type { FieldDef, RecordRow } from "@/types/api";

/** What the app gives a kanban, gallery or calendar view. */
export interface CardViewProps {
  tableId: string;
  view: { id: string; name: string; config: Record<string, unknown> };
  fields: FieldDef[];
  primaryFieldId: string | null | undefined;
  canEdit: boolean;
  people?: Map<string, string> | undefined;
  onOpenRecord: (record: RecordRow) => void;
  /** Save part of the view's config (applied to the cached view at once). */
  onSaveConfig: (patch: Record<string, unknown>) => Promise<void> | void;
}
