// Mirrors the API's Name type (auth/schemas.py): trimmed, 1-200 characters, no control characters.
export const NAME_MAX = 200;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validateName(value: string, what = "name"): string | undefined {
  const name = value.trim();
  if (!name) return `Enter a ${what}.`;
  if (name.length > NAME_MAX) return `Use at most ${NAME_MAX} characters.`;
  if (CONTROL.test(name)) return "Remove line breaks and other control characters.";
  return undefined;
}

export function validateInviteEmail(value: string): string | undefined {
  const email = value.trim();
  if (!email) return "Enter an email address.";
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return "Enter a valid email address.";
  return undefined;
}
