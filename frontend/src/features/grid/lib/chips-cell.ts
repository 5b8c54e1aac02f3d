// A canvas cell drawing values as coloured chips: select options in their colours, linked records and
// users in grey. Editing opens an overlay editor the grid provides (see components/cell-editors.tsx).
import { GridCellKind, type CustomCell, type CustomRenderer } from "@glideapps/glide-data-grid";

export interface Chip {
  label: string;
  color: string;
}

export interface ChipsData {
  kind: "chips-cell";
  chips: Chip[];
  /** The field the cell belongs to: the editor needs its options. */
  fieldId: string;
  /** The record, for link pickers and uploads. */
  recordId: string;
  /** The API value (select names, linked {id, name}s). */
  value: unknown;
}

export type ChipsCell = CustomCell<ChipsData>;

export function isChipsCell(cell: { kind: string; data?: unknown }): cell is ChipsCell {
  return (
    cell.kind === GridCellKind.Custom &&
    typeof cell.data === "object" &&
    cell.data !== null &&
    (cell.data as { kind?: unknown }).kind === "chips-cell"
  );
}

const PAD_X = 6;
const GAP = 4;
const HEIGHT = 20;

export const chipsRenderer: CustomRenderer<ChipsCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is ChipsCell => isChipsCell(cell),
  draw: (args, cell) => {
    const { ctx, rect, theme } = args;
    const y = rect.y + Math.min(8, (rect.height - HEIGHT) / 2);
    let x = rect.x + theme.cellHorizontalPadding;
    const right = rect.x + rect.width - theme.cellHorizontalPadding;
    ctx.save();
    ctx.beginPath();
    ctx.rect(rect.x, rect.y, rect.width, rect.height);
    ctx.clip();
    ctx.font = `12px ${theme.fontFamily}`;
    ctx.textBaseline = "middle";
    for (const chip of cell.data.chips) {
      if (x >= right) break;
      const width = ctx.measureText(chip.label).width + PAD_X * 2;
      ctx.fillStyle = chip.color;
      ctx.beginPath();
      ctx.roundRect(x, y, width, HEIGHT, HEIGHT / 2);
      ctx.fill();
      ctx.fillStyle = theme.textDark;
      ctx.fillText(chip.label, x + PAD_X, y + HEIGHT / 2);
      x += width + GAP;
    }
    ctx.restore();
    return true;
  },
  onPaste: () => undefined,
  // Delete/Backspace on a chip cell clears it.
  onDelete: (cell) => ({ ...cell, data: { ...cell.data, value: null, chips: [] } }),
};
