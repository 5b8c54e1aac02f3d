import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { SharingDialog } from "@/features/workspaces/components/sharing-dialog";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";
const member = (id: string, name: string, role: string) => ({ user_id: id, name, email: `${name.toLowerCase()}@x.io`, role, created_at: at });
const grantOf = (id: string, name: string, role: string, scope: "base" | "table", scopeId: string) => ({
  ...member(id, name, role),
  scope_type: scope,
  scope_id: scopeId,
});

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@x.io", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

const target = { kind: "table" as const, id: "tblA", name: "Parts", workspaceId: "wspA", baseId: "appA", role: "admin" };

describe("SharingDialog", () => {
  it("shows effective roles with their source and sets or removes a table grant", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/workspaces/wspA/members", body: [member("usr1", "Ada", "owner"), member("usr2", "Bob", "editor")] },
      { method: "GET", path: "/bases/appA/grants", body: [grantOf("usr2", "Bob", "viewer", "base", "appA")] },
      { method: "GET", path: "/tables/tblA/grants", body: [] },
      { method: "PUT", path: "/tables/tblA/grants/usr2", body: grantOf("usr2", "Bob", "editor", "table", "tblA") },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SharingDialog open onOpenChange={() => undefined} target={target} />);
    const list = await screen.findByRole("list", { name: "People with access" });
    expect(within(list).getByText(/Owner from the workspace/)).toBeInTheDocument();
    expect(within(list).getByText(/Viewer given on the base/)).toBeInTheDocument();

    // Bob has no table grant: the picker shows what he inherits (the base's viewer role).
    const picker = within(list).getByRole("combobox", { name: "Role of Bob on this table" });
    expect(picker).toHaveTextContent("Inherit (Viewer)");
    await userEvent.click(picker);
    await userEvent.click(await screen.findByRole("option", { name: "Editor" }));
    await waitFor(() => expect(server.calls.find((c) => c.method === "PUT")).toMatchObject({ path: "/tables/tblA/grants/usr2", body: { role: "editor" } }));
    // The owner's access is not editable here.
    expect(within(list).queryByRole("combobox", { name: "Role of Ada on this table" })).not.toBeInTheDocument();
  });

  it("still lists grants for a guest admin who may not see the workspace members", async () => {
    const server = fakeFetch([
      {
        method: "GET",
        path: "/workspaces/wspA/members",
        status: 403,
        body: { error: { code: "members_only", message: "Only workspace members can see the member list.", details: null } },
      },
      { method: "GET", path: "/bases/appA/grants", body: [grantOf("usr1", "Ada", "admin", "base", "appA")] },
      { method: "GET", path: "/tables/tblA/grants", body: [grantOf("usr3", "Cy", "commenter", "table", "tblA")] },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<SharingDialog open onOpenChange={() => undefined} target={target} />);
    const list = await screen.findByRole("list", { name: "People with access" });
    expect(within(list).getByText(/Admin given on the base/)).toBeInTheDocument();
    expect(within(list).getByText(/Commenter given on the table/)).toBeInTheDocument();
    expect(screen.getByText(/workspace members are visible to members only/)).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
