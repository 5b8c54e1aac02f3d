import { describe, expect, it } from "vitest";

import { cardWindow } from "@/features/kanban/lib/card-window";

describe("cardWindow", () => {
  const heights = (n: number, h = 100) => Array.from({ length: n }, () => h);

  it("renders the cards in view plus the margin, spacers for the rest", () => {
    expect(cardWindow(heights(500), 0, 600, { overscan: 200 })).toEqual({ start: 0, end: 8, before: 0, after: 49_200 });
    // Scrolled to 10,000 px: cards 98 to 108 (margin 200 px either side).
    expect(cardWindow(heights(500), 10_000, 600, { overscan: 200 })).toEqual({ start: 98, end: 108, before: 9_800, after: 39_200 });
  });

  it("keeps the total height whatever the scroll", () => {
    for (const top of [0, 3_333, 25_000, 49_400, 60_000]) {
      const w = cardWindow(heights(500), top, 600);
      let rendered = 0;
      for (let i = w.start; i < w.end; i += 1) rendered += 100;
      expect(w.before + rendered + w.after).toBe(50_000);
    }
  });

  it("uses measured heights and an estimate for the others", () => {
    const measured = [50, 50, undefined, 200];
    expect(cardWindow(measured, 0, 100, { overscan: 0, estimate: 80 })).toEqual({ start: 0, end: 2, before: 0, after: 280 });
    expect(cardWindow(measured, 120, 10, { overscan: 0, estimate: 80 })).toEqual({ start: 2, end: 3, before: 100, after: 200 });
  });

  it("renders something before the stack is laid out, and nothing for an empty stack", () => {
    expect(cardWindow(heights(50), 0, 0, { overscan: 0, fallbackViewport: 300 })).toMatchObject({ start: 0, end: 3 });
    expect(cardWindow([], 0, 500)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});
