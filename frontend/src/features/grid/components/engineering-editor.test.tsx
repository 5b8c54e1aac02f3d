import { GridCellKind, type ProvideEditorComponent } from "@glideapps/glide-data-grid";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import EngineeringEditor, { EngineeringInput } from "@/features/grid/components/engineering-editor";
import { buildCell } from "@/features/grid/lib/cells";
import { isEngineeringCell, type EngineeringCell } from "@/features/grid/lib/engineering-cell";
import type { FieldDef, RecordRow } from "@/types/api";

type EditorProps = Parameters<ProvideEditorComponent<EngineeringCell>>[0];

const field = (type: string, options: Record<string, unknown> = {}): FieldDef => ({
  id: "fldSize",
  table_id: "tbl",
  name: "Size",
  type,
  options,
  description: null,
  position: 1,
  read_only: false,
});
const record = (value: unknown): RecordRow => ({ id: "rec1", version: 1, created_at: "", updated_at: "", fields: { fldSize: value } });

function cellOf(type: string, value: unknown, options: Record<string, unknown> = {}): EngineeringCell {
  const cell = buildCell(field(type, options), record(value), { canEdit: true });
  if (!isEngineeringCell(cell)) throw new Error(`a ${type} field is not drawn as an engineering cell`);
  return cell;
}

/** The overlay as glide runs it: each change comes back to the editor as its value (undefined: the cell's). */
function Overlay({ cell, initialValue, onChange, onFinishedEditing }: { cell: EngineeringCell; initialValue: string | undefined; onChange: (next: unknown) => void; onFinishedEditing: (...args: unknown[]) => void }) {
  const [held, setHeld] = useState<EngineeringCell | undefined>(undefined);
  const props = {
    value: held ?? cell,
    initialValue,
    onChange: (next: EngineeringCell | undefined) => {
      onChange(next);
      setHeld(next);
    },
    onFinishedEditing,
  } as unknown as EditorProps;
  return <EngineeringEditor {...props} />;
}

/** The overlay editor as glide opens it on `cell`, with its callbacks recorded. */
function openEditor(cell: EngineeringCell, initialValue?: string) {
  const onChange = vi.fn();
  const onFinishedEditing = vi.fn();
  render(<Overlay cell={cell} initialValue={initialValue} onChange={onChange} onFinishedEditing={onFinishedEditing} />);
  return { input: screen.getByRole("textbox"), onChange, onFinishedEditing };
}

describe("engineering cells", () => {
  it("draws dimensions, threads, materials and finishes as engineering cells, editable only by editors", () => {
    const dim = cellOf("dimension", { value: 10.5, unit: "mm", display: "10.5 ±0.1 mm" });
    expect(dim.data).toMatchObject({ kind: "engineering-cell", text: "10.5 ±0.1 mm", fieldName: "Size", fieldType: "dimension" });
    expect(dim.copyData).toBe("10.5 ±0.1 mm");
    expect(cellOf("surface_finish", { parameter: "Ra", value: 1.6, unit: "um" }).data.text).toBe("Ra 1.6 µm");
    expect(cellOf("thread", { designation: "M8x1.25" }).data.text).toBe("M8x1.25");
    expect(cellOf("material", { name: "6061-T6" }).data.text).toBe("6061-T6");
    expect(buildCell(field("thread"), record(null), { canEdit: false })).toMatchObject({ readonly: true });
  });
});

