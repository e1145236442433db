/**
 * The only host functions user code may reach while being evaluated: pure, deterministic built-ins.
 * Everything else in the JavaScript environment is absent, and the names users most often reach for
 * (Date, process, Math.random, fetch, require, ...) get a diagnostic with a hint.
 */
import * as dsl from "../../index.js";
import { TaskHandle } from "../../dsl/handle.js";
import { PipelineBuilderImpl } from "../../dsl/pipeline.js";
import { BuiltinRefusal, BuiltLimitError, FunctionSourceError } from "./errors.js";

/** The `p.params` objects of pipeline builders: reading an undeclared name there is a mistake, not `undefined`. */
export const parameterObjects = new WeakSet<object>();

/** Functions a static call may invoke. Closures made by the evaluator are added as they are created. */
export const callable = new WeakSet<Function>();

const ARRAY_METHODS = [
  "map", "filter", "flatMap", "forEach", "join", "concat", "includes", "indexOf", "lastIndexOf", "slice",
  "some", "every", "find", "findIndex", "findLast", "findLastIndex", "reduce", "reduceRight", "flat", "at",
  "push", "pop", "shift", "unshift", "splice", "fill", "sort", "reverse", "toReversed", "toSorted", "toSpliced", "with", "toString",
  "entries", "keys", "values",
] as const;

/** Array methods that change the array they are called on: an array fixed once made refuses them (GANTRY1104). */
export const MUTATING_ARRAY_METHODS: ReadonlySet<string> = new Set(["push", "pop", "shift", "unshift", "splice", "fill", "sort", "reverse"]);
/** Of those, the ones that move, overwrite or remove items (all but push): origins recorded by index no longer match. */
const REORDERING = [...MUTATING_ARRAY_METHODS].filter((m) => m !== "push");
const STRING_METHODS = [
  "toUpperCase", "toLowerCase", "trim", "trimStart", "trimEnd", "split", "replace", "replaceAll", "startsWith",
  "endsWith", "includes", "padStart", "padEnd", "slice", "substring", "repeat", "indexOf", "lastIndexOf", "at",
  "charAt", "charCodeAt", "codePointAt", "concat", "toString", "normalize",
] as const;
/** Locale-free, so the same on every machine (not `toLocaleString`). */
const NUMBER_METHODS = ["toString", "toFixed", "toPrecision", "toExponential"] as const;

const allowedMethods = {
  array: new Set<string>(ARRAY_METHODS),
  string: new Set<string>(STRING_METHODS),
  number: new Set<string>(NUMBER_METHODS),
};

/**
 * The built-in methods themselves, unbound, as JavaScript reads them (`"a".at === "b".at`): a call
 * through a member passes its object as `this` (`Evaluator.call`); one detached from it fails, as it
 * would when the module runs.
 */
const hostMethods = (proto: object, names: ReadonlySet<string>): Record<string, Function> =>
  Object.fromEntries([...names].map((m) => [m, (proto as Record<string, Function>)[m]!]));
const methods: Record<keyof typeof allowedMethods, Record<string, Function>> = {
  array: { ...hostMethods(Array.prototype, allowedMethods.array), entries: iteratorMethod("entries"), keys: iteratorMethod("keys"), values: iteratorMethod("values") },
  string: { ...hostMethods(String.prototype, allowedMethods.string), repeat: boundedStringMethod("repeat"), padStart: boundedStringMethod("padStart"), padEnd: boundedStringMethod("padEnd") },
  number: hostMethods(Number.prototype, allowedMethods.number),
};
for (const kind of ["array", "string", "number"] as const) for (const m of allowedMethods[kind]) callable.add(methods[kind][m]!);

/**
 * Bounds on what built-ins build natively, outside the step budget: items of one `Array.from` or
 * `Array.of`, characters of one `repeat`/`padStart`/`padEnd` result, tasks of one pipeline. Far
 * above any pipeline's needs; they stop a slip (`{ length: 1e9 }`) before it exhausts memory.
 */
