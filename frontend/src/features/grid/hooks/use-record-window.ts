// The rows the grid shows, fetched page by page around the visible window (see lib/page-cache.ts).
import { useCallback, useEffect, useRef, useState } from "react";

import { fetchPage, PAGE_SIZE } from "@/features/grid/api/records";
import { PageCache } from "@/features/grid/lib/page-cache";

const MAX_IN_FLIGHT = 4;
// A scrollbar dragged across 60,000 rows passes through many windows; fetch where it settles.
const SETTLE_MS = 60;

export interface RecordWindow {
  cache: PageCache;
  /** Bumped whenever rows change, so the grid redraws. */
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
 * page each fresh cache receives, so live updates can be caught up from the moment of that read. */
export function useRecordWindow(
  tableId: string,
  viewId: string | undefined,
  enabled: boolean,
  revision = "",
  onPosition?: (eventId: number) => void,
): RecordWindow {
  const cacheRef = useRef(new PageCache(PAGE_SIZE));
  // The cache and generation (reload) that already reported its position.
  const positioned = useRef<{ cache: PageCache; generation: number } | null>(null);
  const onPositionRef = useRef(onPosition);
  onPositionRef.current = onPosition;
  const windowRef = useRef({ first: 0, last: 60 });
  const inFlight = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const waiters = useRef(new Set<() => void>());
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const touch = useCallback(() => setVersion((v) => v + 1), []);

  const pump = useCallback(() => {
    if (!enabled) return;
    const cache = cacheRef.current;
    const { first, last } = windowRef.current;
    for (const page of cache.missing(first, last)) {
      if (inFlight.current >= MAX_IN_FLIGHT) break;
      const generation = cache.generation;
      const request = cache.request(page);
      cache.markLoading(page);
      inFlight.current += 1;
      const count = page === 0 || cache.total === null || cache.countStale;
      if (count) cache.countStale = false;
      fetchPage(tableId, request, { viewId, count })
        .then((result) => {
          if (cacheRef.current === cache && cache.store(page, result, generation)) {
            const done = positioned.current;
            if ((done?.cache !== cache || done.generation !== generation) && typeof result.event_id === "number") {
              positioned.current = { cache, generation };
              onPositionRef.current?.(result.event_id);
            }
            setError(null);
            setVersion((v) => v + 1);
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
      windowRef.current = { first, last };
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(pump, SETTLE_MS);
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
    };
  }, [pump]);

  return { cache: cacheRef.current, version, error, show, ensureRows, reload, touch };
}
