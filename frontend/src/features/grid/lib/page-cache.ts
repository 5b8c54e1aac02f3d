// Rows of a table held as fixed-size pages by position, for a virtual grid over 100,000s of records.
//
// The grid knows the row count (count=true on the first page) and asks for whatever rows are visible.
// A page is fetched with the keyset cursor the previous page returned when that page is loaded
// (scrolling down: cheap at any depth), otherwise with ?offset= (a jump, e.g. the scrollbar dragged to
// row 60,000: one OFFSET scan, then keyset again from there). Nothing loads the whole table.
import type { GroupCounts } from "@/features/grid/lib/group-rows";
import type { RecordRow } from "@/types/api";

export interface PageRequest {
  page: number;
  cursor?: string;
  offset?: number;
}

export interface PageResult {
  records: RecordRow[];
  next_cursor: string | null;
  total?: number;
  /** The table's change log position when the page was read (subscribe from it to miss nothing). */
  event_id?: number;
  /** Every group of a grouped view with its size (asked for with the count). */
  group_counts?: GroupCounts;
}

/** Pages to load beyond the visible rows: `before` above them, `after` below. */
export interface Overscan {
  before: number;
  after: number;
}

/**
 * Pages ahead of the scroll: the direction the user scrolls in gets `ahead` pages, the other side
 * one, so rows are usually loaded before they come into view.
 */
export function overscanFor(direction: number, ahead = 3): Overscan {
  if (direction > 0) return { before: 1, after: ahead };
  if (direction < 0) return { before: ahead, after: 1 };
  return { before: 1, after: 1 };
}

/** Page numbers covering rows [first, last] plus `overscan` pages either side, within [0, total). */
export function pagesForWindow(first: number, last: number, pageSize: number, total: number, overscan: number | Overscan = 1): number[] {
  if (total <= 0 || last < first) return [];
  const { before, after } = typeof overscan === "number" ? { before: overscan, after: overscan } : overscan;
  const lastPage = Math.floor((total - 1) / pageSize);
  const from = Math.max(0, Math.floor(Math.max(0, first) / pageSize) - before);
  const to = Math.min(lastPage, Math.floor(Math.min(last, total - 1) / pageSize) + after);
  const pages: number[] = [];
  for (let page = from; page <= to; page += 1) pages.push(page);
  return pages;
}

export class PageCache {
  readonly pageSize: number;
  /** Row count of the filtered table; null until the first page says. */
  total: number | null = null;
  /** The view's groups, from the same read as `total` (null: not grouped). */
  groups: GroupCounts | null = null;
  private readonly pages = new Map<number, RecordRow[]>();
  /** next_cursor returned with page p: the keyset position after its last row. */
  private readonly cursors = new Map<number, string | null>();
  private readonly loading = new Set<number>();
  /** Bumped by clear(): answers to requests sent before it are stale and dropped. */
  generation = 0;
  /** After a clear the count may be off (rows added or removed): the next page asks for it again. */
  countStale = false;

  constructor(pageSize = 100) {
    this.pageSize = pageSize;
  }

  row(index: number): RecordRow | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  hasPage(page: number): boolean {
    return this.pages.has(page);
  }

  isLoading(page: number): boolean {
    return this.loading.has(page);
  }

  /**
   * Pages of the window neither loaded nor loading: the visible ones first (nearest the window's
   * first row first), then the overscan, nearest the visible rows first.
   */
  missing(first: number, last: number, overscan: number | Overscan = 1): number[] {
    if (this.total === null) return this.loading.has(0) ? [] : [0];
    const wanted = pagesForWindow(first, last, this.pageSize, this.total, overscan);
    const top = Math.floor(Math.max(0, first) / this.pageSize);
    const bottom = Math.max(top, Math.floor(Math.max(0, last) / this.pageSize));
    // Distance from the visible pages (0 inside them); inside, from the first visible row.
    const rank = (page: number) => (page < top ? top - page : page > bottom ? page - bottom : 0);
    return wanted
      .filter((page) => !this.pages.has(page) && !this.loading.has(page))
      .sort((a, b) => rank(a) - rank(b) || Math.abs(a - top) - Math.abs(b - top) || a - b);
  }

  /**
   * Whether one of `pages` borders a page that is loaded or loading: the user scrolls on
   * from rows already there (fetch at once, by keyset) rather than jumping far (wait for the
   * scrollbar to settle).
   */
  continues(pages: number[]): boolean {
    const known = (page: number) => this.pages.has(page) || this.loading.has(page);
    return pages.some((page) => known(page - 1) || known(page + 1));
  }

  /** Rows [first, last] of `page` (clipped to the count when known). */
  rowsOf(page: number): [number, number] {
    const first = page * this.pageSize;
    const end = first + this.pageSize - 1;
    return [first, this.total === null ? end : Math.min(end, this.total - 1)];
  }

  /** How to fetch `page`: keyset after the previous page when we have its cursor, else by offset. */
  request(page: number): PageRequest {
    if (page === 0) return { page };
    const cursor = this.cursors.get(page - 1);
    if (cursor) return { page, cursor };
    return { page, offset: page * this.pageSize };
  }

  markLoading(page: number): void {
    this.loading.add(page);
  }

  markFailed(page: number): void {
    this.loading.delete(page);
  }

  store(page: number, result: PageResult, generation = this.generation): boolean {
    if (generation !== this.generation) return false;
    this.loading.delete(page);
    this.pages.set(page, result.records);
    this.cursors.set(page, result.next_cursor);
    if (typeof result.total === "number") {
      this.total = result.total;
      this.groups = result.group_counts ?? null;
      this.countStale = false;
    }
    else if (result.next_cursor === null) {
      // The last page tells the exact count even without count=true; an empty page past the end
      // (rows were removed meanwhile) only says the count is at most its start.
      const derived = page * this.pageSize + result.records.length;
      this.total = result.records.length > 0 || page === 0 ? derived : Math.min(this.total ?? derived, derived);
    }
    return true;
  }

  /**
   * Forget every page (after a refetch, rows added or removed elsewhere). The old count is kept so
   * the grid keeps its size and scroll position while the window reloads; the next page recounts.
   */
  clear(keepTotal = true): void {
    this.generation += 1;
    this.countStale = true;
    this.pages.clear();
    this.cursors.clear();
    this.loading.clear();
    if (!keepTotal) this.total = null;
  }

  /** Position of a loaded record, or -1. */
  indexOf(recordId: string): number {
    for (const [page, rows] of this.pages) {
      const at = rows.findIndex((row) => row.id === recordId);
      if (at >= 0) return page * this.pageSize + at;
    }
    return -1;
  }

  /** Replace a loaded record (an edit here or elsewhere). Returns its position, or -1 if not loaded. */
  replace(record: RecordRow): number {
    for (const [page, rows] of this.pages) {
      const at = rows.findIndex((row) => row.id === record.id);
      if (at >= 0) {
        rows[at] = record;
        return page * this.pageSize + at;
      }
    }
    return -1;
  }

  loadedPages(): number[] {
    return [...this.pages.keys()].sort((a, b) => a - b);
  }
}
