/**
 * Delayed answers (latency, 'slow' test codes) that a closing simulator can let go all at once
 * instead of leaving requests hanging.
 */
export function createDelays(): { wait(ms: number): Promise<void>; releaseAll(): void } {
  const pending = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  return {
    wait: (ms) =>
      ms <= 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const entry = {
              timer: setTimeout(() => entry.done(), ms),
              done: () => {
                clearTimeout(entry.timer);
                pending.delete(entry);
                resolve();
              },
            };
            pending.add(entry);
          }),
    releaseAll: () => {
      for (const entry of [...pending]) entry.done();
    },
  };
}
