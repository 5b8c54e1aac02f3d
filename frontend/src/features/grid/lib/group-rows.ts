// Group header rows in a grid that pages records by position. The API tells every group of the
// view's first grouping key in listing order with its size (`group_counts` on a counted page), so
// the grid places a header before each group's rows by arithmetic alone: display row <-> record
// position, collapsed groups taking no rows, and no page loaded for that.

export interface GroupCount {
  value: unknown;
  count: number;
}

export interface GroupCounts {
  field_id: string;
  groups: GroupCount[];
  truncated: boolean;
}

export type DisplayRow =
  | { kind: "group"; group: number; value: unknown; count: number; collapsed: boolean }
  | { kind: "record"; index: number };

/** A group's identity across reloads (its value). */
export const groupKey = (value: unknown): string => JSON.stringify(value ?? null);

/** Largest i with list[i] <= x (list ascending, list[0] <= x). */
function floorIndex(list: number[], x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((list[mid] ?? 0) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class RowLayout {
  /** Whether headers are shown (the counts are usable); otherwise display rows are record positions. */
  readonly grouped: boolean;
  readonly displayCount: number;
  private readonly groups: GroupCount[];
  private readonly collapsed: boolean[];
  /** Display row of each group's header. */
  private readonly headerAt: number[] = [];
  /** Record position of each group's first row. */
  private readonly recordStart: number[] = [];

  constructor(counts: GroupCounts | null, total: number, collapsedKeys: ReadonlySet<string> = new Set()) {
    const groups = counts?.groups ?? [];
    const sum = groups.reduce((n, g) => n + g.count, 0);
    // Counts that do not add up to the row count (a list cut at 1,000 groups) cannot place rows.
    this.grouped = counts !== null && !counts.truncated && groups.length > 0 && sum === total;
    this.groups = this.grouped ? groups : [];
    this.collapsed = this.groups.map((g) => collapsedKeys.has(groupKey(g.value)));
    let display = 0;
    let record = 0;
    this.groups.forEach((group, i) => {
      this.headerAt.push(display);
      this.recordStart.push(record);
      display += 1 + (this.collapsed[i] ? 0 : group.count);
      record += group.count;
    });
    this.displayCount = this.grouped ? display : total;
  }

  at(row: number): DisplayRow | undefined {
    if (row < 0 || row >= this.displayCount) return undefined;
    if (!this.grouped) return { kind: "record", index: row };
    const i = floorIndex(this.headerAt, row);
    const group = this.groups[i] as GroupCount;
    const header = this.headerAt[i] as number;
    if (row === header) return { kind: "group", group: i, value: group.value, count: group.count, collapsed: this.collapsed[i] === true };
    return { kind: "record", index: (this.recordStart[i] as number) + row - header - 1 };
  }

  /** The record position shown at a display row, or -1 for a header. */
  recordIndex(row: number): number {
    const entry = this.at(row);
    return entry?.kind === "record" ? entry.index : -1;
  }

  /** Where a record position is shown, or -1 when its group is collapsed. */
  displayOf(index: number): number {
    if (!this.grouped) return index;
    if (index < 0) return -1;
    const i = floorIndex(this.recordStart, index);
    if (this.collapsed[i]) return -1;
    return (this.headerAt[i] as number) + 1 + index - (this.recordStart[i] as number);
  }

  /**
   * The record positions shown in display rows [first, last], as runs [from, to] in order (collapsed
   * groups in between take none), so only rows on screen are loaded.
   */
  segments(first: number, last: number): [number, number][] {
    const from = Math.max(0, first);
    // Without groups the window passes as it is: the row count may not be known yet.
    if (!this.grouped) return last < from ? [] : [[from, last]];
    const to = Math.min(last, this.displayCount - 1);
    if (to < from) return [];
    const out: [number, number][] = [];
    for (let i = floorIndex(this.headerAt, from); i < this.groups.length && (this.headerAt[i] as number) <= to; i += 1) {
      if (this.collapsed[i]) continue;
      const header = this.headerAt[i] as number;
      const firstRow = Math.max(from, header + 1);
      const lastRow = Math.min(to, header + (this.groups[i] as GroupCount).count);
      if (lastRow < firstRow) continue;
      const a = (this.recordStart[i] as number) + firstRow - header - 1;
      const b = (this.recordStart[i] as number) + lastRow - header - 1;
      const previous = out[out.length - 1];
      if (previous && previous[1] + 1 === a) previous[1] = b;
      else out.push([a, b]);
    }
    return out;
  }

  /** The headers, for tests and screen readers: [{row, value, count, collapsed}]. */
  headers(): { row: number; value: unknown; count: number; collapsed: boolean }[] {
    return this.groups.map((g, i) => ({ row: this.headerAt[i] as number, value: g.value, count: g.count, collapsed: this.collapsed[i] === true }));
  }
}
