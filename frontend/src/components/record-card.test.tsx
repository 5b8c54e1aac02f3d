import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { RecordCard } from "@/components/record-card";
import type { FieldDef, RecordRow } from "@/types/api";

const field = (id: string, type: string, options: Record<string, unknown> = {}): FieldDef =>
  ({ id, name: id, type, options, position: 0, read_only: false }) as unknown as FieldDef;

const record: RecordRow = {
  id: "rec1",
  version: 1,
  created_at: "",
  updated_at: "",
  fields: {
    fldName: "Bracket",
    fldOwner: ["usrA", "usrB"],
    fldBy: "usrA",
    fldGo: { label: "Open drawing", url: "https://example.com/d/1" },
    fldNone: { label: "Order", url: null },
  },
};

describe("RecordCard", () => {
  it("shows people by name with initials, and buttons that open their URL only", async () => {
    const onOpen = vi.fn();
    render(
      <RecordCard
        record={record}
        titleField={field("fldName", "single_line_text")}
        fields={[field("fldOwner", "user", { multiple: true }), field("fldBy", "created_by"), field("fldGo", "button"), field("fldNone", "button")]}
        people={new Map([["usrA", "Ada Lovelace"]])}
        onOpen={onOpen}
      />,
    );
    expect(screen.getAllByText("Ada Lovelace")).toHaveLength(2);
    expect(screen.getAllByText("AL")).toHaveLength(2);
    // Someone the caller cannot list keeps their ID.
    expect(screen.getByText("usrB")).toBeInTheDocument();
    const go = screen.getByRole("link", { name: /Open drawing/ });
    expect(go).toHaveAttribute("href", "https://example.com/d/1");
    expect(go).toHaveAttribute("target", "_blank");
    expect(screen.getByRole("button", { name: "Order" })).toBeDisabled();
    go.addEventListener("click", (e) => e.preventDefault());
    await userEvent.click(go);
    expect(onOpen).not.toHaveBeenCalled();
  });
});
