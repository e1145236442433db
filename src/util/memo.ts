/**
 * A one-argument function with its results remembered, up to `limit` distinct arguments (after
 * that it just computes): for pure functions the hot path calls with few distinct values, such as
 * the durations, keys and scalars every task of a repository repeats.
 */
export function memoize<A, R>(fn: (arg: A) => R, limit: number): (arg: A) => R {
  const cache = new Map<A, R>();
  return (arg) => {
    let r = cache.get(arg);
    if (r === undefined && !cache.has(arg)) {
      r = fn(arg);
      if (cache.size < limit) cache.set(arg, r);
    }
    return r as R;
  };
}
