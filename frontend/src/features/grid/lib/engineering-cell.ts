// Engineering cells (dimension, thread, material, surface finish): drawn as text, edited with the
// engineering editor (components/engineering-editor.tsx), which reads the text as it is typed.
import { drawTextCell, GridCellKind, type CustomCell, type CustomRenderer } from "@glideapps/glide-data-grid";

export interface EngineeringData {
  kind: "engineering-cell";
  /** What the cell shows; after an edit, the text to send (the write's typecast parses it). */
  text: string;
  /** The field's name (the editor's label), type and options (which reader, a dimension's default unit). */
  fieldName: string;
  fieldType: string;
  options: Record<string, unknown>;
}

export type EngineeringCell = CustomCell<EngineeringData>;

export function isEngineeringCell(cell: { kind: string; data?: unknown }): cell is EngineeringCell {
  return (
    cell.kind === GridCellKind.Custom &&
    typeof cell.data === "object" &&
    cell.data !== null &&
    (cell.data as { kind?: unknown }).kind === "engineering-cell"
  );
}

export const engineeringRenderer: CustomRenderer<EngineeringCell> = {
  kind: GridCellKind.Custom,
  isMatch: (cell): cell is EngineeringCell => isEngineeringCell(cell),
  draw: (args, cell) => {
    drawTextCell(args, cell.data.text, cell.contentAlign);
    return true;
  },
  // Pasting goes through the grid's own paste (planPaste), which reads the text the same way.
  onPaste: () => undefined,
  onDelete: (cell) => ({ ...cell, data: { ...cell.data, text: "" } }),
};
