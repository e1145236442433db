/**
 * Sets `obj[key]` as an own data property. Assignment, which V8 makes fast, except for `__proto__`:
 * assigning that would change the object's prototype, so it is defined instead. Object.prototype
 * has no other setter, so on a plain object this is the same as always defining.
 */
export function setOwn(obj: object, key: PropertyKey, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else (obj as Record<PropertyKey, unknown>)[key] = value;
}
