/**
 * An object's own enumerable keys in `Array.prototype.sort()` order (UTF-16 code units), sorted in
 * place by insertion. `sort()` allocates a work copy on every call, and the compiler sorts the keys
 * of every object of every task (the pipeline hash, label and annotation maps): that copy was a
 * seventh of all the memory a compile allocated. Nearly all of them have a few dozen keys at most;
 * a larger map (a user's labels, say) is sorted by `sort()`, as insertion sort is quadratic.
 */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 32) return keys.sort();
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