describe("engineering cell editor", () => {
  it("shows the reading while typing and saves text that reads with Enter", async () => {
    const { input, onFinishedEditing } = openEditor(cellOf("dimension", { value: 10, unit: "mm", display: "10 mm" }));
    expect(input).toHaveValue("10 mm");
    expect(input).toHaveFocus();
    expect(screen.getByLabelText("Size")).toBe(input);
    await userEvent.clear(input);
    await userEvent.type(input, "10.50 +/- 0.10");
    expect(screen.getByTestId("structured-reading")).toHaveTextContent("Reads as 10.5 ±0.1 mm");
    expect(input).toHaveAttribute("aria-invalid", "false");
    await userEvent.keyboard("{Enter}");
    expect(onFinishedEditing).toHaveBeenCalledTimes(1);
    const [saved, movement] = onFinishedEditing.mock.calls[0] as [EngineeringCell, unknown];
    expect(saved.data.text).toBe("10.50 +/- 0.10");
    expect(movement).toEqual([0, 1]);
  });

  it("reads in the field's unit", async () => {
    const { input } = openEditor(cellOf("dimension", null, { unit: "in" }));
    await userEvent.type(input, "2 +0.005/-0.002");
    expect(screen.getByTestId("structured-reading")).toHaveTextContent("Reads as 2 +0.005/-0.002 in");
  });

  it("keeps text that does not read in the open editor with its error; Escape cancels", async () => {
    const { input, onChange, onFinishedEditing } = openEditor(cellOf("thread", { designation: "M8x1.25" }));
    await userEvent.clear(input);
    await userEvent.type(input, "#7-32 UNC");
    expect(screen.getByRole("alert")).toHaveTextContent("#7 is not a numbered screw size.");
    expect(input).toHaveAttribute("aria-invalid", "true");
    // What a click outside would save: nothing.
    expect(onChange).toHaveBeenLastCalledWith(undefined);
    await userEvent.keyboard("{Enter}");
    await userEvent.keyboard("{Tab}");
    expect(onFinishedEditing).not.toHaveBeenCalled();
    expect(input).toHaveValue("#7-32 UNC");
    expect(input).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(onFinishedEditing).toHaveBeenCalledWith(undefined, [0, 0]);
  });

  it("saves a correction with Tab, moving right, and lets a click outside save only text that reads", async () => {
    const { input, onChange, onFinishedEditing } = openEditor(cellOf("surface_finish", null), "N");
    expect(input).toHaveValue("N");
    await userEvent.type(input, "7");
    expect(screen.getByTestId("structured-reading")).toHaveTextContent("Reads as Ra 1.6 µm (N7)");
    const held = onChange.mock.lastCall?.[0] as EngineeringCell;
    expect(held.data.text).toBe("N7");
    await userEvent.keyboard("{Tab}");
    expect((onFinishedEditing.mock.calls[0] as [EngineeringCell, unknown])[0].data.text).toBe("N7");
    expect(onFinishedEditing.mock.calls[0]?.[1]).toEqual([1, 0]);
  });

  it("saves an emptied box (the cell is cleared)", async () => {
    const first = openEditor(cellOf("material", { name: "Brass" }));
    await userEvent.clear(first.input);
    expect(screen.queryByRole("alert")).toBeNull();
    await userEvent.keyboard("{Enter}");
    expect((first.onFinishedEditing.mock.calls[0] as [EngineeringCell])[0].data.text).toBe("");
  });

  it("saves nothing when Enter is pressed on unchanged text (the selection still moves down)", async () => {
    const { input, onFinishedEditing } = openEditor(cellOf("material", { name: "Steel" }));
    await userEvent.type(input, "{Enter}");
    expect(onFinishedEditing).toHaveBeenCalledWith(undefined, [0, 1]);
  });

  it("gives the input's owner the text and where to move (Shift+Tab: left)", async () => {
    const onDone = vi.fn();
    render(<EngineeringInput fieldType="material" options={{}} initialText="Brass" label="Value" onDone={onDone} onCancel={() => undefined} />);
    await userEvent.type(screen.getByLabelText("Value"), "{Shift>}{Tab}{/Shift}");
    expect(onDone).toHaveBeenCalledWith("Brass", [-1, 0]);
  });

  it("does not edit a read-only cell", async () => {
    const cell = { ...cellOf("thread", { designation: "M8x1.25" }), readonly: true };
    const { input, onFinishedEditing } = openEditor(cell);
    expect(input).toHaveAttribute("readonly");
    await userEvent.keyboard("{Enter}");
    expect(onFinishedEditing).toHaveBeenCalledWith(undefined, [0, 0]);
    expect(cell.kind).toBe(GridCellKind.Custom);
  });
});
