import { forwardRef, type SelectHTMLAttributes } from "react";

import { cn } from "@/lib/utils";

/** A styled native <select>: for dense forms (filter rows, option forms) where a listbox popup per
 * control would be heavy, and which keyboard and screen-reader users already know. */
export const NativeSelect = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement>>(({ className, ...props }, ref) => (
  <select
    ref={ref}
    className={cn(
      "h-8 rounded-md border border-input bg-background px-2 text-sm shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:cursor-not-allowed disabled:opacity-50",
      className,
    )}
    {...props}
  />
));
NativeSelect.displayName = "NativeSelect";
