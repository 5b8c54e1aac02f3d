// The grid: a canvas grid (glide-data-grid) over a table's records, loaded page by page around the
// visible window (100,000s of rows), with per-type cells and editors, If-Match edits, paste/fill/undo,
// column layout saved in the view, and live changes and presence from the WebSocket.
// Integration point: src/app/routes/table.tsx renders <GridView tableId ... />.
import "@glideapps/glide-data-grid/dist/index.css";

import {
  CompactSelection,
  DataEditor,
  GridCellKind,
  type DataEditorRef,
  type EditableGridCell,
  type GridCell,
  type GridColumn,
  type GridSelection,
  type Highlight,
  type Item,
  type ProvideEditorComponent,
  type Rectangle,
} from "@glideapps/glide-data-grid";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { EyeOff, Maximize2, Plus, Redo2, Trash2, Undo2 } from "lucide-react";
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuCheckboxItem,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";
import { toast } from "@/components/ui/toaster";
import { fieldsQuery, getRecord, patchViewConfig, peopleQuery, viewsQuery, type View } from "@/features/grid/api/records";
import { ConflictDialog } from "@/features/grid/components/conflict-dialog";
import { GridContext, type GridContextValue } from "@/features/grid/components/grid-context";
import { PresenceAvatars, presenceColor } from "@/features/grid/components/presence-avatars";
import { useGridEdits } from "@/features/grid/hooks/use-grid-edits";
import { useRecordWindow } from "@/features/grid/hooks/use-record-window";
import { eventValues, withEventValues } from "@/features/grid/lib/live-values";
import { CellCache } from "@/features/grid/lib/cell-cache";
import { buildCell } from "@/features/grid/lib/cells";
import { groupKey, RowLayout } from "@/features/grid/lib/group-rows";
import { buttonRenderer } from "@/features/grid/lib/button-cell";
import { chipsRenderer, isChipsCell, type ChipsCell } from "@/features/grid/lib/chips-cell";
import { dateRenderer, isDateCell, type DateCell } from "@/features/grid/lib/date-cell";
import { engineeringRenderer, isEngineeringCell, type EngineeringCell } from "@/features/grid/lib/engineering-cell";
import { orderColumns } from "@/features/grid/lib/columns";
import { fieldKind, formatValue, isEditable, ParseError, toWritable } from "@/features/grid/lib/field-values";
import { planPaste } from "@/features/grid/lib/paste";
import { parseTsv } from "@/features/grid/lib/tsv";
import type { CellChange } from "@/features/grid/lib/undo";
import { usePresence, useRealtime, useTableEvents } from "@/hooks/use-realtime";
import { useSession } from "@/hooks/use-session";
import { errorMessage } from "@/lib/api/errors";
import { queryKeys } from "@/lib/query-keys";
import type { FieldDef, RecordRow } from "@/types/api";

const ChipsEditor = lazy(() => import("@/features/grid/components/cell-editors"));
const DateEditor = lazy(() => import("@/features/grid/components/date-editor"));
const EngineeringEditor = lazy(() => import("@/features/grid/components/engineering-editor"));
const RecordPanel = lazy(() => import("@/features/grid/components/record-panel"));

export interface GridViewProps {
  tableId: string;
  baseId?: string | undefined;
  /** The table's name, for the accessible label. */
  tableName?: string | undefined;
  primaryFieldId?: string | null | undefined;
  /** The caller's role on the table; viewers and commenters get a read-only grid. */
  role?: string | null | undefined;
  /** The view to show (its filters, sorts, layout); default: the table's first grid view. */
  viewId?: string | undefined;
  /** A column header's menu was asked for; without it the grid offers only "Hide field". */
  onHeaderMenu?: ((request: HeaderMenuRequest) => void) | undefined;
  /** Files dragged over and dropped on attachment cells (the app uploads them into that record's field). */
  cellDrops?: CellFileDrops | undefined;
  /** An attachment cell was activated (the app shows its files); without it the record panel opens. */
  onAttachmentCell?: ((record: RecordRow, field: FieldDef) => void) | undefined;
  /** Expanding a record (button, Shift+Space) opens the app's record panel; without it, the grid's own. */
  onOpenRecord?: ((record: RecordRow) => void) | undefined;
}

export interface CellFileDrops {
  dropOnCell: (recordId: string, fieldId: string, files: readonly File[]) => void;
  dragOverCell: (target: { fieldName: string } | null) => void;
}

/** Which column's menu to show, where (viewport coordinates), and the columns in view order. */
export interface HeaderMenuRequest {
  fieldId: string;
  columnIds: string[];
  bounds: { x: number; y: number; width: number; height: number };
}

