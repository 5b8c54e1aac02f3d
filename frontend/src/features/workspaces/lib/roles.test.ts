import { describe, expect, it } from "vitest";

import { atLeast, effectiveAccess } from "@/features/workspaces/lib/roles";

const members = [
  { user_id: "u1", name: "Ada", email: "ada@x.io", role: "owner" },
  { user_id: "u2", name: "Bob", email: "bob@x.io", role: "editor" },
  { user_id: "u3", name: "Cy", email: "cy@x.io", role: "viewer" },
];

describe("effectiveAccess", () => {
  it("uses the workspace role when there is no grant", () => {
    const people = effectiveAccess(members, []);
    expect(people.map((p) => [p.name, p.role, p.source, p.grant])).toEqual([
      ["Ada", "owner", "workspace", null],
      ["Bob", "editor", "workspace", null],
      ["Cy", "viewer", "workspace", null],
    ]);
  });

  it("lets the most specific grant win, even a lower one, and includes guests", () => {
    const baseGrants = [
      { user_id: "u2", name: "Bob", email: "bob@x.io", role: "viewer" },
      { user_id: "g1", name: "Guest", email: "g@y.io", role: "commenter" },
    ];
    const tableGrants = [{ user_id: "u3", name: "Cy", email: "cy@x.io", role: "editor" }];
    const onBase = effectiveAccess(members, baseGrants);
    expect(onBase.find((p) => p.userId === "u2")).toMatchObject({ role: "viewer", source: "base", grant: "viewer", workspaceRole: "editor" });
    expect(onBase.find((p) => p.userId === "g1")).toMatchObject({ role: "commenter", source: "base", workspaceRole: null });

    const onTable = effectiveAccess(members, baseGrants, tableGrants);
    expect(onTable.find((p) => p.userId === "u3")).toMatchObject({ role: "editor", source: "table", grant: "editor" });
    // A base grant shows as the source on the table, but it is not the table's own grant.
    expect(onTable.find((p) => p.userId === "u2")).toMatchObject({ role: "viewer", source: "base", grant: null });
    expect(onTable.map((p) => p.name)).toEqual(["Ada", "Cy", "Guest", "Bob"]);
  });

  it("ranks roles", () => {
    expect(atLeast("admin", "editor")).toBe(true);
    expect(atLeast("commenter", "editor")).toBe(false);
    expect(atLeast(null, "viewer")).toBe(false);
  });
});
