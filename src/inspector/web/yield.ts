/**
 * Handing the main thread back to the browser between chunks of work, so
 * input, the scrubber and painting run in between and no task grows long
 * (the page aims at none over 50 ms, the browser's "long task").
 */

interface Scheduler { yield?: () => Promise<void> }

/** Resolves in a later task: scheduler.yield() where the browser has it, else a MessageChannel message (not throttled like setTimeout). */
export function nextTask(): Promise<void> {
  const s = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (s?.yield) return s.yield();
  return new Promise((resolve) => {
    const c = new MessageChannel();
    c.port1.onmessage = () => { c.port1.close(); resolve(); };
    c.port2.postMessage(null);
  });
}

/** A clock for chunked loops: true once `budgetMs` have passed since the last reset (then the caller yields). */
export function budget(budgetMs: number): { spent: () => boolean; reset: () => void } {
  let t0 = performance.now();
  return { spent: () => performance.now() - t0 >= budgetMs, reset: () => { t0 = performance.now(); } };
}
