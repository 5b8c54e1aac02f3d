import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ConflictDialog } from "@/features/grid/components/conflict-dialog";
import type { FieldDef } from "@/types/api";

const qty: FieldDef = {
  id: "fldQty",
  table_id: "tbl",
  name: "Qty",
  type: "number",
  options: { precision: 1 },
  description: null,
  position: 1,
  read_only: false,
};

describe("ConflictDialog", () => {
  it("shows both values formatted by type and reports the choice", async () => {
    const onResolve = vi.fn();
    render(
      <ConflictDialog
        conflict={{
          field: qty,
          conflict: {
            recordId: "rec1",
            mine: { fldQty: 555 },
            theirs: { id: "rec1", version: 3, created_at: "", updated_at: "", fields: { fldQty: 777 } },
            fieldIds: ["fldQty"],
          },
        }}
        onResolve={onResolve}
      />,
    );
    expect(screen.getByRole("dialog", { name: "Someone else changed Qty" })).toBeInTheDocument();
    expect(screen.getByTestId("conflict-theirs")).toHaveTextContent("777.0");
    expect(screen.getByTestId("conflict-mine")).toHaveTextContent("555.0");
    await userEvent.click(screen.getByRole("button", { name: "Keep mine" }));
    expect(onResolve).toHaveBeenLastCalledWith("mine");
    await userEvent.click(screen.getByRole("button", { name: "Take theirs" }));
    expect(onResolve).toHaveBeenLastCalledWith("theirs");
  });

  it("renders nothing without a conflict", () => {
    render(<ConflictDialog conflict={null} onResolve={() => undefined} />);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
