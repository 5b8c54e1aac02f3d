/** Polls `check` until it returns a value other than undefined/false, or fails after `timeout` ms. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeout} ms${last ? ` (${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
