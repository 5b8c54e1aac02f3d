import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "@/lib/api/client";
import { sessionStore } from "@/lib/session";

export interface AccountChanges {
  name?: string;
  email?: string;
  password?: string;
  current_password?: string;
}

export function useUpdateAccount() {
  return useMutation({
    mutationFn: (changes: AccountChanges) => unwrap(api.PATCH("/me", { body: changes })),
    onSuccess: (user) => sessionStore.setUser({ id: user.id, email: user.email, name: user.name }),
  });
}
