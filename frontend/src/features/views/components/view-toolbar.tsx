// The view's toolbar: filter (tree builder), sort (several fields), group (up to three levels) and
// the record count on request. Every change is saved in the view (PATCH /views/{id}); the grid
// reads the view and reloads. Filters save after a short pause in typing.
import { useQuery } from "@tanstack/react-query";
import { Filter, Group, Hash, ListOrdered } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { FilterBuilder } from "@/features/views/components/filter-builder";
import { SortEditor } from "@/features/views/components/sort-editor";
import { countRecords, fieldTypesQuery, type View } from "@/features/views/api/views";
import { useSaveView } from "@/features/views/hooks/use-save-view";
import {
  addChild,
  condition,
  countConditions,
  fromApiFilter,
  toApiFilter,
  type FilterGroup,
} from "@/features/views/lib/filter-tree";
import { defaultValue, operatorsFor, valueKind } from "@/features/views/lib/operators";
import { MAX_GROUPS, MAX_SORTS, readKeys, type SortKey } from "@/features/views/lib/sorts";
import { errorMessage } from "@/lib/api/errors";
import type { FieldDef } from "@/types/api";

const FILTER_SAVE_DELAY_MS = 600;

export interface FilterRequest {
  fieldId: string;
  /** Changes on every request, so asking twice for the same field adds two conditions. */
  nonce: number;
}

export function ViewToolbar({
  tableId,
  view,
  fields,
  canEdit,
  filterRequest,
}: {
  tableId: string;
  view: View;
  fields: FieldDef[];
  canEdit: boolean;
  /** "Filter by this field" from a column menu: open the builder with a condition on it. */
  filterRequest?: FilterRequest | null;
}) {
  const catalog = useQuery(fieldTypesQuery());
  const saveView = useSaveView(tableId);
  const config = view.config as { filters?: unknown; sorts?: unknown; group_by?: unknown };
  const sorts = readKeys(config.sorts);
  const groups = readKeys(config.group_by);

  // The builder keeps incomplete conditions locally; only complete ones are saved.
  const [tree, setTree] = useState<FilterGroup>(() => fromApiFilter(config.filters));
  const [filterOpen, setFilterOpen] = useState(false);
  const savedFilter = JSON.stringify(config.filters ?? null);
  const lastSaved = useRef(savedFilter);
  useEffect(() => {
    // Another tab or person changed the filters: show theirs. Our own save coming back (perhaps
    // spelled differently) keeps the tree as it is, with its drafts and the input being typed in.
    lastSaved.current = savedFilter;
    const saved = fromApiFilter(config.filters);
    setTree((current) => (JSON.stringify(toApiFilter(current)) === JSON.stringify(toApiFilter(saved)) ? current : saved));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [savedFilter]);
  useEffect(() => {
    setTree(fromApiFilter(config.filters));
    lastSaved.current = JSON.stringify(config.filters ?? null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.id]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const changeTree = (next: FilterGroup) => {
    setTree(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const filters = toApiFilter(next);
      const text = JSON.stringify(filters);
      if (text === lastSaved.current) return;
      lastSaved.current = text;
      void saveView(view, { config: { filters } });
    }, FILTER_SAVE_DELAY_MS);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (!filterRequest) return;
    const field = fields.find((f) => f.id === filterRequest.fieldId);
    if (!field) return;
    const op = operatorsFor(field, catalog.data)[0];
    if (!op) return;
    setTree((current) => addChild(current, current.id, condition(field.id, op, defaultValue(valueKind(field, op)))));
    setFilterOpen(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterRequest?.nonce]);

  const [count, setCount] = useState<{ value: number | null; error: string | null; pending: boolean }>({ value: null, error: null, pending: false });
  const revision = JSON.stringify([config.filters ?? null, view.id]);
  useEffect(() => setCount({ value: null, error: null, pending: false }), [revision]);

  const filterCount = countConditions(tree);
  const saveKeys = (key: "sorts" | "group_by", next: SortKey[]) => void saveView(view, { config: { [key]: next } });

  return (
    <div className="flex flex-wrap items-center gap-1" data-testid="view-toolbar">
      <Popover open={filterOpen} onOpenChange={setFilterOpen}>
        <PopoverTrigger asChild>
          <Button size="sm" variant={filterCount ? "secondary" : "ghost"} data-testid="filter-button">
            <Filter className="h-4 w-4" /> {filterCount ? `Filtered by ${filterCount}` : "Filter"}
          </Button>
        </PopoverTrigger>
        <PopoverContent align="start" className="w-auto min-w-[28rem] max-w-[90vw]">
          <FilterBuilder fields={fields} catalog={catalog.data} value={tree} onChange={changeTree} disabled={!canEdit} />
        </PopoverContent>
      </Popover>
      <Popover>
        <PopoverTrigger asChild>
          <Button size="sm" variant={sorts.length ? "secondary" : "ghost"} data-testid="sort-button">
            <ListOrdered className="h-4 w-4" /> {sorts.length ? `Sorted by ${sorts.length} field${sorts.length === 1 ? "" : "s"}` : "Sort"}
          </Button>
        </PopoverTrigger>
        <PopoverContent align="start" className="w-auto min-w-[26rem]">
          <SortEditor fields={fields} value={sorts} onChange={(next) => saveKeys("sorts", next)} max={MAX_SORTS} noun="sort" disabled={!canEdit} />
        </PopoverContent>
      </Popover>
      <Popover>
        <PopoverTrigger asChild>
          <Button size="sm" variant={groups.length ? "secondary" : "ghost"} data-testid="group-button">
            <Group className="h-4 w-4" /> {groups.length ? `Grouped by ${groups.length} field${groups.length === 1 ? "" : "s"}` : "Group"}
          </Button>
        </PopoverTrigger>
        <PopoverContent align="start" className="w-auto min-w-[26rem]">
          <SortEditor fields={fields} value={groups} onChange={(next) => saveKeys("group_by", next)} max={MAX_GROUPS} noun="group" disabled={!canEdit} />
          <p className="mt-2 text-xs text-muted-foreground">Records come in group order, groups first, then the sorts.</p>
        </PopoverContent>
      </Popover>
      <Button
        size="sm"
        variant="ghost"
        data-testid="count-records"
        disabled={count.pending}
        onClick={() => {
          setCount({ value: null, error: null, pending: true });
          countRecords(tableId, view.id)
            .then((value) => setCount({ value, error: null, pending: false }))
            .catch((error: unknown) => setCount({ value: null, error: errorMessage(error), pending: false }));
        }}
      >
        <Hash className="h-4 w-4" />
        <span aria-live="polite">
          {count.pending
            ? "Counting…"
            : count.value !== null
              ? `${count.value.toLocaleString()} record${count.value === 1 ? "" : "s"}`
              : count.error
                ? "Count failed: retry"
                : "Count records"}
        </span>
      </Button>
    </div>
  );
}
