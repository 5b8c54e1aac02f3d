// Who else is on this table: one avatar per user; their colour also rings the cell they are on.
import { Avatar, AvatarFallback, initials } from "@/components/ui/avatar";
import type { PresenceUser } from "@/lib/ws";

// Each at least 4.5:1 against the avatars' white initials (WCAG AA for small text).
const COLORS = ["#e11d48", "#2563eb", "#15803d", "#b45309", "#7c3aed", "#0e7490", "#db2777", "#4d7c0f"];

export function presenceColor(userId: string): string {
  let hash = 0;
  for (const ch of userId) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length] ?? "#2563eb";
}

export function PresenceAvatars({
  users,
  selfId,
  names,
}: {
  users: PresenceUser[];
  selfId: string | null;
  names?: Map<string, string> | undefined;
}) {
  const others = [...new Map(users.filter((u) => u.user_id !== selfId).map((u) => [u.user_id, u])).values()];
  if (others.length === 0) return null;
  return (
    <ul className="flex -space-x-2" aria-label={`${others.length} other ${others.length === 1 ? "person" : "people"} on this table`} data-testid="presence">
      {others.slice(0, 8).map((user) => (
        <li key={user.user_id} title={names?.get(user.user_id) ?? user.user_id} data-user-id={user.user_id}>
          <Avatar className="h-7 w-7 border-2 border-background" style={{ backgroundColor: presenceColor(user.user_id) }}>
            <AvatarFallback className="bg-transparent text-[10px] font-semibold text-white">
              {names?.get(user.user_id) ? initials(names.get(user.user_id) ?? "") : user.user_id.slice(3, 5).toUpperCase()}
            </AvatarFallback>
          </Avatar>
        </li>
      ))}
      {others.length > 8 && <li className="pl-3 text-xs text-muted-foreground">+{others.length - 8}</li>}
    </ul>
  );
}
