/**
 * Where each evaluated object and property was written. The model phase asks "where is
 * tasks[3].resources.limits.cpu?" through the SourceLocator interface; this answers from the syntax
 * nodes recorded during evaluation. Positions are computed only when asked for.
 *
 * Recording where every property was written is a sixth of a compile's time, and its answers are
 * only read for a diagnostic. So a compile starts without it (`properties: false`: only where tasks
 * and pipelines were made is recorded, all that lowering needs) and switches to a recording
 * evaluation at the first pipeline with a finding (`compileBatch`).
 */
import { ts } from "ts-morph";
import { editorPosition } from "../../util/editor-lines.js";
import type { Span } from "../../diagnostics/index.js";
import { TaskHandle } from "../../dsl/handle.js";
import { PipelineDefinition } from "../../dsl/pipeline.js";
import type { SourceLocator } from "../3-validate/index.js";

/** Where a property's value was written, and its name (for findings about the name: an unknown field). */
interface PropertyOrigin {
  value: ts.Node;
  key?: ts.Node;
}

export class Origins implements SourceLocator {
  private readonly self = new WeakMap<object, ts.Node>();
  /** One table per object: recording is on the hot path of evaluation, so one lookup per property. */
  private readonly props = new WeakMap<object, Map<PropertyKey, PropertyOrigin>>();

  /**
   * @param properties false: record only where tasks and pipelines were made; `valueAt` and `keyAt`
   *   then answer undefined (the caller's fallback: the task or pipeline).
   */
  constructor(
    private readonly relative: (fileName: string) => string,
    readonly properties = true,
  ) {}

  /**
   * Records where an object was created (first record wins: the literal or call that made it).
   * Without `properties`, only tasks and pipelines: nothing else's place is read then.
   */
  object(obj: object, node: ts.Node): void {
    if (!this.properties && !(obj instanceof TaskHandle || obj instanceof PipelineDefinition)) return;
    if (!this.self.has(obj)) this.self.set(obj, node);
  }

  /** Records where a literal just created was written (nothing can have recorded it before). */
  created(obj: object, node: ts.Node): void {
    if (this.properties) this.self.set(obj, node);
  }

  property(obj: object, key: PropertyKey, node: ts.Node, keyNode?: ts.Node): void {
    if (this.properties) this.propertiesOf(obj).set(key, keyNode ? { value: node, key: keyNode } : { value: node });
  }

  /** Spreading copies values, and with them where they were written. */
  copyProperty(from: object, fromKey: PropertyKey, to: object, toKey: PropertyKey): void {
    if (!this.properties) return;
    const origin = this.props.get(from)?.get(fromKey);
    if (origin) this.propertiesOf(to).set(toKey, origin);
  }

  /** The object recorded last, and its table: literals and spreads record property after property. */
  private last: { obj: object; table: Map<PropertyKey, PropertyOrigin> } | undefined;

  private propertiesOf(obj: object): Map<PropertyKey, PropertyOrigin> {
    if (this.last?.obj === obj) return this.last.table;
    let table = this.props.get(obj);
    if (!table) this.props.set(obj, (table = new Map()));
    this.last = { obj, table };
    return table;
  }

  /** The array's items moved or changed (`sort`, `splice`, ...): where each index was written is no longer known. */
  forgetProperties(obj: object): void {
    this.props.delete(obj);
    if (this.last?.obj === obj) this.last = undefined;
  }

  /** Where `obj[key]` was written, if recorded. */
  propertyNode(obj: unknown, key: PropertyKey): ts.Node | undefined {
    return isObject(obj) ? this.props.get(obj)?.get(key)?.value : undefined;
  }

  nodeOf(obj: object): ts.Node | undefined {
    return this.self.get(obj);
  }

  valueAt(root: unknown, path: readonly PropertyKey[]): Span | undefined {
    if (!this.properties) return undefined;
    let node = isObject(root) ? this.self.get(root) : undefined;
    let current: unknown = root;
    for (const key of path) {
      if (!isObject(current)) break;
      node = this.props.get(current)?.get(key)?.value ?? node;
      current = (current as Record<PropertyKey, unknown>)[key];
    }
    return node && this.span(node);
  }

  keyAt(root: unknown, path: readonly PropertyKey[]): Span | undefined {
    const parent = this.walk(root, path.slice(0, -1));
    const key = path[path.length - 1];
    const node = parent.exact && key !== undefined && isObject(parent.value) ? this.props.get(parent.value)?.get(key)?.key : undefined;
    return node ? this.span(node) : this.valueAt(root, path);
  }

  /** The value at `path` below `root`, and whether every step of the path exists. */
  private walk(root: unknown, path: readonly PropertyKey[]): { value: unknown; exact: boolean } {
    let current = root;
    for (const key of path) {
      if (!isObject(current)) return { value: current, exact: false };
      current = (current as Record<PropertyKey, unknown>)[key];
    }
    return { value: current, exact: true };
  }

  task(handle: object): Span | undefined {
    const node = this.self.get(handle);
    return node && this.span(nameArgument(node));
  }

  pipeline(definition: object): Span | undefined {
    const node = this.self.get(definition);
    return node && this.span(nameArgument(node));
  }

  span(node: ts.Node): Span {
    return nodeSpan(node, this.relative);
  }

  /** Forgets the object recorded last, so that nothing here holds a released syntax tree. */
  forgetLast(): void {
    this.last = undefined;
  }
}

/** Where a node is, 1-based, in the file named relative to the working directory. */
export function nodeSpan(node: ts.Node, relative: (fileName: string) => string): Span {
  const sf = node.getSourceFile();
  const start = editorPosition(sf, node.getStart(sf));
  const end = editorPosition(sf, node.getEnd());
  return { file: relative(sf.fileName), line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** A declaration call is best pointed at by its first argument, the name. */
function nameArgument(node: ts.Node): ts.Node {
  return ts.isCallExpression(node) && node.arguments[0] ? node.arguments[0] : node;
}

const isObject = (v: unknown): v is object => (typeof v === "object" && v !== null) || typeof v === "function";
