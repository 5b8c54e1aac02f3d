// A few direct HTTP API calls: set-up the UI does not offer (yet), and checks of what the server refuses.
import { randomUUID } from "node:crypto";

import { apiUrl } from "./env";

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export function newUser(label: string): TestUser {
  const id = randomUUID().slice(0, 8);
  // A stable name (it shows in screenshots), a unique email.
  return { name: label, email: `${label.split(" ")[0]?.toLowerCase() ?? "user"}-${id}@example.com`, password: "correct horse battery staple" };
}

export async function call<T = unknown>(
  method: string,
  path: string,
  { token, body, headers }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/** call(), failing with the server's answer unless the status is the expected one. */
export async function ok<T = unknown>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; expect?: number } = {},
): Promise<T> {
  const result = await call<T>(method, path, options);
  const expected = options.expect ?? (method === "POST" ? 201 : 200);
  if (result.status !== expected) {
    throw new Error(`${method} ${path}: expected ${expected}, got ${result.status} ${JSON.stringify(result.body)}`);
  }
  return result.body;
}

export async function register(user: TestUser): Promise<string> {
  const session = await ok<{ access_token: string }>("POST", "/auth/register", { body: user });
  return session.access_token;
}

export async function login(user: TestUser): Promise<string> {
  const session = await ok<{ access_token: string }>("POST", "/auth/login", {
    body: { email: user.email, password: user.password },
    expect: 200,
  });
  return session.access_token;
}

export interface TableSetup {
  workspaceId: string;
  baseId: string;
  tableId: string;
}

/** Workspace -> base -> table owned by the token's user. */
export async function createTable(token: string, names: { workspace: string; base: string; table: string }): Promise<TableSetup> {
  const workspace = await ok<{ id: string }>("POST", "/workspaces", { token, body: { name: names.workspace } });
  const base = await ok<{ id: string }>("POST", `/workspaces/${workspace.id}/bases`, { token, body: { name: names.base } });
  const table = await ok<{ id: string }>("POST", `/bases/${base.id}/tables`, { token, body: { name: names.table } });
  return { workspaceId: workspace.id, baseId: base.id, tableId: table.id };
}

/** Invites `user` to the workspace with `role` and accepts the invitation as them. */
export async function inviteAndAccept(ownerToken: string, workspaceId: string, user: TestUser, role: string): Promise<string> {
  const token = await register(user);
  const invitation = await ok<{ token: string }>("POST", `/workspaces/${workspaceId}/invitations`, {
    token: ownerToken,
    body: { email: user.email, role },
  });
  await ok("POST", "/invitations/accept", { token, body: { token: invitation.token }, expect: 200 });
  return token;
}

export interface RecordOut {
  id: string;
  version?: number;
  fields: Record<string, unknown>;
}

/** Every record of a table (up to 1,000), fields keyed by name, in creation order. */
export async function recordsByName(token: string, tableId: string): Promise<RecordOut[]> {
  const page = await ok<{ records: RecordOut[] }>("GET", `/tables/${tableId}/records?field_key=name&page_size=1000`, {
    token,
    expect: 200,
  });
  return page.records;
}