export const BUILT_LIMITS = { items: 1_000_000, chars: 100_000_000, tasks: 10_000 } as const;

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * `fn` reporting the name, arity and string form of the host function it stands in for: its own
 * text is that of whichever build of Gantry runs (`String(Array.from)` is "function from() { [native code] }").
 */
function named<F extends Function>(fn: F, name: string, length: number): F {
  Object.defineProperty(fn, "name", { value: name });
  Object.defineProperty(fn, "length", { value: length });
  Object.defineProperty(fn, "toString", { value: () => `function ${name}() { [native code] }`, configurable: true });
  return fn;
}

/** `Array.from`/`Array.of` refusing to build more than BUILT_LIMITS.items (a mapping callback is bounded by the step budget, the copy is not). */
function boundedArrayBuilder(build: (...args: never[]) => unknown[], count: (...args: unknown[]) => number): Function {
  const fn = (...args: unknown[]) => {
    const n = count(...args);
    if (n > BUILT_LIMITS.items) throw new BuiltLimitError(`would build ${fmt(n)} items, over the limit of ${fmt(BUILT_LIMITS.items)}`);
    return Reflect.apply(build, Array, args);
  };
  return named(fn, build.name, build.length);
}
const arrayFrom = boundedArrayBuilder(Array.from, (source) => {
  if (source === null || source === undefined) return 0; // Array.from throws its own TypeError
  if (typeof source === "string" || Array.isArray(source)) return source.length;
  // An array-like: JavaScript converts its length (`{ length: "2e6" }` is 2,000,000). Converting an
  // object runs its `valueOf`, which would then run again in Array.from, and may answer differently.
  const raw = (source as { length?: unknown }).length;
  if (raw !== null && (typeof raw === "object" || typeof raw === "function")) {
    throw new BuiltinRefusal("GANTRY1102", "is evaluated with an array-like whose length is a number or a string, not an object", "Give the array-like a plain number as its length: `Array.from({ length: n }, ...)`.");
  }
  const length = Number(raw);
  return Number.isNaN(length) ? 0 : length;
});
const arrayOf = boundedArrayBuilder(Array.of, (...items) => items.length);

/** String methods whose result length the caller chooses: checked before the host builds it. */
function boundedStringMethod(method: "repeat" | "padStart" | "padEnd"): Function {
  const host = String.prototype[method] as (this: string, ...args: unknown[]) => string;
  const fn = function (this: unknown, ...args: unknown[]) {
    // Converted once and passed on converted: a `valueOf` of the author's must not run twice (and answer differently).
    // So is an object receiver (`["3"].map("".repeat, obj)` runs obj's toString).
    const self = (this !== null && typeof this === "object") || typeof this === "function" ? String(this) : this;
    const n = Number(args[0]);
    const chars = method === "repeat" ? String(self).length * n : n;
    if (chars > BUILT_LIMITS.chars && Number.isFinite(chars)) throw new BuiltLimitError(`would build a string of ${fmt(chars)} characters, over the limit of ${fmt(BUILT_LIMITS.chars)}`);
    return Reflect.apply(host, self, [n, ...args.slice(1)]);
  };
  return named(fn, method, host.length);
}

/**
 * Iterators made by an array's `entries`/`keys`/`values`. `for...of`, spreads and built-ins that take
 * an iterable (`Object.fromEntries`, `Array.from`) walk them; nothing else of theirs can be read.
 */
export const arrayIterators = new WeakSet<object>();

function iteratorMethod(method: "entries" | "keys" | "values"): Function {
  const host = Array.prototype[method] as (this: unknown) => object;
  const fn = function (this: unknown) {
    const iterator = Reflect.apply(host, this, []);
    arrayIterators.add(iterator);
    return iterator;
  };
  return named(fn, method, 0);
}

const reordering: ReadonlySet<unknown> = new Set(REORDERING.map((m) => methods.array[m]));

