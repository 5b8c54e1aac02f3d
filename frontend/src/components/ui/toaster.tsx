import { Toaster as Sonner, toast } from "sonner";
import type { ComponentProps } from "react";

export function Toaster(props: ComponentProps<typeof Sonner>) {
  return (
    <Sonner
      closeButton
      position="bottom-right"
      toastOptions={{
        classNames: {
          toast: "group border-border bg-background text-foreground shadow-lg",
          description: "text-muted-foreground",
        },
      }}
      {...props}
    />
  );
}

export { toast };