const ROW_HEIGHTS = { short: 34, medium: 56, tall: 90, extra_tall: 134 } as const;
type RowHeight = keyof typeof ROW_HEIGHTS;
const DEFAULT_WIDTH = 180;
const PRIMARY_WIDTH = 240;
const FLASH_MS = 1500;
const LOADING_CELL: GridCell = { kind: GridCellKind.Loading, allowOverlay: false };
const openUri = (href: string) => window.open(href, "_blank", "noopener");
const EDIT_ROLES = new Set(["owner", "admin", "editor"]);
const GROUP_ROW_THEME = { bgCell: "#eef2f7", bgCellMedium: "#e5eaf1" };
const GROUP_THEME = { baseFontStyle: "600 13px" };

/** A group header's text: the grouping field, its value (or "(empty)") and how many records. */
function groupLabel(field: FieldDef | undefined, value: unknown, count: number, collapsed: boolean): string {
  const shown = value === null || value === undefined || value === "" ? "(empty)" : field ? formatValue(field, value) || "(empty)" : String(value);
  return `${collapsed ? "▸" : "▾"} ${field ? `${field.name}: ` : ""}${shown} · ${count.toLocaleString()} record${count === 1 ? "" : "s"}`;
}

/** glide's overlay editors render into #portal. */
function ensurePortal(): void {
  if (typeof document === "undefined" || document.getElementById("portal")) return;
  const portal = document.createElement("div");
  portal.id = "portal";
  portal.style.position = "fixed";
  portal.style.left = "0";
  portal.style.top = "0";
  portal.style.zIndex = "50";
  document.body.appendChild(portal);
}

/** Whether one of glide's overlay editors is open (it renders into #portal). */
function editorOpen(): boolean {
  return (document.getElementById("portal")?.childElementCount ?? 0) > 0;
}

const ChipsEditorShell: ProvideEditorComponent<ChipsCell> = (props) => (
  <Suspense fallback={<div className="h-24 w-64 animate-pulse rounded-md border bg-popover" />}>
    <ChipsEditor {...props} />
  </Suspense>
);

const DateEditorShell: ProvideEditorComponent<DateCell> = (props) => (
  <Suspense fallback={<div className="h-72 w-64 animate-pulse rounded-md border bg-popover" />}>
    <DateEditor {...props} />
  </Suspense>
);

const EngineeringEditorShell: ProvideEditorComponent<EngineeringCell> = (props) => (
  <Suspense fallback={<div className="h-16 w-72 animate-pulse rounded-md border bg-popover" />}>
    <EngineeringEditor {...props} />
  </Suspense>
);

const CUSTOM_RENDERERS = [chipsRenderer, dateRenderer, engineeringRenderer, buttonRenderer];

function viewConfig(view: View | undefined) {
  const config = (view?.config ?? {}) as {
    hidden_fields?: string[];
    field_order?: string[];
    column_widths?: Record<string, number>;
    row_height?: RowHeight;
    filters?: unknown;
    sorts?: unknown;
    group_by?: unknown;
  };
  return {
    hidden: config.hidden_fields ?? [],
    order: config.field_order ?? [],
    widths: config.column_widths ?? {},
    rowHeight: (config.row_height && config.row_height in ROW_HEIGHTS ? config.row_height : "short") as RowHeight,
    // What changes which rows come back, and in which order.
    revision: JSON.stringify([config.filters ?? null, config.sorts ?? null, config.hidden_fields ?? [], config.group_by ?? null]),
  };
}

interface TestHook {
  rowCount: () => number;
  columns: () => string[];
  cell: (row: number, fieldName: string) => string | null;
  recordId: (row: number) => string | null;
  /** Group header rows of a grouped view (display rows; `cell` and `recordId` take record positions). */
  groupHeaders: () => { row: number; value: string; count: number; collapsed: boolean }[];
  /** Collapse or expand the group whose header is at this display row. */
  toggleGroup: (row: number) => void;
  /** Where a column's header is on screen (for a click on its menu arrow), or null. */
  headerBounds: (fieldName: string) => { x: number; y: number; width: number; height: number } | null;
}

declare global {
  interface Window {
    __pybaseGrid?: TestHook;
  }
}

const testHooks = import.meta.env.DEV || import.meta.env.MODE === "test" || import.meta.env.VITE_TEST_HOOKS === "1";