/** Whether `fn` is one of REORDERING's methods. */
export const reordersItems = (fn: unknown): boolean => reordering.has(fn);

/** Stand-ins for `Object`, `Math`, ...: only the members listed exist. */
const namespaces = new WeakMap<object, ReadonlySet<string>>();

/** Members are non-enumerable, as on the built-ins (`Object.keys(Math)` is empty). */
function namespace(entries: Record<string, Function | number>, base: object): Readonly<Record<string, unknown>> {
  for (const [k, v] of Object.entries(entries)) {
    if (typeof v === "function") callable.add(v);
    Object.defineProperty(base, k, { value: v, writable: true, enumerable: false, configurable: true });
  }
  const ns = Object.freeze(base) as Readonly<Record<string, unknown>>;
  namespaces.set(ns, new Set(Object.keys(entries)));
  return ns;
}

/** A plain namespace object (`Math`, `JSON`), which converts to a string as the host's does: `[object Math]`. */
const plainNamespace = (tag: string): object => Object.create(Object.prototype, { [Symbol.toStringTag]: { value: tag } }) as object;

/**
 * A stand-in for a constructor used as a namespace (`Object`, `Array`, `Number`): a fresh function,
 * so the host's is never reachable, with the host's name, length and source text (as `typeof`,
 * `JSON.stringify` and templates see it). `call` makes it callable (`Number(x)`); without, a call is GANTRY1102.
 */
function constructorLike(name: string, length: number, call: (...args: unknown[]) => unknown = () => undefined): Function {
  return named((...args: unknown[]) => call(...args), name, length);
}

/** `Number` is both a conversion function and a namespace. */
const numberNamespace = namespace(
  {
    isInteger: Number.isInteger, isFinite: Number.isFinite, isNaN: Number.isNaN, isSafeInteger: Number.isSafeInteger, parseInt: Number.parseInt, parseFloat: Number.parseFloat,
    MAX_SAFE_INTEGER: Number.MAX_SAFE_INTEGER, MIN_SAFE_INTEGER: Number.MIN_SAFE_INTEGER, EPSILON: Number.EPSILON,
  },
  constructorLike("Number", 1, (...value) => globalThis.Number(...value)),
);
callable.add(numberNamespace as unknown as Function);

/**
 * `Array(n)` and `new Array(n)` with one number make `n` empty slots, which `map` and `forEach` skip (so
 * `Array(3).map((_, i) => i)` is three empty slots, not `[0, 1, 2]`): refused with the form that
 * works, rather than modelled.
 */
export const ARRAY_CONSTRUCTOR_HINT = "For the numbers 0 to n-1 write `Array.from({ length: n }, (_, i) => i)`; for n copies of a value, `Array.from({ length: n }, () => value)`.";
const arrayNamespace = namespace(
  { isArray: Array.isArray, from: arrayFrom, of: arrayOf },
  constructorLike("Array", 1, (...items) => {
    // `Array(2, 3)` and `Array("a")` list their items, as `Array.of`; only a single number means a length.
    if (items.length === 1 && typeof items[0] === "number") {
      throw new BuiltinRefusal("GANTRY1102", "with one number makes an array of empty slots, which Gantry does not evaluate (`map` and `forEach` skip them)", ARRAY_CONSTRUCTOR_HINT);
    }
    return Reflect.apply(arrayOf, undefined, items);
  }),
);
callable.add(arrayNamespace as unknown as Function);

/** `Object.freeze` for values built by the pipeline; host functions (String, the DSL) are left alone. */
const freeze = named((o: unknown) => (typeof o === "function" ? o : Object.freeze(o)), "freeze", 1);

/**
 * Whether `value` is one of the host's built-ins as Gantry stands in for it (`Math`, `Object`, ...),
 * or a function: their stand-ins have only the members Gantry evaluates, so asking which properties
 * they have would answer differently from a run.
 */
export const isStandIn = (value: unknown): boolean => typeof value === "function" || namespaces.has(value as object);

