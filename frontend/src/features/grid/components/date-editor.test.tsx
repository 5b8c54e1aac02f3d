import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { addMonths, monthGrid } from "@/components/ui/calendar";
import { DatePicker } from "@/features/grid/components/date-editor";

describe("calendar math", () => {
  it("lays out a month from Monday and clamps month steps", () => {
    const days = monthGrid("2026-03-15");
    expect(days[0]).toBe("2026-02-23"); // March 2026 starts on a Sunday
    expect(days).toHaveLength(42);
    expect(days).toContain("2026-03-31");
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2026-03-31", -13)).toBe("2025-02-28");
  });
});

describe("date picker", () => {
  it("saves a typed date with Enter", async () => {
    const onDone = vi.fn();
    render(<DatePicker value="2026-03-01" withTime={false} timeZone="UTC" label="Date" onDone={onDone} onCancel={() => undefined} />);
    const input = screen.getByLabelText("Date");
    expect(input).toHaveValue("2026-03-01");
    await userEvent.clear(input);
    await userEvent.type(input, "31/05/2026{Enter}");
    expect(onDone).toHaveBeenCalledWith("31/05/2026");
  });

  it("saves a date picked in the calendar at once, moving by month", async () => {
    const onDone = vi.fn();
    render(<DatePicker value="2026-03-01" withTime={false} timeZone="UTC" label="Date" onDone={onDone} onCancel={() => undefined} />);
    expect(screen.getByRole("grid", { name: "March 2026" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "2026-03-01" }).closest("[role=gridcell]")).toHaveAttribute("aria-selected", "true");
    await userEvent.click(screen.getByRole("button", { name: "Next month" }));
    await userEvent.click(screen.getByRole("button", { name: "2026-04-09" }));
    expect(onDone).toHaveBeenCalledWith("2026-04-09");
  });

  it("moves through days with the arrow keys", async () => {
    render(<DatePicker value="2026-03-31" withTime={false} timeZone="UTC" label="Date" onDone={() => undefined} onCancel={() => undefined} />);
    const day = screen.getByRole("button", { name: "2026-03-31" });
    day.focus();
    fireEvent.keyDown(day, { key: "ArrowRight" });
    expect(await screen.findByRole("grid", { name: "April 2026" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "2026-04-01" })).toHaveFocus();
  });

  it("edits a date-time's day and time in the field's time zone", async () => {
    const onDone = vi.fn();
    // 13:05 UTC is 14:05 in Paris.
    render(<DatePicker value="2026-03-01T13:05:00.000Z" withTime timeZone="Europe/Paris" label="When" onDone={onDone} onCancel={() => undefined} />);
    expect(screen.getByLabelText("When")).toHaveValue("2026-03-01 14:05");
    expect(screen.getByText("Europe/Paris")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "2026-03-09" }));
    expect(onDone).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText("Time"), { target: { value: "08:30" } });
    expect(screen.getByLabelText("When")).toHaveValue("2026-03-09 08:30");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(onDone).toHaveBeenCalledWith("2026-03-09T08:30");
  });

  it("clears, and Escape cancels", async () => {
    const onDone = vi.fn();
    const onCancel = vi.fn();
    render(<DatePicker value="2026-03-01" withTime={false} timeZone="UTC" label="Date" onDone={onDone} onCancel={onCancel} />);
    await userEvent.type(screen.getByLabelText("Date"), "{Escape}");
    expect(onCancel).toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Clear" }));
    expect(onDone).toHaveBeenCalledWith(null);
  });
});
