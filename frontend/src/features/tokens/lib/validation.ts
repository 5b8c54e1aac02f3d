// Checks of the new-token form, mirroring ApiTokenCreateIn (shared/pybase/auth/schemas.py).
export type TokenScope = "read" | "write" | "admin";

export const SCOPES: readonly TokenScope[] = ["read", "write", "admin"];

export const SCOPE_HELP: Record<TokenScope, string> = {
  read: "Read records and schemas",
  write: "Read and change records, fields and views",
  admin: "Everything your role allows, including sharing and deleting",
};

export interface TokenForm {
  name: string;
  scope: TokenScope;
  /** false: every base you can reach; true: only `baseIds`. */
  limitBases: boolean;
  baseIds: string[];
  /** Empty for no expiry. */
  expiresInDays: string;
}

export type TokenFormErrors = Partial<Record<"name" | "baseIds" | "expiresInDays", string>>;

export function validateTokenForm(form: TokenForm): TokenFormErrors {
  const errors: TokenFormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = "Name the token after what uses it, like “CI export”.";
  else if (name.length > 200) errors.name = "Use at most 200 characters.";
  if (form.limitBases && form.baseIds.length === 0) errors.baseIds = "Pick at least one base, or allow every base.";
  else if (form.limitBases && form.baseIds.length > 100) errors.baseIds = "At most 100 bases; allow every base instead.";
  if (form.expiresInDays.trim()) {
    const days = Number(form.expiresInDays);
    if (!Number.isInteger(days) || days < 1 || days > 3650) errors.expiresInDays = "A whole number of days from 1 to 3650, or empty for none.";
  }
  return errors;
}

/** The request body for POST /api-tokens. */
export function tokenRequest(form: TokenForm): { name: string; scope: TokenScope; base_ids: string[] | null; expires_in_days: number | null } {
  return {
    name: form.name.trim(),
    scope: form.scope,
    base_ids: form.limitBases ? [...form.baseIds] : null,
    expires_in_days: form.expiresInDays.trim() ? Number(form.expiresInDays) : null,
  };
}
