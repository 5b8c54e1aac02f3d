import { useQuery } from "@tanstack/react-query";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ViewTabs } from "@/features/views/components/view-tabs";
import { ViewToolbar } from "@/features/views/components/view-toolbar";
import { viewsKey, viewsQuery, type View } from "@/features/views/api/views";
import { catalog, fields } from "@/features/views/lib/test-fixtures";
import { queryKeys } from "@/lib/query-keys";
import { sessionStore } from "@/lib/session";
import { fakeFetch, renderWithProviders, testQueryClient } from "@/testing/render";

const view = (id: string, name: string, config: Record<string, unknown> = {}): View => ({
  id, table_id: "tblT", name, type: "grid", position: 0, config, created_by: null, created_at: "2026-01-01T00:00:00Z",
});

beforeEach(() => {
  sessionStore.signIn({ access_token: "a", refresh_token: "r", expires_in: 900 }, { id: "usr1", email: "ada@example.com", name: "Ada" });
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.signOut();
});

function setup(config: Record<string, unknown> = {}) {
  const current = view("viwA", "Grid view", config);
  const queryClient = testQueryClient();
  queryClient.setQueryData(queryKeys.fieldTypes(), catalog);
  queryClient.setQueryData(viewsKey("tblT"), [current]);
  return { current, queryClient };
}

/** The toolbar over the cached view, as the table screen renders it (saves show at once). */
function Cached({ filterRequest }: { filterRequest?: { fieldId: string; nonce: number } }) {
  const views = useQuery({ ...viewsQuery("tblT"), staleTime: Infinity });
  const current = views.data?.[0];
  return current ? <ViewToolbar tableId="tblT" view={current} fields={fields} canEdit filterRequest={filterRequest ?? null} /> : null;
}

describe("ViewToolbar", () => {
  it("counts the view's records on request", async () => {
    const server = fakeFetch([{ method: "GET", path: "/tables/tblT/records", body: { records: [], next_cursor: null, total: 1234 } }]);
    vi.stubGlobal("fetch", server.fetch);
    const { current, queryClient } = setup();
    renderWithProviders(<ViewToolbar tableId="tblT" view={current} fields={fields} canEdit />, { queryClient });
    expect(server.calls).toHaveLength(0);
    await userEvent.click(screen.getByTestId("count-records"));
    expect(await screen.findByText("1,234 records")).toBeInTheDocument();
    expect(server.calls).toHaveLength(1);
  });

  it("saves sorts and grouping in the view", async () => {
    const saved: unknown[] = [];
    let config: Record<string, unknown> = { sorts: [{ field: "fldQty", field_id: "fldQty", direction: "desc" }] };
    // The API answers the view with the keys given replaced.
    vi.stubGlobal("fetch", async (input: Request) => {
      const body = (await input.clone().json()) as { config: Record<string, unknown> };
      saved.push(body);
      config = { ...config, ...body.config };
      return new Response(JSON.stringify(view("viwA", "Grid view", config)), { status: 200, headers: { "content-type": "application/json" } });
    });
    const { queryClient } = setup(config);
    renderWithProviders(<Cached />, { queryClient });
    expect(screen.getByTestId("sort-button")).toHaveTextContent("Sorted by 1 field");
    await userEvent.click(screen.getByTestId("sort-button"));
    const sorts = await screen.findByTestId("sort-editor");
    await userEvent.click(within(sorts).getByRole("button", { name: "Add sort" }));
    expect(saved.at(-1)).toEqual({ config: { sorts: [{ field_id: "fldQty", direction: "desc" }, { field_id: "fldName", direction: "asc" }] } });
    await userEvent.keyboard("{Escape}");
    await userEvent.click(screen.getByTestId("group-button"));
    const groups = await screen.findByTestId("group-editor");
    await userEvent.click(within(groups).getByRole("button", { name: "Add group" }));
    await userEvent.selectOptions(within(groups).getByLabelText("Group field 1"), "Status");
    expect(saved.at(-1)).toEqual({ config: { group_by: [{ field_id: "fldStatus", direction: "asc" }] } });
  });

  it("saves complete filters after a pause, and opens on a column's 'filter by'", async () => {
    const saved: unknown[] = [];
    const server = fakeFetch([{ method: "PATCH", path: "/views/viwA", body: view("viwA", "Grid view") }]);
    vi.stubGlobal("fetch", async (input: Request) => {
      saved.push(await input.clone().json());
      return server.fetch(input);
    });
    const { queryClient } = setup();
    renderWithProviders(<Cached filterRequest={{ fieldId: "fldQty", nonce: 1 }} />, { queryClient });
    const builder = await screen.findByTestId("filter-builder");
    const row = within(builder).getByTestId("filter-condition");
    expect(within(row).getByLabelText("Field")).toHaveValue("fldQty");
    await userEvent.type(within(row).getByLabelText("Value"), "5");
    await waitFor(() => expect(saved).toEqual([{ config: { filters: { and: [{ field: "fldQty", op: "is", value: 5 }] } } }]), { timeout: 2000 });
    expect(screen.getByTestId("filter-button")).toHaveTextContent("Filtered by 1");
  });
});

