import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Route, Routes, useLocation } from "react-router-dom";

import { RecordPanelFromUrl } from "@/app/record-panel-from-url";
import { sessionStore } from "@/lib/session";
import { fieldDef } from "@/testing/factories";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const at = "2026-01-01T00:00:00Z";

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usrAda", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function Where() {
  const location = useLocation();
  return <p data-testid="where">{location.pathname + location.search}</p>;
}

function server() {
  let comments: unknown[] = [];
  const fake = fakeFetch([
    { method: "GET", path: "/tables/tblParts", body: { id: "tblParts", name: "Parts", base_id: "appA", role: "editor", primary_field_id: "fldName", created_at: at, description: null, position: 0 } },
    { method: "GET", path: "/bases/appA", body: { id: "appA", name: "Fixtures", workspace_id: "wspA", role: "editor", created_at: at } },
    {
      method: "GET",
      path: "/workspaces/wspA/members",
      body: [
        { user_id: "usrAda", name: "Ada", email: "ada@example.com", role: "owner", created_at: at },
        { user_id: "usrBob", name: "Bob", email: "bob@example.com", role: "editor", created_at: at },
      ],
    },
    {
      method: "GET",
      path: "/tables/tblParts/fields",
      body: {
        fields: [
          fieldDef("fldQty", "Qty", "number", { position: 1 }),
          fieldDef("fldName", "Name", "text", { position: 0 }),
          fieldDef("fldSupplier", "Supplier", "link", { position: 2, options: { linked_table_id: "tblSuppliers" } }),
        ],
      },
    },
    {
      method: "GET",
      path: "/tables/tblParts/records/recFlange",
      body: { id: "recFlange", version: 3, created_at: at, updated_at: at, fields: { fldName: "Flange", fldQty: 5, fldSupplier: [{ id: "recAcme", name: "Acme" }] } },
    },
    {
      method: "PATCH",
      path: "/tables/tblParts/records/recFlange",
      body: { id: "recFlange", version: 4, created_at: at, updated_at: at, fields: { fldName: "Flange", fldQty: 5, fldSupplier: [] } },
    },
    // The link picker's search of the linked table.
    { method: "GET", path: /^\/tables\/tblSuppliers\/.*/, body: { fields: [], records: [] } },
    {
      method: "GET",
      path: "/tables/tblParts/records/recFlange/history",
      body: {
        record_id: "recFlange",
        created_at: at,
        created_by: "usrAda",
        next_before: null,
        entries: [{ id: 7, action: "updated", actor_id: "usrBob", at, changes: { fldQty: { field_name: "Qty", from: 2, to: 5 } } }],
      },
    },
  ]);
  const fetch = async (request: Request) => {
    const path = new URL(request.url).pathname.replace(/^\/api/, "");
    if (path === "/tables/tblParts/records/recFlange/comments") {
      if (request.method === "POST") {
        const { text } = (await request.clone().json()) as { text: string };
        const created = { id: `com${comments.length}`, table_id: "tblParts", record_id: "recFlange", text, created_at: at, updated_at: null, author: { id: "usrAda", name: "Ada" }, mentions: [{ id: "usrBob", name: "Bob" }] };
        comments = [...comments, created];
        return new Response(JSON.stringify(created), { status: 201, headers: { "content-type": "application/json" } });
      }
      return new Response(JSON.stringify({ comments, next_cursor: null }), { status: 200, headers: { "content-type": "application/json" } });
    }
    return fake.fetch(request);
  };
  return { fetch, calls: fake.calls };
}

function renderAt(route: string) {
  return renderWithProviders(
    <Routes>
      <Route
        path="*"
        element={
          <>
            <RecordPanelFromUrl />
            <Where />
          </>
        }
      />
    </Routes>,
    { route },
  );
}

describe("RecordPanelFromUrl", () => {
  it("opens the record named by ?open=, with its fields, history, comments with mentions and links", async () => {
    const fake = server();
    vi.stubGlobal("fetch", fake.fetch);
    renderAt("/b/appA/t/tblParts?open=recFlange");
    const panel = await screen.findByRole("dialog", { name: "Flange" });
    expect(await within(panel).findByLabelText("Qty")).toHaveValue("5");
    expect(within(panel).getByRole("button", { name: "Acme" })).toBeInTheDocument();

    await userEvent.click(within(panel).getByRole("tab", { name: "History" }));
    const entry = await within(panel).findByTestId("history-entry");
    expect(entry).toHaveTextContent("Bob changed Qty");
    expect(within(entry).getByText("2").tagName).toBe("DEL");

    await userEvent.click(within(panel).getByRole("tab", { name: "Comments" }));
    const box = await within(panel).findByLabelText("New comment");
    await userEvent.type(box, "please check @bo");
    await userEvent.click(within(panel).getByRole("option", { name: "Bob" }));
    expect(box).toHaveValue("please check @[usrBob] ");
    await userEvent.click(within(panel).getByRole("button", { name: "Comment" }));
    expect(await within(panel).findByTestId("mention")).toHaveTextContent("@Bob");

    // A linked record opens in its table.
    await userEvent.click(within(panel).getByRole("tab", { name: "Fields" }));
    await userEvent.click(within(panel).getByRole("button", { name: "Acme" }));
    expect(screen.getByTestId("where")).toHaveTextContent("/b/appA/t/tblSuppliers?open=recAcme");
  });

  it("edits a link field with the record picker", async () => {
    const fake = server();
    vi.stubGlobal("fetch", fake.fetch);
    renderAt("/b/appA/t/tblParts?open=recFlange");
    const panel = await screen.findByRole("dialog", { name: "Flange" });
    await userEvent.click(await within(panel).findByRole("button", { name: "Unlink Acme" }));
    await vi.waitFor(() => expect(fake.calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = fake.calls.find((c) => c.method === "PATCH");
    expect(patch?.body).toMatchObject({ fields: { fldSupplier: null } });
  });
});