export function GridView({ tableId, baseId, tableName, primaryFieldId, role, viewId, onHeaderMenu, cellDrops, onAttachmentCell, onOpenRecord }: GridViewProps) {
  ensurePortal();
  const queryClient = useQueryClient();
  const realtime = useRealtime();
  const { session } = useSession();
  const selfId = session?.user?.id ?? null;
  const canEdit = role === undefined || role === null || EDIT_ROLES.has(role);
  const fields = useQuery(fieldsQuery(tableId));
  const views = useQuery(viewsQuery(tableId));
  const people = useQuery(peopleQuery(baseId)).data;
  const view =
    (viewId ? views.data?.find((v) => v.id === viewId) : undefined) ??
    views.data?.find((v) => v.type === "grid") ??
    views.data?.[0];
  const config = viewConfig(view);
  const ready = fields.isSuccess && (views.isSuccess || views.isError);
  // Rows read at change log position N: replay every change after N, including those made before the
  // table subscription took effect.
  const catchUp = useCallback(
    (eventId: number) => realtime.catchUp({ kind: "table", id: tableId }, eventId),
    [realtime, tableId],
  );
  // A page that arrives while scrolling redraws its visible cells on the canvas, not the screen.
  const editorRef = useRef<DataEditorRef>(null);
  const columnCount = useRef(0);
  const displayRow = useRef((index: number) => index);
  const redrawRows = useCallback((first: number, last: number) => {
    const damaged: { cell: Item }[] = [];
    for (let index = first; index <= last; index += 1) {
      const row = displayRow.current(index);
      if (row < 0) continue;
      for (let col = 0; col < columnCount.current; col += 1) damaged.push({ cell: [col, row] });
    }
    editorRef.current?.updateCells(damaged);
  }, []);
  const rows = useRecordWindow(tableId, view?.id, ready, config.revision, catchUp, redrawRows);
  const { cache, show: showWindow, ensureRows } = rows;
  // Group header rows (a grouped view): display rows map to record positions through the layout.
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => setCollapsed(new Set()), [view?.id]);
  const groupCounts = cache.groups;
  const loadedTotal = cache.total ?? 0;
  const layout = useMemo(() => new RowLayout(groupCounts, loadedTotal, collapsed), [groupCounts, loadedTotal, collapsed]);
  displayRow.current = (index) => layout.displayOf(index);
  /** The record shown at a display row (undefined for a group header or a row still loading). */
  const recordAt = useCallback(
    (row: number) => {
      const index = layout.recordIndex(row);
      return index < 0 ? undefined : cache.row(index);
    },
    [cache, layout],
  );
  // The display rows on screen: when groups arrive or collapse, other records come into view.
  const visibleRows = useRef<[number, number]>([0, 60]);
  const showRows = useCallback(
    (first: number, last: number) => {
      // Only the records on screen load: collapsed groups in between take none.
      const [head, ...others] = layout.segments(first, last);
      showWindow(head?.[0] ?? 0, head?.[1] ?? -1);
      for (const [from, to] of others) ensureRows(from, to).catch(() => undefined);
    },
    [layout, showWindow, ensureRows],
  );
  useEffect(() => {
    if (layout.grouped) showRows(...visibleRows.current);
  }, [layout, showRows]);
  const toggleGroup = useCallback(
    (value: unknown) =>
      setCollapsed((current) => {
        const next = new Set(current);
        const key = groupKey(value);
        if (!next.delete(key)) next.add(key);
        return next;
      }),
    [],
  );

  // Local layout (applied at once, saved to the view in the background).
  const [widths, setWidths] = useState<Record<string, number>>({});
  const [order, setOrder] = useState<string[] | null>(null);
  const [hidden, setHidden] = useState<string[] | null>(null);
  const [rowHeight, setRowHeight] = useState<RowHeight | null>(null);
  useEffect(() => {
    setWidths({});
    setOrder(null);
    setHidden(null);
    setRowHeight(null);
  }, [view?.id]);
  // Order and hidden fields saved from outside the grid (column menus, insert left/right) replace
  // what was last arranged here.
  const savedLayout = JSON.stringify([config.order, config.hidden]);
  useEffect(() => {
    setOrder(null);
    setHidden(null);
  }, [savedLayout]);
  const effectiveWidths = { ...config.widths, ...widths };
  const effectiveHidden = hidden ?? config.hidden;
  const effectiveHeight = rowHeight ?? config.rowHeight;

  const allFields = useMemo(() => fields.data ?? [], [fields.data]);
  const fieldsById = useMemo(() => new Map(allFields.map((f) => [f.id, f])), [allFields]);
  const columns = useMemo(
    () => orderColumns(allFields, primaryFieldId, order ?? config.order, effectiveHidden),
    // config.order identity changes each render; its content is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [allFields, primaryFieldId, JSON.stringify(order ?? config.order), JSON.stringify(effectiveHidden)],
  );

  columnCount.current = columns.length;
  const edits = useGridEdits({ tableId, cache, fieldsById, touch: rows.touch, reload: rows.reload });
  const wrapperRef = useRef<HTMLDivElement>(null);
  const [selection, setSelection] = useState<GridSelection>({
    columns: CompactSelection.empty(),
    rows: CompactSelection.empty(),
  });
  const [expanded, setExpandedState] = useState<RecordRow | null>(null);
  const openRecord = useRef(onOpenRecord);
  openRecord.current = onOpenRecord;
  const setExpanded = useCallback((record: RecordRow | null) => {
    if (record && openRecord.current) openRecord.current(record);
    else setExpandedState(record);
  }, []);
  const flashes = useRef(new Map<string, number>());
  // The record as it was when the user started on the selected cell: an edit is based on what they
  // saw, so a change that arrives live while the editor is open still ends in the 412 conflict flow.
  const editBase = useRef<RecordRow | null>(null);
  const [headerMenu, setHeaderMenu] = useState<{ col: number; bounds: Rectangle } | null>(null);

  const saveView = useCallback(
    (patch: Record<string, unknown>) => {
      if (!view || !canEdit) return;
      patchViewConfig(view.id, patch)
        .then((saved) => queryClient.setQueryData(viewsQuery(tableId).queryKey, (list) => list?.map((v) => (v.id === saved.id ? saved : v))))
        .catch((error: unknown) => toast.error(`The view layout was not saved: ${errorMessage(error)}`));
    },
    [canEdit, queryClient, tableId, view],
  );

  // --- live changes --------------------------------------------------------------------------
  const presence = usePresence(tableId);
  useTableEvents(tableId, {
    onEvent: (event) => {
      if (event.type.startsWith("field")) {
        void queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
        rows.reload();
        return;
      }
      if (event.type.startsWith("view")) {
        void queryClient.invalidateQueries({ queryKey: viewsQuery(tableId).queryKey });
        return;
      }
      const ids = Array.isArray(event.payload.record_ids) ? (event.payload.record_ids as string[]) : [];
      // Our own write from this tab is already shown; the same user in another tab is not.
      if (event.actor_id && event.actor_id === selfId && ids.length > 0 && ids.every((id) => edits.wroteRecently(id))) return;
      const now = Date.now();
      if (event.type === "records.updated" && !event.refetch) {
        const loaded = ids.filter((id) => cache.indexOf(id) >= 0);
        if (loaded.length > 50) {
          rows.reload();
          return;
        }
        const values = eventValues(event.payload);
        let shown = false;
        for (const id of loaded) {
          flashes.current.set(id, now);
          // Show the values the event carries at once; the fetch below brings computed fields and
          // the new version.
          const current = cache.row(cache.indexOf(id));
          const merged = current && values.has(id) ? withEventValues(current, values.get(id), fieldsById) : null;
          if (merged && !(editorOpen() && editBase.current?.id === id)) {
            cache.replace(merged);
            shown = true;
          }
          getRecord(tableId, id)
            .then((record) => {
              flashes.current.set(id, Date.now());
              cache.replace(record);
              if (editBase.current?.id === record.id && !editorOpen()) editBase.current = record;
              rows.touch();
            })
            .catch(() => rows.reload());
        }
        if (shown) rows.touch();
        return;
      }
      if (event.type === "records.deleted") edits.forget(ids);
      for (const id of ids) flashes.current.set(id, now);
      rows.reload();
    },
    onRefetch: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.fields(tableId) });
      void queryClient.invalidateQueries({ queryKey: viewsQuery(tableId).queryKey });
      rows.reload();
    },
  });

  // Flashes fade: redraw once they are over so lastUpdated stops applying.
  useEffect(() => {
    const timer = setInterval(() => {
      const now = Date.now();
      let expired = false;
      for (const [id, at] of flashes.current) {
        if (now - at > FLASH_MS) {
          flashes.current.delete(id);
          expired = true;
        }
      }
      if (expired) rows.touch();
    }, 500);
    return () => clearInterval(timer);
  }, [rows]);

  // Where I am, for others' presence markers.
  const current = selection.current?.cell;
  const currentRecordId = current ? (recordAt(current[1])?.id ?? null) : null;
  const currentFieldId = current ? (columns[current[0]]?.id ?? null) : null;
  useEffect(() => {
    const timer = setTimeout(() => realtime.setPresence({ tableId, recordId: currentRecordId, fieldId: currentFieldId }), 200);
    return () => clearTimeout(timer);
  }, [realtime, tableId, currentRecordId, currentFieldId]);

  const highlights = useMemo<Highlight[]>(() => {
    const out: Highlight[] = [];
    for (const user of presence) {
      if (user.user_id === selfId || !user.record_id || !user.field_id) continue;
      const row = layout.displayOf(cache.indexOf(user.record_id));
      const col = columns.findIndex((c) => c.id === user.field_id);
      if (row < 0 || col < 0) continue;
      out.push({ color: `${presenceColor(user.user_id)}33`, range: { x: col, y: row, width: 1, height: 1 }, style: "solid-outline" });
    }
    return out;
    // rows.version: positions move as pages load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [presence, selfId, columns, cache, layout, rows.version]);

  // --- cells ---------------------------------------------------------------------------------
  const gridColumns = useMemo<GridColumn[]>(
    () =>
      columns.map((field, index) => ({
        id: field.id,
        title: field.name,
        width: effectiveWidths[field.id] ?? (index === 0 ? PRIMARY_WIDTH : DEFAULT_WIDTH),
        hasMenu: true,
      })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [columns, JSON.stringify(effectiveWidths)],
  );

  const groupField = groupCounts ? fieldsById.get(groupCounts.field_id) : undefined;
  // Cells are built from the columns, the role and people's names: a change of any starts afresh.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const cellCache = useMemo(() => new CellCache<GridCell>(), [columns, canEdit, people]);
  const getCellContent = useCallback(
    ([col, row]: Item): GridCell => {
      const field = columns[col];
      const entry = layout.at(row);
      if (entry?.kind === "group") {
        const label = col === 0 ? groupLabel(groupField, entry.value, entry.count, entry.collapsed) : "";
        return { kind: GridCellKind.Text, data: label, displayData: label, allowOverlay: false, readonly: true, themeOverride: GROUP_THEME };
      }
      const record = entry ? cache.row(entry.index) : undefined;
      if (!field || !record) return LOADING_CELL;
      const flash = flashes.current.get(record.id);
      const build = () =>
        buildCell(field, record, {
          canEdit,
          lastUpdated: flash,
          onOpenUri: openUri,
          userName: (id) => people?.get(id),
        });
      // A flashing cell changes every frame; the others stay the same until their record is replaced.
      return flash === undefined ? cellCache.get(record, col, build) : build();
    },
    // rows.version: redraw when the count is learnt or records change (pages that arrive while
    // scrolling are drawn by redrawRows)
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [columns, cache, canEdit, people, cellCache, layout, groupField, rows.version],
  );

  /** The value a glide cell edit means for the API, or an error message. */
  const valueOf = useCallback((field: FieldDef, cell: EditableGridCell): { value: unknown } | { error: string } => {
    try {
      if (cell.kind === GridCellKind.Boolean) return { value: cell.data === true };
      if (cell.kind === GridCellKind.Custom && isChipsCell(cell)) return { value: toWritable(field, cell.data.value) };
      if (cell.kind === GridCellKind.Custom && isDateCell(cell)) return { value: cell.data.value };
      if (cell.kind === GridCellKind.Custom && isEngineeringCell(cell)) return { value: fieldKind(field).parse(cell.data.text, field) };
      if (cell.kind === GridCellKind.Text || cell.kind === GridCellKind.Uri) return { value: fieldKind(field).parse(cell.data, field) };
      if (cell.kind === GridCellKind.Number) return { value: cell.data ?? null };
      return { error: "This cell cannot be edited here." };
    } catch (error) {
      return { error: error instanceof ParseError ? error.message : errorMessage(error) };
    }
  }, []);

  const onCellsEdited = useCallback(
    (items: readonly { location: Item; value: EditableGridCell }[]): boolean => {
      if (!canEdit) return true;
      const updates = new Map<string, Record<string, unknown>>();
      const changes: CellChange[] = [];
      const problems: string[] = [];
      for (const { location, value } of items) {
        const field = columns[location[0]];
        const record = recordAt(location[1]);
        if (!field || !record || !isEditable(field)) continue;
        const parsed = valueOf(field, value);
        if ("error" in parsed) {
          problems.push(`${field.name}: ${parsed.error}`);
          continue;
        }
        if (items.length === 1) {
          const base = editBase.current?.id === record.id ? editBase.current : record;
          void edits.editCell(base, field, parsed.value).then(() => {
            if (editBase.current?.id === base.id) editBase.current = cache.row(cache.indexOf(base.id)) ?? null;
          });
          return true;
        }
        const fieldsOf = updates.get(record.id) ?? {};
        fieldsOf[field.id] = parsed.value;
        updates.set(record.id, fieldsOf);
        changes.push({ recordId: record.id, fieldId: field.id, before: record.fields[field.id] ?? null, after: parsed.value });
      }
      if (problems.length) toast.error(problems.slice(0, 3).join("\n"));
      if (updates.size) {
        const cleared = changes.every((change) => change.after === null || change.after === false);
        void edits.writeBatch(
          cleared ? "Clear" : "Fill",
          [...updates].map(([id, f]) => ({ id, fields: f })),
          [],
          changes,
        );
      }
      return true;
    },
    [cache, canEdit, columns, edits, recordAt, valueOf],
  );

  // --- paste (our TSV parser: quotes, tabs and newlines inside cells) --------------------------
  const paste = useCallback(
    async (text: string) => {
      const anchor = selection.current?.cell;
      if (!anchor || !canEdit) return;
      const values = parseTsv(text);
      if (!values.length) return;
      const range = selection.current?.range;
      const total = layout.displayCount;
      const height = Math.max(values.length, range?.height ?? 1);
      try {
        // Group headers in the block are skipped; the records around them are loaded.
        for (const [first, last] of layout.segments(anchor[1], Math.min(total - 1, anchor[1] + height - 1))) await rows.ensureRows(first, last);
      } catch (error) {
        toast.error(`Rows to paste into could not be loaded: ${errorMessage(error)}`);
        return;
      }
      const plan = planPaste({
        anchor,
        values,
        columns,
        rowCount: total,
        recordAt,
        selection: range ? { width: range.width, height: range.height } : undefined,
      });
      if (plan.skipped) toast(`${plan.skipped} cell${plan.skipped === 1 ? "" : "s"} skipped (computed fields or past the last column)`);
      await edits.writeBatch("Paste", plan.updates, plan.creates, plan.changes);
    },
    [canEdit, columns, edits, layout, recordAt, rows, selection],
  );

  useEffect(() => {
    const wrapper = wrapperRef.current;
    if (!wrapper) return undefined;
    const onPaste = (event: ClipboardEvent) => {
      const text = event.clipboardData?.getData("text/plain");
      if (text === undefined || !selection.current) return;
      event.preventDefault();
      event.stopPropagation();
      void paste(text);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.metaKey || event.ctrlKey;
      if (mod && event.key.toLowerCase() === "z" && !event.shiftKey) {
        event.preventDefault();
        event.stopPropagation();
        void edits.undo();
      } else if (mod && (event.key.toLowerCase() === "y" || (event.key.toLowerCase() === "z" && event.shiftKey))) {
        event.preventDefault();
        event.stopPropagation();
        void edits.redo();
      } else if (event.key === " " && event.shiftKey) {
        const row = selection.current?.cell[1];
        const record = row === undefined ? undefined : recordAt(row);
        if (record) {
          event.preventDefault();
          setExpanded(record);
        }
      }
    };
    wrapper.addEventListener("paste", onPaste, true);
    wrapper.addEventListener("keydown", onKeyDown, true);
    return () => {
      wrapper.removeEventListener("paste", onPaste, true);
      wrapper.removeEventListener("keydown", onKeyDown, true);
    };
  }, [edits, paste, recordAt, selection, setExpanded]);

  // --- test hook (development and test builds only) -------------------------------------------
  useEffect(() => {
    if (!testHooks) return undefined;
    window.__pybaseGrid = {
      rowCount: () => cache.total ?? 0,
      columns: () => columns.map((c) => c.name),
      cell: (row, fieldName) => {
        const field = columns.find((c) => c.name === fieldName) ?? allFields.find((f) => f.name === fieldName);
        const record = cache.row(row);
        if (!field || !record) return null;
        return formatValue(field, record.fields[field.id]);
      },
      recordId: (row) => cache.row(row)?.id ?? null,
      groupHeaders: () =>
        layout.headers().map((h) => ({ row: h.row, value: groupField ? formatValue(groupField, h.value) : String(h.value ?? ""), count: h.count, collapsed: h.collapsed })),
      toggleGroup: (row) => {
        const entry = layout.at(row);
        if (entry?.kind === "group") toggleGroup(entry.value);
      },
      headerBounds: (fieldName) => {
        const col = columns.findIndex((c) => c.name === fieldName);
        return col < 0 ? null : (editorRef.current?.getBounds(col, -1) ?? null);
      },
    };
    return () => {
      delete window.__pybaseGrid;
    };
  }, [allFields, cache, columns, groupField, layout, toggleGroup]);

  const selectedRecordIds = useMemo(() => {
    const ids: string[] = [];
    for (const row of selection.rows) {
      const record = recordAt(row);
      if (record) ids.push(record.id);
    }
    return ids;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selection, recordAt, rows.version]);

  const gridContext = useMemo<GridContextValue>(() => ({ tableId, fieldsById, canEdit }), [tableId, fieldsById, canEdit]);

  if (fields.isPending || (views.isPending && !views.isError)) {
    return (
      <div className="grid gap-2 p-4" aria-busy="true" aria-label="Loading records">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-7 w-full" />
        ))}
      </div>
    );
  }
  if (fields.isError) {
    return (
      <p role="alert" className="p-4 text-sm text-destructive">
        {errorMessage(fields.error)}
      </p>
    );
  }

  const total = cache.total ?? 0;
  const hiddenFields = allFields.filter((f) => f.id !== columns[0]?.id);
  const expandCurrent = () => {
    const row = selection.current?.cell[1];
    const record = row === undefined ? undefined : recordAt(row);
    if (record) setExpanded(record);
  };

  return (
    <GridContext.Provider value={gridContext}>
      <div className="flex min-h-0 flex-1 flex-col">
        <div className="flex flex-wrap items-center gap-2 border-b px-4 py-1.5" role="toolbar" aria-label="Grid tools">
          {canEdit && (
            <Button size="sm" variant="outline" aria-label="Add record" data-testid="add-record" onClick={() => void edits.addRecord().then(() => editorRef.current?.scrollTo(0, Math.max(0, layout.displayCount)))}>
              <Plus className="h-4 w-4" /> Record
            </Button>
          )}
          <Button size="sm" variant="ghost" aria-label="Expand record" data-testid="expand-record" disabled={!selection.current} onClick={expandCurrent}>
            <Maximize2 className="h-4 w-4" />
          </Button>
          {canEdit && selectedRecordIds.length > 0 && (
            <Button
              size="sm"
              variant="outline"
              aria-label={`Delete ${selectedRecordIds.length} selected records`}
              data-testid="delete-records"
              onClick={() => {
                void edits.deleteRows(selectedRecordIds);
                setSelection({ columns: CompactSelection.empty(), rows: CompactSelection.empty() });
              }}
            >
              <Trash2 className="h-4 w-4" /> Delete {selectedRecordIds.length}
            </Button>
          )}
          {canEdit && (
            <>
              <Button size="sm" variant="ghost" aria-label="Undo" data-testid="undo" onClick={() => void edits.undo()}>
                <Undo2 className="h-4 w-4" />
              </Button>
              <Button size="sm" variant="ghost" aria-label="Redo" data-testid="redo" onClick={() => void edits.redo()}>
                <Redo2 className="h-4 w-4" />
              </Button>
            </>
          )}
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button size="sm" variant="ghost" aria-label="Hidden fields" data-testid="hidden-fields">
                <EyeOff className="h-4 w-4" /> {effectiveHidden.length ? `${effectiveHidden.length} hidden` : "Hide fields"}
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              <DropdownMenuLabel>Shown fields</DropdownMenuLabel>
              {hiddenFields.map((field) => (
                <DropdownMenuCheckboxItem
                  key={field.id}
                  checked={!effectiveHidden.includes(field.id)}
                  disabled={!canEdit}
                  onCheckedChange={(shown) => {
                    const next = shown ? effectiveHidden.filter((id) => id !== field.id) : [...effectiveHidden, field.id];
                    setHidden(next);
                    saveView({ hidden_fields: next });
                  }}
                >
                  {field.name}
                </DropdownMenuCheckboxItem>
              ))}
            </DropdownMenuContent>
          </DropdownMenu>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button size="sm" variant="ghost" aria-label="Row height" data-testid="row-height">
                Row height
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="start">
              <DropdownMenuRadioGroup
                value={effectiveHeight}
                onValueChange={(value) => {
                  setRowHeight(value as RowHeight);
                  saveView({ row_height: value });
                }}
              >
                {Object.keys(ROW_HEIGHTS).map((key) => (
                  <DropdownMenuRadioItem key={key} value={key}>
                    {key.replace("_", " ")}
                  </DropdownMenuRadioItem>
                ))}
              </DropdownMenuRadioGroup>
            </DropdownMenuContent>
          </DropdownMenu>
          <span className="ml-auto text-xs text-muted-foreground" role="status" data-testid="record-count">
            {cache.total === null ? "Loading…" : `${total.toLocaleString()} record${total === 1 ? "" : "s"}`}
            {edits.busy > 0 ? " · saving…" : ""}
          </span>
          <PresenceAvatars users={presence} selfId={selfId} names={people} />
        </div>
        {rows.error !== null && (
          <p role="alert" className="flex items-center gap-2 border-b bg-destructive/10 px-4 py-1 text-sm text-destructive">
            {errorMessage(rows.error)}
            <Button size="sm" variant="outline" onClick={rows.reload}>
              Retry
            </Button>
          </p>
        )}
        <div
          ref={wrapperRef}
          className="relative min-h-0 flex-1"
          data-testid="grid"
          role="region"
          aria-label={`Records of ${tableName ?? "the table"}`}
          data-row-count={total}
        >
          <DataEditor
            ref={editorRef}
            width="100%"
            height="100%"
            columns={gridColumns}
            rows={layout.displayCount}
            getRowThemeOverride={(row) => (layout.at(row)?.kind === "group" ? GROUP_ROW_THEME : undefined)}
            getCellContent={getCellContent}
            getCellsForSelection
            customRenderers={CUSTOM_RENDERERS}
            provideEditor={(cell) =>
              isChipsCell(cell)
                ? ({ editor: ChipsEditorShell, disablePadding: true, disableStyling: true } as never)
                : isDateCell(cell)
                  ? ({ editor: DateEditorShell, disablePadding: true, disableStyling: true } as never)
                  : isEngineeringCell(cell)
                    ? ({ editor: EngineeringEditorShell, disablePadding: true, disableStyling: true } as never)
                    : undefined
            }
            freezeColumns={1}
            rowMarkers="both"
            rowHeight={ROW_HEIGHTS[effectiveHeight]}
            smoothScrollX
            smoothScrollY
            rangeSelect="multi-rect"
            fillHandle={canEdit}
            keybindings={{ downFill: true, rightFill: true, search: false }}
            gridSelection={selection}
            onGridSelectionChange={(next) => {
              const cell = next.current?.cell;
              const record = cell ? recordAt(cell[1]) : undefined;
              if (record?.id !== editBase.current?.id || !editorOpen()) editBase.current = record ?? null;
              setSelection(next);
            }}
            onCellsEdited={onCellsEdited}
            onDelete={(sel) => {
              if (sel.rows.length === 0) return canEdit; // clears the selected cells (onCellsEdited)
              if (canEdit && selectedRecordIds.length) {
                void edits.deleteRows(selectedRecordIds);
                setSelection({ columns: CompactSelection.empty(), rows: CompactSelection.empty() });
              }
              return false;
            }}
            onPaste={false}
            highlightRegions={highlights}
            onVisibleRegionChanged={(range) => {
              visibleRows.current = [range.y, range.y + range.height];
              showRows(range.y, range.y + range.height);
            }}
            onCellClicked={([, row]) => {
              const entry = layout.at(row);
              if (entry?.kind === "group") toggleGroup(entry.value);
            }}
            trailingRowOptions={canEdit ? { hint: "New record", sticky: true, tint: true } : undefined}
            onRowAppended={canEdit ? () => void edits.addRecord() : undefined}
            onColumnResize={(column, size) => {
              if (column.id) setWidths((w) => ({ ...w, [column.id as string]: Math.round(size) }));
            }}
            onColumnResizeEnd={(column, size) => {
              if (column.id) saveView({ column_widths: { ...effectiveWidths, [column.id]: Math.max(30, Math.min(2000, Math.round(size))) } });
            }}
            onColumnMoved={(from, to) => {
              if (from === 0 || to === 0) return; // the primary field stays first
              const ids = columns.map((c) => c.id);
              const [moved] = ids.splice(from, 1);
              if (!moved) return;
              ids.splice(to, 0, moved);
              const next = ids.slice(1);
              setOrder(next);
              saveView({ field_order: next });
            }}
            onHeaderMenuClick={(col, bounds) => {
              const field = columns[col];
              if (onHeaderMenu && field) onHeaderMenu({ fieldId: field.id, columnIds: columns.map((c) => c.id), bounds });
              else setHeaderMenu({ col, bounds });
            }}
            onCellActivated={([col, row]) => {
              const entry = layout.at(row);
              if (entry?.kind === "group") {
                toggleGroup(entry.value);
                return;
              }
              const field = columns[col];
              const record = recordAt(row);
              if (!field || !record || fieldKind(field).editor !== "attachment") return;
              if (onAttachmentCell) onAttachmentCell(record, field);
              else setExpanded(record);
            }}
            onDragOverCell={
              cellDrops
                ? ([col, row]) => {
                    const field = columns[col];
                    const into = canEdit && field && recordAt(row) && fieldKind(field).editor === "attachment";
                    cellDrops.dragOverCell(into ? { fieldName: field.name } : null);
                  }
                : undefined
            }
            onDrop={
              cellDrops
                ? ([col, row], data) => {
                    const field = columns[col];
                    const record = recordAt(row);
                    // Other cells leave the drop to the page around the grid (new records per file).
                    if (canEdit && field && record && fieldKind(field).editor === "attachment" && data?.files.length) {
                      cellDrops.dropOnCell(record.id, field.id, Array.from(data.files));
                    }
                  }
                : undefined
            }
          />
          {headerMenu && (
            <DropdownMenu open onOpenChange={(open) => !open && setHeaderMenu(null)}>
              <DropdownMenuTrigger asChild>
                <span
                  aria-hidden="true"
                  className="fixed"
                  style={{ left: headerMenu.bounds.x, top: headerMenu.bounds.y + headerMenu.bounds.height, width: 1, height: 1 }}
                />
              </DropdownMenuTrigger>
              <DropdownMenuContent align="start">
                <DropdownMenuLabel>{columns[headerMenu.col]?.name}</DropdownMenuLabel>
                <DropdownMenuSeparator />
                <DropdownMenuItem
                  disabled={headerMenu.col === 0 || !canEdit}
                  onSelect={() => {
                    const id = columns[headerMenu.col]?.id;
                    if (!id) return;
                    const next = [...effectiveHidden, id];
                    setHidden(next);
                    saveView({ hidden_fields: next });
                  }}
                >
                  Hide field
                </DropdownMenuItem>
              </DropdownMenuContent>
            </DropdownMenu>
          )}
        </div>
      </div>
      <ConflictDialog conflict={edits.conflict} onResolve={(choice) => void edits.resolveConflict(choice)} />
      {expanded && (
        <Suspense fallback={null}>
          <RecordPanel
            tableId={tableId}
            record={cache.row(cache.indexOf(expanded.id)) ?? expanded}
            fields={columns.concat(allFields.filter((f) => !columns.includes(f)))}
            canEdit={canEdit}
            onClose={() => setExpanded(null)}
            onEdit={edits.editCell}
            onRecord={(record) => {
              cache.replace(record);
              rows.touch();
            }}
          />
        </Suspense>
      )}
    </GridContext.Provider>
  );
}
