import { afterEach, describe, expect, it, vi } from "vitest";

import { buttonRect, buttonRenderer, openButtonUrl, type ButtonCell } from "@/features/grid/lib/button-cell";
import { GridCellKind } from "@glideapps/glide-data-grid";

const cell = (url: string | null): ButtonCell => ({
  kind: GridCellKind.Custom,
  allowOverlay: false,
  copyData: url ?? "",
  data: { kind: "button-cell", label: "Open", url },
});

describe("button cells", () => {
  afterEach(() => vi.restoreAllMocks());

  it("open their URL in a new tab on click and do nothing without one", () => {
    const open = vi.spyOn(window, "open").mockReturnValue(null);
    const prevent = vi.fn();
    const click = (c: ButtonCell) => buttonRenderer.onClick?.({ cell: c, preventDefault: prevent } as never);
    click(cell("https://example.com/a"));
    expect(open).toHaveBeenCalledWith("https://example.com/a", "_blank", "noopener,noreferrer");
    expect(prevent).toHaveBeenCalledTimes(1);
    click(cell(null));
    expect(open).toHaveBeenCalledTimes(1);
    expect(openButtonUrl(null)).toBe(false);
  });

  it("sit inside the cell's padding, however long the label", () => {
    expect(buttonRect({ x: 0, y: 0, width: 200, height: 34 }, 30, 8)).toEqual({ x: 8, y: 6, width: 50, height: 22 });
    expect(buttonRect({ x: 0, y: 0, width: 60, height: 34 }, 300, 8).width).toBe(44);
  });
});
