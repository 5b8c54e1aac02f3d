import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { editorKind, FieldEditor, formatDuration, localDateTime, parseDuration } from "@/features/records/components/field-editor";
import type { FieldDef } from "@/types/api";

const field = (type: string, options: Record<string, unknown> = {}, readOnly = false): FieldDef =>
  ({ id: `fld${type}`, table_id: "tblA", name: type, type, options, description: null, position: 0, read_only: readOnly }) as FieldDef;

const people = [
  { id: "usrA", name: "Ada Lovelace" },
  { id: "usrG", name: "Grace Hopper" },
];

describe("record panel field editors", () => {
  it("picks a user among the people and shows names with initials", async () => {
    const onSave = vi.fn();
    render(<FieldEditor field={field("user")} value="usrA" canEdit people={people} onSave={onSave} />);
    expect(screen.getByText("AL")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("user"), "Grace Hopper");
    expect(onSave).toHaveBeenCalledWith("usrG");
  });

  it("ticks several users, and keeps someone no longer listed", async () => {
    const onSave = vi.fn();
    render(<FieldEditor field={field("user", { multiple: true })} value={["usrA", "usrX"]} canEdit people={people} onSave={onSave} />);
    expect(screen.getByText("usrX")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("checkbox", { name: /Grace Hopper/ }));
    expect(onSave).toHaveBeenLastCalledWith(["usrA", "usrX", "usrG"]);
  });

  it("shows created by and user values by name when read-only", () => {
    render(<FieldEditor field={field("created_by", {}, true)} value="usrG" canEdit people={people} onSave={vi.fn()} />);
    expect(screen.getByText("Grace Hopper")).toBeInTheDocument();
    expect(screen.getByText("GH")).toBeInTheDocument();
    expect(editorKind(field("user"), false)).toBe("people");
  });

  it("edits multiple selects with checkboxes and ratings with stars", async () => {
    const onSave = vi.fn();
    const { unmount } = render(
      <FieldEditor field={field("multiple_select", { choices: [{ name: "Hot" }, { name: "Cold" }] })} value={["Hot"]} canEdit onSave={onSave} />,
    );
    await userEvent.click(screen.getByRole("checkbox", { name: "Cold" }));
    expect(onSave).toHaveBeenLastCalledWith(["Hot", "Cold"]);
    await userEvent.click(screen.getByRole("checkbox", { name: "Hot" }));
    expect(onSave).toHaveBeenLastCalledWith(null);
    unmount();
    render(<FieldEditor field={field("rating", { max: 5 })} value={2} canEdit onSave={onSave} />);
    await userEvent.click(screen.getByRole("radio", { name: "4 of 5" }));
    expect(onSave).toHaveBeenLastCalledWith(4);
    await userEvent.click(screen.getByRole("radio", { name: "2 of 5" }));
    expect(onSave).toHaveBeenLastCalledWith(null);
  });

  it("edits durations as h:mm and shows buttons that open their URL", async () => {
    const onSave = vi.fn();
    const { unmount } = render(<FieldEditor field={field("duration")} value={5400} canEdit onSave={onSave} />);
    const input = screen.getByLabelText("duration");
    expect(input).toHaveValue("1:30");
    await userEvent.clear(input);
    await userEvent.type(input, "2:15{Enter}");
    expect(onSave).toHaveBeenLastCalledWith(8100);
    unmount();
    expect(formatDuration(3725)).toBe("1:02:05");
    expect(parseDuration("45")).toBe(2700);
    expect(parseDuration("")).toBeNull();
    render(<FieldEditor field={field("button", { label: "Order" })} value={{ label: "Order", url: "https://shop.example/1" }} canEdit={false} onSave={onSave} />);
    expect(screen.getByRole("link", { name: /Order/ })).toHaveAttribute("href", "https://shop.example/1");
  });

  it("edits dimensions with the structured reading: shows it while typing, saves text that reads, keeps a typo with its error", async () => {
    const onSave = vi.fn();
    const dimension = field("dimension", { unit: "mm" });
    render(
      <FieldEditor field={dimension} value={{ value: 10, unit: "mm", tolerance: null, display: "10 mm" }} canEdit onSave={onSave} />,
    );
    const box = screen.getByLabelText("dimension");
    expect(box).toHaveValue("10 mm");
    await userEvent.clear(box);
    await userEvent.type(box, "10.5 ±0.1 mmm");
    expect(screen.getByRole("alert")).toHaveTextContent("Not a dimension");
    expect(box).toHaveAttribute("aria-invalid", "true");
    await userEvent.type(box, "{Enter}");
    await userEvent.tab();
    expect(onSave).not.toHaveBeenCalled();
    expect(box).toHaveValue("10.5 ±0.1 mmm");
    await userEvent.type(box, "{Backspace}");
    expect(screen.getByTestId("structured-reading")).toHaveTextContent("Reads as 10.5 ±0.1 mm");
    expect(box).toHaveAttribute("aria-invalid", "false");
    await userEvent.type(box, "{Enter}");
    expect(onSave).toHaveBeenCalledWith("10.5 ±0.1 mm");
  });

  it("shows threads, finishes and materials as text, read-only too", () => {
    render(
      <>
        <FieldEditor field={field("thread")} value={{ system: "metric", designation: "M8x1.25" }} canEdit onSave={vi.fn()} />
        <FieldEditor field={field("surface_finish")} value={{ parameter: "Ra", value: 1.6, unit: "um", um: 1.6 }} canEdit={false} onSave={vi.fn()} />
        <FieldEditor field={field("material")} value={{ name: "AISI 304" }} canEdit onSave={vi.fn()} />
      </>,
    );
    expect(screen.getByLabelText("thread")).toHaveValue("M8x1.25");
    expect(screen.getByText("Ra 1.6 µm")).toBeInTheDocument();
    expect(screen.getByLabelText("material")).toHaveValue("AISI 304");
    expect(editorKind(field("surface_finish"), true)).toBe("structured");
  });

  it("edits date-times in the viewer's wall time and barcodes as text", async () => {
    const onSave = vi.fn();
    const at = new Date(2026, 2, 4, 10, 30).toISOString();
    render(
      <>
        <FieldEditor field={field("datetime")} value={at} canEdit onSave={onSave} />
        <FieldEditor field={field("barcode")} value={{ text: "4006381333931" }} canEdit onSave={onSave} />
      </>,
    );
    expect(screen.getByLabelText("datetime")).toHaveValue("2026-03-04T10:30");
    expect(localDateTime("not a date")).toBe("");
    expect(screen.getByLabelText("barcode")).toHaveValue("4006381333931");
    fireEvent.change(screen.getByLabelText("datetime"), { target: { value: "2026-03-05T08:15" } });
    fireEvent.blur(screen.getByLabelText("datetime"));
    expect(onSave).toHaveBeenCalledWith(new Date(2026, 2, 5, 8, 15).toISOString());
  });

  it("sends the same text again on Enter after its save failed, and not after it succeeded", async () => {
    let fail = true;
    const onSave = vi.fn(() => (fail ? Promise.reject(new Error("connection reset")) : Promise.resolve()));
    render(<FieldEditor field={field("barcode")} value={null} canEdit onSave={onSave} />);
    const box = screen.getByLabelText("barcode");
    await userEvent.type(box, "4006381333931{Enter}");
    expect(onSave).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(onSave.mock.results[0]?.type).toBe("return"));
    fail = false;
    await userEvent.type(box, "{Enter}");
    expect(onSave).toHaveBeenCalledTimes(2);
    expect(onSave).toHaveBeenLastCalledWith("4006381333931");
    await userEvent.type(box, "{Enter}");
    await userEvent.tab();
    expect(onSave).toHaveBeenCalledTimes(2);
  });
});
