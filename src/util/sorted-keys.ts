/**
 * An object's own enumerable keys in `Array.prototype.sort()` order (UTF-16 code units), sorted in
 * place by insertion. `sort()` allocates a work copy on every call, and the compiler sorts the keys
 * of every object of every task (the pipeline hash, label and annotation maps): that copy was a
 * seventh of all the memory a compile allocated. Objects here have a few dozen keys at most.
 */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 32) return keys.sort(); // insertion sort is quadratic: a large user map pays the copy
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
