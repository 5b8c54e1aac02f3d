import { NameDialog as SharedNameDialog, type NameDialogProps } from "@/components/name-dialog";
import { validateName } from "@/features/workspaces/lib/validation";

/** The shared name dialog with the API's rules for workspace, base and table names checked first. */
export function NameDialog(props: Omit<NameDialogProps, "maxLength" | "validate">) {
  return <SharedNameDialog {...props} maxLength={400} validate={(name) => validateName(name, props.label.toLowerCase())} />;
}