describe("ViewTabs", () => {
  it("switches views and duplicates one with its configuration", async () => {
    const posted: unknown[] = [];
    const server = fakeFetch([{ method: "POST", path: "/tables/tblT/views", status: 201, body: view("viwC", "Open items copy") }]);
    vi.stubGlobal("fetch", async (input: Request) => {
      posted.push(await input.clone().json());
      return server.fetch(input);
    });
    const config = { filters: { field: "fldStatus", op: "is", value: "Open" }, sorts: [], hidden_fields: ["fldDue"] };
    const views = [view("viwA", "Grid view"), view("viwB", "Open items", config)];
    const onSelect = vi.fn();
    const queryClient = testQueryClient();
    queryClient.setQueryData(viewsKey("tblT"), views);
    renderWithProviders(<ViewTabs tableId="tblT" views={views} currentId="viwB" onSelect={onSelect} canEdit />, { queryClient });
    await userEvent.click(screen.getByRole("button", { name: /Grid view/ }));
    expect(onSelect).toHaveBeenLastCalledWith("viwA");
    await userEvent.click(screen.getByRole("button", { name: "View Open items actions" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Duplicate view" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("View name")).toHaveValue("Open items copy");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(onSelect).toHaveBeenLastCalledWith("viwC"));
    expect(posted).toEqual([{ name: "Open items copy", type: "grid", config }]);
    expect(queryClient.getQueryData<View[]>(viewsKey("tblT"))?.map((v) => v.id)).toEqual(["viwA", "viwB", "viwC"]);
  });

  it("lists views of every type and creates a kanban stacked by the first single select", async () => {
    const posted: unknown[] = [];
    const typed = (id: string, name: string, type: string, config: Record<string, unknown> = {}): View => ({ ...view(id, name, config), type });
    const server = fakeFetch([{ method: "POST", path: "/tables/tblT/views", status: 201, body: typed("viwK", "Kanban view", "kanban") }]);
    vi.stubGlobal("fetch", async (input: Request) => {
      posted.push(await input.clone().json());
      return server.fetch(input);
    });
    const views = [view("viwA", "Grid view"), typed("viwF", "Intake", "form", { share_token: "s3cret", public: true, title: "Intake" }), typed("viwC", "Due dates", "calendar")];
    const onSelect = vi.fn();
    const queryClient = testQueryClient();
    queryClient.setQueryData(viewsKey("tblT"), views);
    renderWithProviders(<ViewTabs tableId="tblT" views={views} currentId="viwF" onSelect={onSelect} canEdit fields={fields} />, { queryClient });
    const tabs = within(screen.getByTestId("view-tabs"));
    expect(tabs.getByRole("button", { name: "Intake" })).toHaveAttribute("data-view-type", "form");
    await userEvent.click(tabs.getByRole("button", { name: "Due dates" }));
    expect(onSelect).toHaveBeenLastCalledWith("viwC");

    await userEvent.click(screen.getByTestId("new-view"));
    for (const type of ["Grid", "Kanban", "Gallery", "Calendar", "Form"]) expect(await screen.findByRole("menuitem", { name: type })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("menuitem", { name: "Kanban" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("View name")).toHaveValue("Kanban view");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(onSelect).toHaveBeenLastCalledWith("viwK"));
    expect(posted).toEqual([{ name: "Kanban view", type: "kanban", config: { stack_field_id: "fldStatus" } }]);

    // A copy of a shared form is a form again, not shared.
    await userEvent.click(screen.getByRole("button", { name: "View Intake actions" }));
    await userEvent.click(await screen.findByRole("menuitem", { name: "Duplicate view" }));
    const copy = await screen.findByRole("dialog");
    await userEvent.click(within(copy).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(posted).toHaveLength(2));
    expect(posted[1]).toEqual({ name: "Intake copy", type: "form", config: { title: "Intake" } });
  });

  it("offers no calendar without a date field, saying why", async () => {
    const views = [view("viwA", "Grid view")];
    renderWithProviders(<ViewTabs tableId="tblT" views={views} currentId="viwA" onSelect={vi.fn()} canEdit fields={fields.filter((f) => f.type !== "date")} />);
    await userEvent.click(screen.getByTestId("new-view"));
    const calendar = await screen.findByRole("menuitem", { name: "Calendar" });
    expect(calendar).toHaveAttribute("aria-disabled", "true");
    expect(calendar).toHaveAttribute("title", "A calendar needs a date or date-time field.");
  });
});