/** The array index a key names (`"3"`, `3`), or -1 for any other property (`"03"`, `1.5`, `4294967295`). */
export function arrayIndex(key: PropertyKey): number {
  const n = typeof key === "number" ? key : typeof key === "string" && /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 ? n : -1;
}

/** An object the pipeline's code built (or parsed): a plain object or an array, not a built-in or the DSL's. */
export function isPlainData(value: unknown): value is object {
  if (value === null || typeof value !== "object" || namespaces.has(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/**
 * `Object.assign(target, ...sources)` as JavaScript runs it, onto a plain object or array. It
 * changes its target, so one fixed once made (declared at module level) is GANTRY1104, as `push` is;
 * a source with an own `__proto__` key would set the target's prototype, which Gantry does not model.
 */
function assign(target: unknown, ...sources: unknown[]): unknown {
  if (!isPlainData(target)) {
    throw new BuiltinRefusal("GANTRY1102", "is evaluated with a plain object or array as its target", "Copy into a new object with a spread: `{ ...a, ...b }`.");
  }
  const copies = (s: unknown) => s !== null && s !== undefined && Object.keys(Object(s)).length > 0;
  if (sources.some((s) => typeof s === "object" && s !== null && Object.hasOwn(s, "__proto__"))) {
    throw new BuiltinRefusal("GANTRY1100", "would set its target's prototype from a source's own `__proto__` key, which is not evaluated at compile time", "Copy the other keys with a spread and leave `__proto__` out.");
  }
  if (Object.isFrozen(target) && sources.some(copies)) {
    throw new BuiltinRefusal("GANTRY1104", "changes an object that is fixed once made (one declared at module level, or kept by a module-level function)", "Copy into a new object instead: `{ ...target, ...changes }` or `Object.assign({}, target, changes)`.");
  }
  if (Array.isArray(target)) {
    // As assignment bounds an array's length: `Object.assign([], { length: 4294967295 })` would be one.
    for (const s of sources) {
      if (typeof s === "string" && s.length > BUILT_LIMITS.items) throw new BuiltLimitError(`would make an array of ${fmt(s.length)} items, over the limit of ${fmt(BUILT_LIMITS.items)}`);
      if (s === null || typeof s !== "object") continue;
      const raw: unknown = Object.hasOwn(s, "length") ? (s as { length: unknown }).length : 0;
      let last = typeof raw === "object" || typeof raw === "function" ? 0 : Number(raw); // an object's valueOf is not run twice
      for (const k of Object.keys(s)) last = Math.max(last, arrayIndex(k) + 1);
      if (last > BUILT_LIMITS.items && last < 2 ** 32) throw new BuiltLimitError(`would make an array of ${fmt(last)} items, over the limit of ${fmt(BUILT_LIMITS.items)}`);
    }
  }
  return Object.assign(target, ...sources);
}
export const objectAssign: Function = named(assign, "assign", 2);

/** `Object.hasOwn`, for the objects whose own properties are the same in a run (see isStandIn). */
export const objectHasOwn: Function = named((obj: unknown, key: PropertyKey) => {
  if (isStandIn(obj)) throw new BuiltinRefusal("GANTRY1102", "is not evaluated on a built-in or a function", "Ask it of plain objects and arrays.");
  return Object.hasOwn(obj as object, key);
}, "hasOwn", 2);

/** Global functions pipeline code may call, under their own names. */
const globalFunctions: readonly Function[] = [String, Boolean, parseInt, parseFloat, isNaN, isFinite, encodeURIComponent, decodeURIComponent, encodeURI, decodeURI];
for (const fn of globalFunctions) callable.add(fn);

/** Global names visible to pipeline code. */
export const globals: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["undefined", undefined],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["Object", namespace({ keys: Object.keys, values: Object.values, entries: Object.entries, fromEntries: Object.fromEntries, freeze, assign: objectAssign, hasOwn: objectHasOwn, is: Object.is }, constructorLike("Object", 1))],
  ["Array", arrayNamespace],
  ["JSON", namespace({ stringify: JSON.stringify, parse: JSON.parse }, plainNamespace("JSON"))],
  ["Math", namespace({ min: Math.min, max: Math.max, floor: Math.floor, ceil: Math.ceil, round: Math.round, abs: Math.abs, pow: Math.pow, trunc: Math.trunc, sign: Math.sign, sqrt: Math.sqrt, PI: Math.PI }, plainNamespace("Math"))],
  ["Number", numberNamespace],
  ...globalFunctions.map((fn) => [fn.name, fn] as const),
]);

/** Built-ins that compute with their arguments' values: a parameter placeholder there is a mistake. */
export const numericBuiltins: ReadonlySet<Function> = new Set<Function>([
  numberNamespace as unknown as Function, Boolean, parseInt, parseFloat, isNaN, isFinite, Number.parseInt, Number.parseFloat, Number.isInteger, Number.isFinite, Number.isNaN, Number.isSafeInteger,
  objectHasOwn, // a property named by a placeholder's text is never the one a run asks for
  // Escaping a placeholder's braces would leave `%7B%7Bparams.x%7D%7D` in the manifest, never substituted.
  encodeURIComponent, decodeURIComponent, encodeURI, decodeURI,
  Math.min, Math.max, Math.floor, Math.ceil, Math.round, Math.abs, Math.pow, Math.trunc, Math.sign, Math.sqrt,
  Object.is, // compares like ===
]);

/** Names that exist at run time but have no static value, with why and what to do instead. */
export const runtimeOnly: ReadonlyMap<string, string> = new Map([
  ["Date", "the current date and time differ on every run"],
  ["process", "the environment and arguments of the compiling machine must not leak into manifests"],
  ["fetch", "network access while compiling would make the output depend on the network"],
  ["require", "loading modules at run time is not evaluated; use a static `import`"],
  ["globalThis", "the global object is not available at compile time"],
  ["window", "the global object is not available at compile time"],
  ["crypto", "random values differ on every run"],
  ["performance", "timers differ on every run"],
  ["setTimeout", "timers are not evaluated at compile time"],
  ["setInterval", "timers are not evaluated at compile time"],
  ["Promise", "asynchronous code is not evaluated at compile time"],
  ["eval", "code built at run time is never evaluated"],
  ["Function", "code built at run time is never evaluated"],
  ["__dirname", "paths of the compiling machine must not leak into manifests"],
  ["__filename", "paths of the compiling machine must not leak into manifests"],
]);

/** What to do instead, for the names of `runtimeOnly` a pipeline parameter would not replace. */
export const runtimeOnlyHints: ReadonlyMap<string, string> = new Map([
  ["require", "Import local modules with a static `import ... from \"./lib.js\"`; packages other than \"gantry\" are not evaluated."],
  ...(["eval", "Function"] as const).map((n) => [n, "Write the code itself in the module: code built from strings is never evaluated."] as const),
  ...(["globalThis", "window"] as const).map((n) => [n, "Declare the value with `const` in a local module and import it."] as const),
  ...(["setTimeout", "setInterval"] as const).map((n) => [n, "Remove the timer: a pipeline is built once, at compile time. For timing at run time, use a task's `timeout` or the pipeline's schedule."] as const),
  ["Promise", "Write the helper as a plain synchronous function that returns the value."],
]);

/**
 * JavaScript built-ins that compute the same on every run but that Gantry does not evaluate, with
 * what to write instead: "cannot find name" would wrongly suggest they do not exist.
 */
export const notEvaluated: ReadonlyMap<string, string> = new Map([
  ...(["Map", "Set", "WeakMap", "WeakSet", "WeakRef"] as const).map((n) => [n, "Use plain objects (`Record<string, T>`) and arrays."] as const),
  ["arguments", "Use a rest parameter (`function f(...args: string[])`)."],
  ["structuredClone", "Copy with spreads (`{ ...o }`, `[...a]`), or `JSON.parse(JSON.stringify(o))`."],
  ["Symbol", "Use string keys."],
  ["BigInt", "Use numbers, or strings for large values."],
  ["RegExp", "Use string methods: `split`, `replaceAll`, `includes`, `startsWith`, `endsWith`."],
  ["Intl", "Format with string methods (`padStart`, `toFixed`): locale formatting differs between machines."],
  ["Reflect", "Read properties directly, or with `Object.keys`/`entries`."],
  ["Proxy", "Use plain objects."],
  ...(["URL", "URLSearchParams"] as const).map((n) => [n, "Build the string with a template literal and `encodeURIComponent`."] as const),
  ...(["escape", "unescape"] as const).map((n) => [n, "Use `encodeURIComponent` / `decodeURIComponent`."] as const),
  ...(["atob", "btoa", "Buffer", "TextEncoder", "TextDecoder", "ArrayBuffer", "DataView", "Uint8Array"] as const).map((n) => [n, "Binary data is not evaluated: keep the value as a string constant."] as const),
]);

/**
 * One of Gantry's own functions as pipeline code sees it: a callable wrapper with its name and
 * arity whose string form is refused, since the text is that of whichever build of Gantry runs.
 */
function opaque(fn: Function, check?: (self: unknown) => void): Function {
  const wrapper = named(
    function (this: unknown, ...args: unknown[]) {
      check?.(this);
      return Reflect.apply(fn, this, args);
    },
    fn.name,
    fn.length,
  );
  Object.defineProperty(wrapper, "toString", {
    value: () => {
      throw new FunctionSourceError();
    },
  });
  callable.add(wrapper);
  return wrapper;
}

/** DSL functions reachable through `import ... from "gantry"`. */
export const dslModule: Readonly<Record<string, unknown>> = Object.freeze(
  // Null-prototype, as a module namespace (`import * as g from "gantry"`): `"toString" in g` is false.
  Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(Object.entries(dsl).map(([name, v]) => [name, typeof v === "function" ? opaque(v) : v]))),
);
/** The builder's public methods (the `p.` calls); anything else on its prototype is internal. */
const builderMethods: Readonly<Record<string, Function>> = Object.freeze(
  Object.fromEntries((["task", "setup", "teardown", "finally"] as const).map((name) => [name, opaque((PipelineBuilderImpl.prototype as unknown as Record<string, Function>)[name]!, boundTasks)])),
);

