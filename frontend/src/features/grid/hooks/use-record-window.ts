// The rows the grid shows, fetched page by page around the visible window (see lib/page-cache.ts).
import { useCallback, useEffect, useRef, useState } from "react";

import { fetchPage, PAGE_SIZE } from "@/features/grid/api/records";
import { overscanFor, PageCache } from "@/features/grid/lib/page-cache";

const MAX_IN_FLIGHT = 4;
// A scrollbar dragged across 60,000 rows passes through many windows; fetch where it settles.
const SETTLE_MS = 60;
// Pages drawn through onRows still re-render the screen once they stop arriving: the grid's
// accessible table (what screen readers read) is built in render.
const QUIET_MS = 100;

export interface RecordWindow {
  cache: PageCache;
  /** Bumped when the row count is learnt or rows change (edits, reloads), so the grid redraws. A page
   * that arrives while scrolling is reported to `onRows` instead (when given): no re-render. */
  version: number;
  error: unknown;
  /** The grid's visible rows changed. */
  show: (first: number, last: number) => void;
  /** Load rows [first, last] (a paste far below) and resolve when they are in. */
  ensureRows: (first: number, last: number) => Promise<void>;
  /** Forget everything and load the visible window again (with a fresh count). */
  reload: () => void;
  /** Rows were changed in place (edits): redraw. */
  touch: () => void;
}

/** `revision` names what decides which rows come back and in which order (view filters, sorts,
 * hidden fields): a new revision starts over. `onPosition` gets the change log position of the first
 * page each fresh cache receives, so live updates can be caught up from the moment of that read.
 * `onRows(first, last)` gets the visible rows a page just brought (the grid redraws those cells alone). */
export function useRecordWindow(
  tableId: string,
  viewId: string | undefined,
  enabled: boolean,
  revision = "",
  onPosition?: (eventId: number) => void,
  onRows?: (first: number, last: number) => void,
): RecordWindow {
  const cacheRef = useRef(new PageCache(PAGE_SIZE));
  // The cache and generation (reload) that already reported its position.
  const positioned = useRef<{ cache: PageCache; generation: number } | null>(null);
  const onPositionRef = useRef(onPosition);
  onPositionRef.current = onPosition;
  const onRowsRef = useRef(onRows);
  onRowsRef.current = onRows;
  const windowRef = useRef({ first: 0, last: 60 });
  // Last scroll direction (1 down, -1 up): pages ahead of it are fetched before they show.
  const direction = useRef(0);
  const inFlight = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const quiet = useRef<ReturnType<typeof setTimeout> | null>(null);
  const waiters = useRef(new Set<() => void>());
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const touch = useCallback(() => setVersion((v) => v + 1), []);

  const pump = useCallback(() => {
    if (!enabled) return;
    const cache = cacheRef.current;
    const { first, last } = windowRef.current;
    for (const page of cache.missing(first, last, overscanFor(direction.current))) {
      if (inFlight.current >= MAX_IN_FLIGHT) break;
      const generation = cache.generation;
      const request = cache.request(page);
      cache.markLoading(page);
      inFlight.current += 1;
      const count = page === 0 || cache.total === null || cache.countStale;
      if (count) cache.countStale = false;
      fetchPage(tableId, request, { viewId, count })
        .then((result) => {
          const sizeBefore = cache.total;
          if (cacheRef.current === cache && cache.store(page, result, generation)) {
            const done = positioned.current;
            if ((done?.cache !== cache || done.generation !== generation) && typeof result.event_id === "number") {
              positioned.current = { cache, generation };
              onPositionRef.current?.(result.event_id);
            }
            setError(null);
            const report = onRowsRef.current;
            // A counted page (the first, or after a reload) may change the size or the groups: re-render.
            if (!report || typeof result.total === "number" || cache.total !== sizeBefore) {
              setVersion((v) => v + 1);
            } else {
              // Only the visible part of the page needs drawing; the rest is drawn when scrolled to.
              const [from, to] = cache.rowsOf(page);
              const shown = windowRef.current;
              const a = Math.max(from, shown.first);
              const b = Math.min(to, shown.last);
              if (a <= b) report(a, b);
              if (quiet.current) clearTimeout(quiet.current);
              quiet.current = setTimeout(() => {
                quiet.current = null;
                setVersion((v) => v + 1);
              }, QUIET_MS);
            }
          }
        })
        .catch((cause: unknown) => {
          cache.markFailed(page);
          if (count) cache.countStale = true;
          if (cacheRef.current === cache) setError(cause);
        })
        .finally(() => {
          inFlight.current -= 1;
          for (const wake of [...waiters.current]) wake();
          if (cacheRef.current === cache) pump();
        });
    }
    // revision: a new one gives a new pump, so the effect below starts a fresh cache.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, tableId, viewId, revision]);

  const show = useCallback(
    (first: number, last: number) => {
      if (first !== windowRef.current.first) direction.current = Math.sign(first - windowRef.current.first);
      windowRef.current = { first, last };
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      const cache = cacheRef.current;
      // Scrolling on from loaded rows: fetch now (keyset). A jump far away waits for the scrollbar to settle.
      if (cache.total !== null && cache.continues(cache.missing(first, last, overscanFor(direction.current)))) pump();
      else timer.current = setTimeout(pump, SETTLE_MS);
    },
    [pump],
  );

  const ensureRows = useCallback(
    (first: number, last: number) =>
      new Promise<void>((resolve, reject) => {
        const cache = cacheRef.current;
        const check = () => {
          const total = cache.total ?? 0;
          const end = Math.min(last, total - 1);
          let missing = false;
          for (let page = Math.floor(first / cache.pageSize); page * cache.pageSize <= end; page += 1) {
            if (!cache.hasPage(page)) {
              missing = true;
              if (!cache.isLoading(page)) {
                const generation = cache.generation;
                cache.markLoading(page);
                fetchPage(tableId, cache.request(page), { viewId })
                  .then((result) => {
                    cache.store(page, result, generation);
                    setVersion((v) => v + 1);
                    check();
                  })
                  .catch((cause: unknown) => {
                    cache.markFailed(page);
                    waiters.current.delete(check);
                    reject(cause);
                  });
              }
            }
          }
          if (!missing) {
            waiters.current.delete(check);
            resolve();
          }
        };
        waiters.current.add(check);
        check();
      }),
    [tableId, viewId],
  );

  const reload = useCallback(() => {
    cacheRef.current.clear();
    setVersion((v) => v + 1);
    pump();
  }, [pump]);

  useEffect(() => {
    // A new view revision (filters, sorts, hidden fields) starts over, keeping the old count until
    // the new one arrives so the grid does not collapse to 0 rows and lose its scroll position.
    const previous = cacheRef.current;
    const next = new PageCache(PAGE_SIZE);
    if (previous.total !== null) {
      next.total = previous.total;
      next.countStale = true;
    }
    cacheRef.current = next;
    setVersion((v) => v + 1);
    setError(null);
    pump();
    return () => {
      if (timer.current) clearTimeout(timer.current);
      if (quiet.current) clearTimeout(quiet.current);
    };
  }, [pump]);

  return { cache: cacheRef.current, version, error, show, ensureRows, reload, touch };
}
