// Button cells: the field's label drawn as a button that opens the cell's URL in a new tab. A cell
// without a URL (the formula gave nothing) is drawn greyed and does nothing when clicked.
import { GridCellKind, type CustomCell, type CustomRenderer } from "@glideapps/glide-data-grid";

export interface ButtonData {
  kind: "button-cell";
  label: string;
  url: string | null;
}

export type ButtonCell = CustomCell<ButtonData>;

export function isButtonCell(cell: { kind: string; data?: unknown }): cell is ButtonCell {
  return (
    cell.kind === GridCellKind.Custom &&
    typeof cell.data === "object" &&
    cell.data !== null &&
    (cell.data as { kind?: unknown }).kind === "button-cell"
  );
}

const HEIGHT = 22;
const PAD_X = 10;

/** Where the button sits in a cell (also where a click counts). */
export function buttonRect(
  rect: { x: number; y: number; width: number; height: number },
  textWidth: number,
  padding: number,
): { x: number; y: number; width: number; height: number } {
  const width = Math.min(textWidth + PAD_X * 2, Math.max(0, rect.width - padding * 2));
  return { x: rect.x + padding, y: rect.y + (rect.height - HEIGHT) / 2, width, height: HEIGHT };
}

/** Opens the URL in a new tab, without giving that page a handle on this one. */
export function openButtonUrl(url: string | null): boolean {
  if (!url) return false;
  window.open(url, "_blank", "noopener,noreferrer");
  return true;
}

export const buttonRenderer: CustomRenderer<ButtonCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is ButtonCell => isButtonCell(cell),
  needsHover: true,
  draw: (args, cell) => {
    const { ctx, rect, theme, hoverAmount } = args;
    const enabled = cell.data.url !== null;
    ctx.save();
    ctx.font = `12px ${theme.fontFamily}`;
    const box = buttonRect(rect, ctx.measureText(cell.data.label).width, theme.cellHorizontalPadding);
    ctx.beginPath();
    ctx.rect(rect.x, rect.y, rect.width, rect.height);
    ctx.clip();
    ctx.globalAlpha = enabled ? 1 : 0.45;
    ctx.fillStyle = enabled && hoverAmount > 0 ? theme.bgBubbleSelected : theme.bgBubble;
    ctx.strokeStyle = theme.borderColor;
    ctx.beginPath();
    ctx.roundRect(box.x, box.y, box.width, box.height, 4);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = enabled ? theme.accentColor : theme.textLight;
    ctx.textBaseline = "middle";
    ctx.fillText(cell.data.label, box.x + PAD_X, box.y + box.height / 2);
    ctx.restore();
    if (enabled) args.overrideCursor?.(hoverAmount > 0 ? "pointer" : undefined);
    return true;
  },
  onClick: (args) => {
    if (openButtonUrl(args.cell.data.url)) args.preventDefault();
    return undefined;
  },
  onPaste: () => undefined,
  onDelete: () => undefined,
};