/** A task handle's public method (`handle.output("rows")`); its constructor and the rest of its prototype stay out of reach. */
const handleOutput = opaque((TaskHandle.prototype as unknown as Record<string, Function>)["output"]!);

/** A pipeline of BUILT_LIMITS.tasks is far past any target's (Argo takes 199): stop before it costs minutes and gigabytes. */
function boundTasks(builder: unknown): void {
  if (builder instanceof PipelineBuilderImpl && builder.tasks.length >= BUILT_LIMITS.tasks) {
    throw new BuiltLimitError(`a pipeline declares at most ${fmt(BUILT_LIMITS.tasks)} tasks`);
  }
}

/** Module specifiers that mean the DSL itself. */
export const isDslSpecifier = (s: string): boolean => s === "gantry";

/**
 * Reads `obj[key]` for a static value: own data properties of objects, array/string length and
 * indices, and allowed methods (unbound, as JavaScript reads them). Returns `undefined` for anything
 * else, exactly as JavaScript would for a missing property; other prototype members are never reachable.
 */
export function readMember(obj: unknown, key: PropertyKey): { found: boolean; value: unknown } {
  if (typeof obj === "string" || Array.isArray(obj)) {
    if (key === "length") return { found: true, value: obj.length };
    // An array's own property set by the code (`a.tag = "t"`, even `a.join = f`) is read first, as JavaScript does.
    if (typeof obj !== "string" && typeof key === "string" && Object.hasOwn(obj, key)) return { found: true, value: (obj as unknown as Record<string, unknown>)[key] };
    if (typeof key === "string" && /^(0|[1-9]\d*)$/.test(key)) return { found: true, value: obj[Number(key)] };
    if (typeof key === "number") return { found: true, value: obj[key] };
    const kind = typeof obj === "string" ? "string" : "array";
    if (typeof key === "string" && allowedMethods[kind].has(key)) return { found: true, value: methods[kind][key] };
    return { found: false, value: undefined };
  }
  if (typeof obj === "number") {
    if (typeof key === "string" && allowedMethods.number.has(key)) return { found: true, value: methods.number[key] };
    return { found: false, value: undefined };
  }
  if (obj instanceof PipelineBuilderImpl && typeof key === "string" && Object.hasOwn(builderMethods, key)) {
    return { found: true, value: builderMethods[key] };
  }
  if (key === "output" && obj instanceof TaskHandle) return { found: true, value: handleOutput };
  // A namespace has its listed members, and a function stand-in (`Object`) its name and length;
  // its other own properties (the stand-in's string form) are machinery, not data.
  const members = namespaces.get(obj as object);
  if (members) {
    const own = typeof key === "string" && (members.has(key) || (typeof obj === "function" && (key === "name" || key === "length")));
    return own ? { found: true, value: (obj as Record<string, unknown>)[key] } : { found: false, value: undefined };
  }
  // A function's own properties (String.raw, pipeline.prototype, ...) lead into the host; only its name is data.
  if (typeof obj === "function") {
    return key === "name" || key === "length" ? { found: true, value: obj[key] } : { found: false, value: undefined };
  }
  if ((typeof obj === "object" && obj !== null) || typeof obj === "function") {
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    if (obj instanceof PipelineBuilderImpl && key === "params" && desc?.value) parameterObjects.add(desc.value as object);
    if (desc && "value" in desc) return { found: true, value: desc.value };
    return { found: false, value: undefined };
  }
  return { found: false, value: undefined };
}

