/** Bounds a wait on an SDK event so a missing event fails fast with a message, not at the suite timeout. */
export function within<T>(promise: Promise<T>, timeoutMs: number, expected: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${expected}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
