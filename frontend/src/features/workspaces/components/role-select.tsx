import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ROLE_HELP, ROLE_LABELS } from "@/features/workspaces/lib/roles";
import type { Role } from "@/types/api";

export const INHERIT = "inherit";

/** A role picker; with `inheritLabel`, an extra first option removes the grant at this level. */
export function RoleSelect<R extends Role>({
  value,
  roles,
  onChange,
  label,
  disabled,
  inheritLabel,
  className,
}: {
  value: R | typeof INHERIT;
  roles: readonly R[];
  onChange: (role: R | typeof INHERIT) => void;
  label: string;
  disabled?: boolean;
  inheritLabel?: string;
  className?: string;
}) {
  return (
    <Select value={value} onValueChange={(v) => onChange(v as R | typeof INHERIT)} {...(disabled !== undefined ? { disabled } : {})}>
      <SelectTrigger aria-label={label} className={className ?? "h-8 w-36"}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {inheritLabel && <SelectItem value={INHERIT}>{inheritLabel}</SelectItem>}
        {roles.map((role) => (
          <SelectItem key={role} value={role} title={ROLE_HELP[role]}>
            {ROLE_LABELS[role]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
