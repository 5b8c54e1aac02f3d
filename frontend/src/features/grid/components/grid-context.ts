// What overlay editors need from the grid (they get only the cell from glide).
import { createContext, useContext } from "react";

import type { FieldDef } from "@/types/api";

export interface GridContextValue {
  tableId: string;
  fieldsById: Map<string, FieldDef>;
  canEdit: boolean;
}

export const GridContext = createContext<GridContextValue | null>(null);

export function useGridContext(): GridContextValue {
  const value = useContext(GridContext);
  if (!value) throw new Error("useGridContext must be used inside the grid");
  return value;
}
