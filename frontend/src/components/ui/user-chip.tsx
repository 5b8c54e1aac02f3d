// A person in a cell, card or panel: an initials avatar and the name (the ID when the name is not
// known, e.g. someone the caller cannot list).
import { cn } from "@/lib/utils";

export function initials(name: string): string {
  const words = name.trim().split(/[\s@._-]+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = (words[0] ?? "").charAt(0);
  const last = words.length > 1 ? (words[words.length - 1] ?? "").charAt(0) : "";
  return (first + last).toUpperCase();
}

// A stable colour per person, so the same avatar looks the same everywhere. Dark enough (30%
// lightness) for the white initials to reach 4.5:1 contrast on every hue.
const HUES = [210, 150, 30, 340, 270, 190, 90, 0];
export function avatarHue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return HUES[h % HUES.length] ?? 210;
}

export function UserChip({ id, name, className }: { id: string; name?: string | undefined; className?: string }) {
  const shown = name ?? id;
  return (
    <span className={cn("inline-flex max-w-full items-center gap-1 rounded-full bg-muted py-0.5 pl-0.5 pr-2 text-xs", className)} data-user-id={id}>
      <span
        aria-hidden="true"
        className="flex h-5 w-5 shrink-0 items-center justify-center rounded-full text-[10px] font-semibold text-white"
        style={{ background: `hsl(${avatarHue(id)} 55% 30%)` }}
      >
        {initials(shown)}
      </span>
      <span className="truncate">{shown}</span>
    </span>
  );
}

/** The user IDs of a user, created-by or last-modified-by value (one ID or a list). */
export function userIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  return list.map((v) => (typeof v === "object" && v !== null && "id" in v ? String((v as { id: unknown }).id) : String(v))).filter(Boolean);
}

export function UserChips({ value, names }: { value: unknown; names?: ReadonlyMap<string, string> | undefined }) {
  const ids = userIds(value);
  if (ids.length === 0) return null;
  return (
    <span className="flex flex-wrap gap-1">
      {ids.map((id) => (
        <UserChip key={id} id={id} name={names?.get(id)} />
      ))}
    </span>
  );
}
