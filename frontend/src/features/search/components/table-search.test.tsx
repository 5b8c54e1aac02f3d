import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { TableSearch } from "@/features/search/components/table-search";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

describe("TableSearch", () => {
  it("searches the table as you type and opens a result", async () => {
    const server = fakeFetch([
      {
        method: "GET",
        path: "/tables/tblParts/search",
        body: {
          query: "valv",
          offset: 0,
          next_offset: null,
          typo_corrected: false,
          results: [
            {
              table_id: "tblParts",
              table_name: "Parts",
              record_id: "recValve",
              title: "Gate valve",
              score: 0.5,
              matches: [{ field_id: "fldName", field_name: "Name", snippet: [{ text: "Gate ", match: false }, { text: "valve", match: true }] }],
            },
          ],
        },
      },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    const onOpen = vi.fn();
    renderWithProviders(<TableSearch tableId="tblParts" onOpen={onOpen} />);
    await userEvent.type(screen.getByRole("searchbox", { name: "Search this table" }), "valv");
    const result = await screen.findByRole("button", { name: /Gate valve/ });
    expect(screen.getByText("valve", { selector: "mark" })).toBeInTheDocument();
    // Typing is debounced: one request for the settled text, not one per key.
    expect(server.calls.filter((c) => c.path === "/tables/tblParts/search")).toHaveLength(1);
    await userEvent.click(result);
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ record_id: "recValve" }));
    expect(screen.getByRole("searchbox", { name: "Search this table" })).toHaveValue("");
  });

  it("says when nothing matches", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/tables/tblParts/search", body: { query: "zz", offset: 0, next_offset: null, typo_corrected: false, results: [] } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<TableSearch tableId="tblParts" onOpen={() => undefined} />);
    await userEvent.type(screen.getByRole("searchbox", { name: "Search this table" }), "zz");
    expect(await screen.findByText("No record matches.")).toBeInTheDocument();
  });
});
