// Which cards of a long stack to render: the ones in the stack's scrolled viewport plus a margin,
// with the height of those above and below kept by two spacers. A stack of 500+ cards then mounts
// a few dozen (showing more, or starting a drag, re-renders only those), while the scrollbar keeps
// the size of the whole list. Heights are the cards' measured ones, an estimate until measured.

export interface CardWindow {
  /** First and one-past-last index of the cards to render. */
  start: number;
  end: number;
  /** Height of the cards above `start` and below `end` (px). */
  before: number;
  after: number;
}

/**
 * `heights[i]` is card i's height including its spacing (undefined: not measured yet, `estimate`
 * is used). `viewport` 0 (not laid out yet) counts as `fallbackViewport`.
 */
export function cardWindow(
  heights: (number | undefined)[],
  scrollTop: number,
  viewport: number,
  { estimate = 90, overscan = 400, fallbackViewport = 800 } = {},
): CardWindow {
  const count = heights.length;
  const top = Math.max(0, scrollTop - overscan);
  const bottom = Math.max(0, scrollTop) + (viewport > 0 ? viewport : fallbackViewport) + overscan;
  let offset = 0;
  let start = count;
  let before = 0;
  let end = count;
  for (let i = 0; i < count; i += 1) {
    const height = heights[i] ?? estimate;
    if (start === count && offset + height > top) {
      start = i;
      before = offset;
    }
    if (offset >= bottom) {
      end = i;
      break;
    }
    offset += height;
  }
  if (start === count) before = offset;
  let after = 0;
  for (let i = end; i < count; i += 1) after += heights[i] ?? estimate;
  return { start: Math.min(start, end), end, before, after };
}