/**
 * Why a member that `readMember` did not find must not read as `undefined`: running the module would
 * find it (on a built-in prototype, or on a host function or namespace). Undefined when JavaScript
 * would read `undefined` too.
 */
export function inaccessibleMember(obj: unknown, key: PropertyKey): { why: string; hint: string } | undefined {
  if (namespaces.has(obj as object)) {
    return { why: "only a fixed set of built-in members can be used", hint: "See `gantry explain GANTRY1102` for the built-ins Gantry evaluates." };
  }
  if (typeof obj === "function") {
    return { why: "a function's members other than `name` and `length` are not evaluated", hint: "Call the function directly: `f(x)`." };
  }
  if (obj === null || obj === undefined || !(key in Object(obj))) return undefined;
  if (typeof obj === "string" && (key === "localeCompare" || key === "toLocaleUpperCase" || key === "toLocaleLowerCase")) {
    return { why: "its result depends on the compiling machine's locale", hint: key === "localeCompare" ? "Compare with < and > (a sort comparator: `(a, b) => (a < b ? -1 : a > b ? 1 : 0)`)." : "Use toUpperCase() or toLowerCase()." };
  }
  if (key === "hasOwnProperty") return { why: "members inherited from JavaScript's built-in prototypes are not evaluated", hint: "Use `Object.hasOwn(obj, key)`, which Gantry evaluates." };
  if (typeof obj === "boolean") return { why: "a boolean's methods are not evaluated", hint: "Use `String(flag)` or a template literal." };
  const members =
    typeof obj === "string" ? ["length", ...STRING_METHODS] : Array.isArray(obj) ? ["length", ...ARRAY_METHODS] : typeof obj === "number" ? [...NUMBER_METHODS] : undefined;
  return {
    why: "members inherited from JavaScript's built-in prototypes are not evaluated",
    hint: members ? `Gantry evaluates these members here: ${members.join(", ")}.` : "Only an object's own properties can be read; use Object.keys/values/entries to inspect it.",
  };
}
