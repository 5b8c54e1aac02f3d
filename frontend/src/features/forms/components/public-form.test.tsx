import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";

import { PublicFormPage } from "@/features/forms/components/public-form";
import { fakeFetch, renderWithProviders } from "@/testing/render";

const schema = {
  view_id: "viwForm",
  table_id: "tblX",
  title: "Request a fixture",
  description: null,
  submit_message: "Thanks!",
  redirect_url: null,
  fields: [
    { field_id: "fldName", name: "Name", label: "What do you need?", type: "single_line_text", options: {}, required: true, help: "One line" },
    { field_id: "fldQty", name: "Qty", label: "Qty", type: "number", options: {}, required: false, help: null },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("the form page", () => {
  it("asks for a required answer before sending, then shows the API's field message, then thanks", async () => {
    let attempt = 0;
    const server = fakeFetch([{ method: "GET", path: "/forms/viwForm", body: schema }]);
    vi.stubGlobal("fetch", async (input: Request) => {
      if (input.method === "POST") {
        attempt += 1;
        const body = attempt === 1
          ? { error: { code: "validation_failed", message: "Not valid", details: [{ loc: ["fields", "Qty"], message: "Qty must be at most 10" }] } }
          : { record_id: "recNew", submit_message: "Thanks!", redirect_url: null };
        return new Response(JSON.stringify(body), { status: attempt === 1 ? 422 : 201, headers: { "content-type": "application/json" } });
      }
      return server.fetch(input);
    });
    renderWithProviders(<PublicFormPage viewId="viwForm" share="tok" />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Request a fixture" });
    await user.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByText("What do you need? is required.")).toBeInTheDocument();
    expect(attempt).toBe(0);
    await user.type(screen.getByLabelText(/What do you need\?/), "Soft jaws");
    await user.type(screen.getByLabelText("Qty"), "12");
    await user.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByText("Qty must be at most 10")).toBeInTheDocument();
    expect(screen.getByLabelText("Qty")).toHaveAttribute("aria-invalid", "true");
    await user.clear(screen.getByLabelText("Qty"));
    await user.type(screen.getByLabelText("Qty"), "8");
    await user.click(screen.getByRole("button", { name: "Submit" }));
    await waitFor(() => expect(screen.getByTestId("form-thanks")).toHaveTextContent("Thanks!"));
  });

  it("shows the rate limit's message", async () => {
    const server = fakeFetch([
      { method: "GET", path: "/forms/viwForm", body: schema },
      { method: "POST", path: "/forms/viwForm", status: 429, body: { error: { code: "rate_limited", message: "Too many submissions to this form from your address; try again in a minute.", details: {} } } },
    ]);
    vi.stubGlobal("fetch", server.fetch);
    renderWithProviders(<PublicFormPage viewId="viwForm" share="tok" />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/What do you need\?/), "Jig");
    await user.click(screen.getByRole("button", { name: "Submit" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("try again in a minute");
  });
});
