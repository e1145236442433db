/**
 * Modules as the evaluator sees them: a scope of lazily evaluated top-level bindings and a table of
 * exports. Nothing is evaluated until something reads it, so a helper no export needs cannot fail
 * the compile. Once an entry's exports are read, the declarations nothing read are run as loading
 * the module would, their results thrown away, and only what a run meets too is reported: a throw,
 * an operation JavaScript rejects, a change to a module value (`runUnreadDeclarations`, after
 * `reportUnreadMutations` finds such changes from the syntax).
 */
import fs from "node:fs";
import path from "node:path";
import { ts } from "ts-morph";
import { withoutBom } from "../../util/bom.js";
import type { Diagnostic, Span } from "../../diagnostics/index.js";
import { PipelineDefinition } from "../../dsl/pipeline.js";
import type { SourceProgram } from "../1-parse/index.js";
import { arrayIterators, dslModule, isDslSpecifier } from "./builtins.js";
import { isStackOverflow, outOfStack, Poisoned, RunFailure, runFailsHere, StaticError, Thrown } from "./errors.js";
import type { Evaluator } from "./evaluator.js";
import { nodeSpan } from "./origins.js";
import { capturedScopes, readBinding, recordUndo, Scope, type Binding } from "./scope.js";
import { linkModule } from "./link.js";
import { enumObject } from "./visitors/EnumDeclaration.js";
import { accessRoot, assignedNames, assignmentTarget, boundNames, declaredWithin, hasModifier, importedBinding, isAssignment, isBinaryAssignment, callOf, isCalledOnTheSpot, importSpecifierOf, redeclaredModuleVars } from "./syntax.js";
import { isFile, ModuleResolver, type Resolution } from "./resolve.js";
import { reportUnreadMutations, runUnreadDeclarations, type Change } from "./unread-effects.js";
import { skipTransparent } from "./visitors/transparent.js";
import { loggingCall } from "./visitors/CallExpression.js";
import { jsonParseError } from "../../util/json-error.js";

/**
 * `import * as ns from "./x"`: exports read on demand. Like an ES module namespace, its own
 * enumerable keys are the export names, sorted, so `{ ...ns }` and `Object.keys(ns)` see the exports
 * and never the record behind them (which stays private).
 */
export class ModuleNamespace {
  readonly #module: ModuleRecord;

  constructor(module: ModuleRecord, at: ts.Node) {
    this.#module = module;
    for (const name of module.allExportNames().sort()) {
      Object.defineProperty(this, name, { enumerable: true, get: () => module.readExport(name, at) });
    }
    Object.freeze(this);
  }

  read(name: string, at: ts.Node): unknown {
    return this.#module.readExport(name, at);
  }

  static {
    // A real module namespace has a null prototype: it has no string or number form, so converting
    // one (`${lib}`, a method called on it) throws, as it does when the module runs.
    Object.defineProperty(this.prototype, Symbol.toPrimitive, {
      value() {
        throw new TypeError("Cannot convert object to primitive value");
      },
    });
    Object.defineProperty(this.prototype, Symbol.toStringTag, { value: "Module" });
  }
}

/** Where an export's value comes from. */
type ExportSource =
  | { kind: "local"; name: string; node: ts.Node }
  | { kind: "reexport"; specifier: string; name: string; node: ts.Node }
  | { kind: "namespace"; specifier: string; node: ts.Node };

export class ModuleRecord {
  readonly scope: Scope;
  readonly exports = new Map<string, ExportSource>();
  readonly starExports: { specifier: string; node: ts.Node }[] = [];
  /** Positions of the top-level initialisers running now (statement index, plus declarator / MAX_DECLARATORS), innermost last. */
  readonly initializing: number[] = [];

  constructor(
    readonly file: ts.SourceFile,
    readonly loader: ModuleLoader,
    ev: Evaluator,
    /** The parser reported errors: its syntax tree is a guess, so no value of it is trusted. */
    readonly hasSyntaxErrors = false,
  ) {
    this.scope = new Scope();
    declareTopLevel(this, ev);
  }

  /**
   * Runs top-level code of this module: statement `statement`, its `declarator`-th declaration. A
   * failure leaving it is marked as met in module code, so its diagnostic names no caller: loading
   * the module is not the doing of whichever code read it first.
   */
  running<T>(statement: number, declarator: number, run: () => T): T {
    this.initializing.push(statement + declarator / MAX_DECLARATORS);
    this.loader.enterInitializer(this, `${statement}.${declarator}`);
    try {
      return run();
    } catch (e) {
      if (e instanceof StaticError) e.callSites ??= this.loader.evaluator.callSites.slice();
      throw e;
    } finally {
      this.initializing.pop();
      this.loader.leaveInitializer();
    }
  }

  /**
   * Exported names in the order their values are created when the module runs: by the position of
   * the declaration (or of the `export ... from`), not of the export list, so that evaluation with
   * side effects happens in the same order as execution.
   */
  get exportNames(): string[] {
    const position = (name: string): number => {
      const source = this.exports.get(name)!;
      if (source.kind !== "local") return source.node.getStart();
      return this.scope.lookup(source.name)?.node.getStart() ?? source.node.getStart();
    };
    return [...this.exports.keys()].sort((a, b) => position(a) - position(b));
  }

  /**
   * The value of export `name`. `chain` holds the exports already passed through on the way here
   * (re-exports and `export *`), so that one resolving to itself (`export { x } from "./"` in an
   * index file, or two modules re-exporting `x` from each other) is an error, as JavaScript
   * reports when it links the modules, rather than a loop.
   */
  readExport(name: string, at: ts.Node, seen = new Set<ModuleRecord>(), chain: string[] = []): unknown {
    if (chain.length > 0) return this.follow(name, at, seen, chain);
    try {
      return this.follow(name, at, seen, chain);
    } catch (e) {
      if (!isStackOverflow(e)) throw e;
      // Running it would link fine: Node follows re-exports without recursion. Gantry's walk is
      // recursive, and a chain thousands of modules long is no pipeline code (module review finding).
      const file = this.loader.program.relative(this.file.fileName);
      throw new StaticError("GANTRY1108", at, `export "${name}" of ${file} passes through re-exports (\`export *\`, \`export { } from\`) too many modules deep for Gantry to follow`, `Import "${name}" from a module nearer the one that declares it.`);
    }
  }

  private follow(name: string, at: ts.Node, seen: Set<ModuleRecord>, chain: string[]): unknown {
    const source = this.exports.get(name);
    if (source?.kind === "local") {
      const binding = this.scope.lookup(source.name);
      if (!binding) throw new StaticError("GANTRY1111", source.node, `"${source.name}" is exported but not declared`);
      return readBinding(binding, source.name, at);
    }
    if (source?.kind === "namespace") return this.loader.namespaceOf(this.file, source.specifier, source.node);
    const link = `${this.loader.program.relative(this.file.fileName)} ("${name}")`;
    if (source?.kind === "reexport" || (name !== "default" && !seen.has(this))) {
      if (chain.includes(link)) {
        throw new StaticError("GANTRY1110", at, `export "${name}" resolves to itself: ${[...chain.slice(chain.indexOf(link)), link].join(" -> ")}`, "Re-export the name from the module that declares it.");
      }
      chain = [...chain, link];
    }
    if (source?.kind === "reexport") {
      const target = this.loader.importFrom(this.file, source.specifier, source.node);
      return target instanceof ModuleRecord ? target.readExport(source.name, source.node, undefined, chain) : target.readExport(source.name, source.node);
    }
    if (name !== "default" && !seen.has(this)) {
      seen.add(this);
      for (const star of this.starExports) {
        const target = this.loader.importFrom(this.file, star.specifier, star.node);
        // A copy: what hasExport walks must not count as walked for the read, which walks it again.
        if (target instanceof ModuleRecord ? target.hasExport(name, new Set(seen)) : Object.hasOwn(target.values, name)) {
          const provided = this.starBindings(name);
          if (provided.size > 1) {
            const where = [...provided].map((key) => key.slice(0, key.lastIndexOf("#"))).map((file) => (path.isAbsolute(file) ? this.loader.program.relative(file) : file)).join(" and ");
            throw new StaticError("GANTRY1111", at, `export "${name}" of ${this.loader.program.relative(this.file.fileName)} is ambiguous: two \`export *\` provide different values (from ${where})`, `Re-export the one you mean by name in ${this.loader.program.relative(this.file.fileName)}: \`export { ${name} } from "..."\`.`);
          }
          return target instanceof ModuleRecord ? target.readExport(name, at, seen, chain) : target.readExport(name, at);
        }
      }
    }
    const file = this.loader.program.relative(this.file.fileName);
    // How such an export is written: `export const x`, or (for "default" and names that are not identifiers) an export list.
    const example = name === "default" ? "export default ..." : IDENTIFIER.test(name) && !RESERVED_WORDS.has(name) ? `export const ${name} = ...` : `export { value as ${IDENTIFIER.test(name) ? name : JSON.stringify(name)} }`;
    throw new StaticError("GANTRY1111", at, `module ${file} has no export "${name}"`, `Check the name, and that ${file} exports it (\`${example}\`).`);
  }

  /**
   * Whether export `name` is a type and nothing else: declared with `export interface`/`export
   * type` (or `export default interface`), an interface, type alias or `import type` named in an
   * export list, or passed on from another module's such export (a re-export, an imported binding
   * re-exported, `export *`). TypeScript drops such exports, so a run never reads them.
   */
  exportsOnlyAType(name: string, seen = new Set<ModuleRecord>()): boolean {
    if (seen.has(this)) return false;
    seen.add(this);
    try {
      const source = this.exports.get(name);
      if (source?.kind === "reexport") return this.typeIn(source.specifier, source.node, source.name, seen);
      if (source?.kind === "local") {
        const node = this.scope.lookup(source.name)?.node;
        if (!node) return declaresType(this.file, source.name, false);
        const binding = importedBinding(node);
        return binding?.imported !== undefined && this.typeIn(binding.from.text, binding.from, binding.imported, seen);
      }
      if (source) return false;
      if (declaresType(this.file, name, true)) return true;
      return name !== "default" && this.starExports.some((star) => this.typeIn(star.specifier, star.node, name, seen));
    } catch (e) {
      if (e instanceof StaticError || e instanceof Poisoned) return false; // reported where the export is read
      throw e;
    }
  }

  private typeIn(specifier: string, at: ts.Node, name: string, seen: Set<ModuleRecord>): boolean {
    if (this.loader.resolver.moduleFile(this.file.fileName, specifier) === undefined) return false;
    const target = this.loader.importFrom(this.file, specifier, at);
    return target instanceof ModuleRecord && target.exportsOnlyAType(name, seen);
  }

  /** Where an export's value was written, once it has been read. */
  exportOrigin(name: string): ts.Node | undefined {
    const source = this.exports.get(name);
    if (source?.kind === "local") return this.scope.lookup(source.name)?.origin;
    if (source?.kind !== "reexport") return undefined;
    const target = this.loader.importFrom(this.file, source.specifier, source.node);
    return target instanceof ModuleRecord ? target.exportOrigin(source.name) : undefined;
  }

  /**
   * Every name this module exports, star re-exports included (not their defaults), less those two
   * stars provide with different values: a run leaves an ambiguous name out of the namespace.
   * Less those that are only a type (`exportsOnlyAType`), also when passed on (`export { T } from`,
   * `import { T } ...; export { T }`): tsc's emit drops them, so a run's namespace never has them.
   * (A transpiler that sees one file at a time keeps such a re-export, and the run then fails to
   * link; Gantry follows tsc, and no run has the name either way.)
   */
  allExportNames(seen = new Set<ModuleRecord>()): string[] {
    if (seen.has(this)) return [];
    seen.add(this);
    const names = new Set([...this.exports.keys()].filter((n) => !this.exportsOnlyAType(n)));
    for (const star of this.starExports) {
      const target = this.loader.importFrom(this.file, star.specifier, star.node);
      const more = target instanceof ModuleRecord ? target.allExportNames(seen) : Object.keys(target.values);
      for (const n of more) if (n !== "default" && !this.isAmbiguous(n)) names.add(n);
    }
    return [...names];
  }

  /** Whether `name` is not this module's own export and two of its `export *` provide it with different values. */
  isAmbiguous(name: string): boolean {
    return name !== "default" && !this.exports.has(name) && this.starBindings(name).size > 1;
  }

  /**
   * The distinct bindings this module's `export *` statements provide under `name` (`file#local`):
   * one binding reached through two stars is one; two are an ambiguous name, which a run refuses to
   * import and leaves out of the namespace.
   */
  private starBindings(name: string): ReadonlySet<string> {
    // Asked on every read through a star (a namespace's member in a loop): the module graph does not change within a compile.
    const known = this.starBindingsByName.get(name);
    if (known) return known;
    const keys = new Set<string>();
    for (const star of this.starExports) {
      try {
        const key = this.bindingKeyThrough(star, name, new Set([this]));
        if (key !== undefined) keys.add(key);
      } catch (e) {
        if (!(e instanceof StaticError || e instanceof Poisoned)) throw e; // reported where it is read
      }
    }
    this.starBindingsByName.set(name, keys);
    return keys;
  }

  /** Memo of `starBindings`. */
  private readonly starBindingsByName = new Map<string, ReadonlySet<string>>();

  private bindingKeyThrough(star: { specifier: string; node: ts.Node }, name: string, seen: Set<ModuleRecord>): string | undefined {
    const target = this.loader.importFrom(this.file, star.specifier, star.node);
    return target instanceof ModuleRecord ? target.bindingKey(name, seen) : Object.hasOwn(target.values, name) ? `${star.specifier}#${name}` : undefined;
  }

  /** Where export `name` is declared (`file#local`), through re-exports, re-exported imports and stars (the first that has it); undefined if none. */
  private bindingKey(name: string, seen: Set<ModuleRecord>): string | undefined {
    if (seen.has(this)) return undefined;
    seen.add(this);
    const source = this.exports.get(name);
    const follow = (specifier: string, at: ts.Node, imported: string) => {
      const target = this.loader.importFrom(this.file, specifier, at);
      return target instanceof ModuleRecord ? target.bindingKey(imported, seen) : `${specifier}#${imported}`;
    };
    if (source?.kind === "reexport") return follow(source.specifier, source.node, source.name);
    if (source?.kind === "local") {
      // A re-exported import is the binding it imports: `import { x } from "./a"; export { x }` in two modules is one x.
      const node = this.scope.lookup(source.name)?.node;
      const binding = node && importedBinding(node);
      if (!binding) return `${this.file.fileName}#${source.name}`;
      const { from, imported } = binding;
      if (imported !== undefined) return follow(from.text, from, imported);
      const target = this.loader.importFrom(this.file, from.text, from);
      return `${target instanceof ModuleRecord ? target.file.fileName : from.text}#*`;
    }
    if (source) return `${this.file.fileName}#*${name}`;
    if (name === "default") return undefined;
    for (const star of this.starExports) {
      const key = this.bindingKeyThrough(star, name, seen);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  hasExport(name: string, seen = new Set<ModuleRecord>()): boolean {
    if (this.exports.has(name)) return true;
    if (name === "default" || seen.has(this)) return false;
    seen.add(this);
    return this.starExports.some((s) => {
      try {
        const target = this.loader.importFrom(this.file, s.specifier, s.node);
        return target instanceof ModuleRecord ? target.hasExport(name, seen) : Object.hasOwn(target.values, name);
      } catch (e) {
        // A chain of `export *` too deep for the stack is not "no such export" (module review finding).
        if (e instanceof Poisoned || isStackOverflow(e)) throw e;
        return false;
      }
    });
  }
}

/** The DSL module: its exports are Gantry's own functions. */
class DslModule {
  readonly values = dslModule;
  readExport(name: string, at: ts.Node): unknown {
    if (!Object.hasOwn(this.values, name)) throw new StaticError("GANTRY1111", at, `"gantry" has no export "${name}"`);
    return this.values[name];
  }
}

/**
 * A JSON file imported as a module (`import regions from "./regions.json"`): data, read and parsed,
 * never run. As in Node, its one export is `default`, the parsed document (frozen, as a module-level value).
 */
class JsonModule {
  readonly values: Readonly<Record<string, unknown>>;

  constructor(value: unknown) {
    // Null-prototype, as a module namespace (`import * as doc`): `"valueOf" in doc` is false.
    this.values = Object.freeze(Object.assign(Object.create(null) as Record<string, unknown>, { default: freezeModuleValue(value) }));
  }

  readExport(name: string, at: ts.Node): unknown {
    if (name !== "default") {
      throw new StaticError("GANTRY1111", at, `a JSON module has only a default export, not "${name}"`, `Import the document and read the field: \`import data from "./file.json"\`, then \`data.${name}\`.`);
    }
    return this.values.default;
  }
}

export class ModuleLoader {
  private readonly records = new Map<string, ModuleRecord>();
  private readonly dsl = new DslModule();
  /** JSON modules read so far, by path; `null` for one that failed (reported once). */
  private readonly json = new Map<string, JsonModule | null>();
  evaluator!: Evaluator;
  /**
   * Import resolutions of this compile, remembered: every pipeline of a repository imports the same
   * helpers, and the file-system probes were a fifth of evaluation time.
   */
  readonly resolver: ModuleResolver;
  /** Syntax errors of every module loaded, each file's reported once. */
  readonly syntaxDiagnostics: Diagnostic[] = [];
  /** How many times each file was loaded: more than once after a `release` and a later import. */
  private readonly loads = new Map<string, number>();
  private readonly namespaces = new WeakMap<ModuleRecord, ModuleNamespace>();
  /** Memo of `changeInHelper`, by function, then by whether `this` and which parameters hold module values; `null`: none (or being scanned). */
  readonly helperChanges = new WeakMap<ts.Node, Map<string, Change | null>>();
  /** Files whose syntax a check read without loading them as modules (`peek`): dependencies too. */
  private readonly peeked = new Set<string>();
  /** Modules that could not be read or parsed (see `module`). */
  private readonly unreadable = new Set<string>();
  /** Files the import graph leads to (`importEdges`), loaded or not. */
  private readonly edgeTargets = new Set<string>();
  /** Import edges of released modules, for `importGraph`. */
  private readonly releasedEdges = new Map<string, Map<string, Span>>();
  /** Files some module imports: never released, their values are shared. */
  private readonly imported = new Set<string>();
  /**
   * Top-level initialisers running now, innermost last: where (`<file>#<statement>.<declarator>`),
   * how many pipelines each has made, and the budget spent before it, given back when it ends.
   */
  private readonly running: { site: string; made: number; budget: number }[] = [];
  /**
   * Where each pipeline was made: "<site>#<n>", the n-th pipeline made by that top-level
   * initialiser, its file named relative to cwd (the compile cache keeps ids, and a project may move).
   * Evaluation is deterministic, so a module read again after a `release` makes the same pipelines
   * with the same ids.
   */
  private readonly madeAt = new WeakMap<object, string>();

  enterInitializer(record: ModuleRecord, site: string): void {
    // Each top-level initialiser runs within a work budget of its own, never that of whichever export
    // read its module first: that depends on what else the compile reads (a --cache or --watch batch
    // of one entry reads a shared module anew), and must not decide whether a compile passes (cache review finding).
    this.running.push({ site: `${this.program.relative(record.file.fileName)}#${site}`, made: 0, budget: this.evaluator.takeBudget() });
    this.evaluator.callSites.push(null); // a module's code runs on its own, not called by whatever read it first
  }

  leaveInitializer(): void {
    this.evaluator.callSites.pop();
    const frame = this.running.pop();
    if (frame) this.evaluator.restoreBudget(frame.budget);
  }

  noteMade(definition: object): void {
    const top = this.running.at(-1);
    if (top && !this.madeAt.has(definition)) this.madeAt.set(definition, `${top.site}#${top.made++}`);
  }

  idOf(definition: object): string | undefined {
    return this.madeAt.get(definition);
  }

  /** Files whose imports were linked (`linkModule`): once per compile. */
  private readonly linked = new Set<string>();
  /** Files whose unread declarations were checked (`reportUnreadMutations`): once per compile. */
  private readonly checkedUnread = new Set<string>();

  constructor(readonly program: SourceProgram) {
    this.resolver = new ModuleResolver(program.cwd);
  }

  /**
   * Call once an entry's exports are read: loads what the imports of every module loaded so far
   * name that no read needed (an `import "./x"` for its effects, a re-export, an import only unread
   * code uses), as a run does before anything runs, and reports names they lack (`link.ts`).
   */
  linkLoaded(): void {
    // Linking may load more modules, which are linked in turn (the map grows while it is iterated).
    for (const [file, record] of this.records) {
      if (this.linked.has(file) || record.hasSyntaxErrors) continue;
      this.linked.add(file);
      // With a budget of its own: what the entry's exports spent must not decide what its imports' checks can do.
      const spent = this.evaluator.takeBudget();
      try {
        linkModule(record, this, this.evaluator);
      } finally {
        this.evaluator.restoreBudget(spent);
      }
    }
  }

  /**
   * Call once an entry's exports are read. In every module loaded so far, a top-level declaration
   * nothing read whose initialiser calls a mutating array method on one of the module's values
   * (`const added = names.push("b")`) is GANTRY1104: a run executes it, Gantry does not, and the
   * values Gantry read would silently differ. Found by reading the syntax, never by evaluating it.
   */
  checkUnreadDeclarations(): void {
    for (const [file, record] of this.records) {
      if (this.checkedUnread.has(file) || record.hasSyntaxErrors) continue;
      this.checkedUnread.add(file);
      const reported = reportUnreadMutations(record, this.evaluator, this);
      runUnreadDeclarations(record, this.evaluator, reported);
    }
  }

  /**
   * Absolute paths of every module loaded (or found unreadable, or only imported: see `importGraph`) so far, of the tsconfig files bare imports were resolved
   * with, and of the files whose appearance would change what an import names (paths probed in
   * vain, a nearer tsconfig.json): what the analysed entries depend on.
   */
  loadedFiles(): string[] {
    return [...new Set([...this.loads.keys(), ...this.peeked, ...this.unreadable, ...this.edgeTargets, ...this.resolver.lookups, ...this.resolver.configFiles()])];
  }

  /** Forgets a module no other module has imported, and its syntax tree; a later import loads it again. */
  release(absolutePath: string): void {
    const record = this.records.get(absolutePath);
    if (!record || this.imported.has(absolutePath)) return;
    // Its imports still count for the cycle check, which runs once every entry has been read.
    this.releasedEdges.set(absolutePath, this.importEdges(record));
    this.records.delete(absolutePath);
    this.program.release(absolutePath);
  }

  /** The module for a file; undefined if the file cannot be read. */
  module(absolutePath: string): ModuleRecord | undefined {
    let record = this.records.get(absolutePath);
    if (record) return record;
    const sf = this.program.file(absolutePath);
    if (!sf) {
      this.unreadable.add(absolutePath); // a dependency still: once it can be read, its importers change
      return undefined;
    }
    const syntax = this.program.syntaxDiagnostics(absolutePath);
    const loads = (this.loads.get(absolutePath) ?? 0) + 1;
    this.loads.set(absolutePath, loads);
    if (loads === 1) this.syntaxDiagnostics.push(...syntax);
    record = new ModuleRecord(sf, this, this.evaluator, syntax.length > 0);
    this.records.set(absolutePath, record);
    // Reported on the first reading; a second would count its failures against the export reading it now.
    // During a speculation, after it: the checks read module values, which must not be ones about to be undone.
    if (!record.hasSyntaxErrors && loads === 1) {
      this.evaluator.whenNotSpeculating(() => {
        reportTopLevelStatements(record, this.evaluator);
        reportDecorators(record, this.evaluator);
      });
    }
    return record;
  }

  importFrom(from: ts.SourceFile, specifier: string, at: ts.Node): ModuleRecord | DslModule | JsonModule {
    const resolved = this.resolver.resolve(from.fileName, specifier);
    if (resolved.kind === "dsl") return this.dsl;
    if (resolved.kind === "package") throw new StaticError("GANTRY1103", at, `cannot import "${specifier}" at compile time`, this.packageHint(resolved));
    if (resolved.kind === "json") return this.jsonModule(resolved.file, specifier, at);
    if (resolved.kind === "invalid-package-json") {
      throw new StaticError("GANTRY1111", at, `cannot resolve "${specifier}": ${resolved.file}, whose "imports" decide it, is not valid JSON (${resolved.problem})`, "Node refuses to import through a package.json it cannot parse (ERR_INVALID_PACKAGE_CONFIG), and so does Gantry: fix the file.");
    }
    const file = resolved.file;
    if (file) this.imported.add(file);
    const record = file && this.module(file);
    if (file && !record) throw new StaticError("GANTRY1001", at, cannotRead(this.program, file));
    if (!record) throw new StaticError("GANTRY1111", at, `cannot resolve "${specifier}" to a TypeScript or JavaScript module`, "Relative imports must point at a .ts/.mts/.cts file, an ES module in .js/.mjs, or a folder with an index file (CommonJS .cjs modules are not read).");

    // Its syntax errors are reported already; values read from a mis-parsed file would be guesses.
    if (record.hasSyntaxErrors) throw new Poisoned();
    return record;
  }

  private packageHint({ config, alias }: Extract<Resolution, { kind: "package" }>): string {
    // Written as a path from the working directory: `./tsconfig.json`, `./packages/a/tsconfig.json`, `../tsconfig.json`.
    const name = config && (config.file.startsWith("../") ? config.file : `./${config.file}`);
    const problem = config?.problem ? ` (${name} has a problem, ${config.problem})` : "";
    if (alias) {
      const tried = alias.tried.map((t) => `"${t}"`).join(", ");
      return `The \`paths\` pattern "${alias.pattern}" of ${name} maps it to ${tried || "nothing"}, where there is no module of the project (a .ts or .js file, or a folder with one, outside node_modules)${problem}; so it names a package, and Gantry never loads packages while compiling.`;
    }
    // A solution config only lists projects; the aliases are those of the project that includes the file, as in an editor.
    const solution = config?.solution ? ` ${name} is a solution config (\`files: []\` with \`references\`), and none of the projects it references includes this file, so no project's \`paths\` apply to it: add the file to a referenced project's \`include\`, or declare the alias in ${name} itself.` : "";
    return `Pipelines may import local modules (by relative path or a \`paths\` alias of ${name ?? "the nearest tsconfig.json"}) and "gantry" only; Gantry never loads other packages while compiling${problem}.${solution}`;
  }

  /**
   * The syntax tree of the local module `specifier` names from `fileName`, parsed but not loaded as a
   * module (no values, no diagnostics, no import edges), for checks that read syntax only. It
   * counts as a dependency for --watch.
   */
  peek(fileName: string, specifier: string): ts.SourceFile | undefined {
    const resolved = this.resolver.moduleFile(fileName, specifier);
    if (resolved === undefined) return undefined;
    this.peeked.add(resolved);
    // A tree the parser had to guess at says nothing reliable (its errors are reported when it is loaded).
    const file = this.program.file(resolved);
    return file && this.program.syntaxDiagnostics(resolved).length === 0 ? file : undefined;
  }

  /** Whether a declaration is an import from a package (not a local module, not "gantry"): such values cannot reach what Gantry reads. */
  isPackageImport(declaration: ts.Node): boolean {
    const specifier = importSpecifierOf(declaration);
    return specifier !== undefined && !this.resolver.isLinked(declaration.getSourceFile().fileName, specifier);
  }

  /** A JSON module: its file read and parsed once per compile; invalid JSON is GANTRY1002 in that file. */
  private jsonModule(file: string, specifier: string, at: ts.Node): JsonModule {
    const known = this.json.get(file);
    if (known) return known;
    if (known === null) throw new Poisoned(); // reported when it was first read
    this.loads.set(file, (this.loads.get(file) ?? 0) + 1); // a dependency, for --watch
    // Not a regular file (a folder, a FIFO that would block the read): not a JSON module.
    if (!isFile(file)) throw new StaticError("GANTRY1111", at, `cannot resolve "${specifier}" to a JSON file`, "Check the path: JSON imports name the file with its extension, relative to the importing file.");
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new StaticError("GANTRY1001", at, `cannot read ${this.program.relative(file)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const source = withoutBom(text); // as Node's JSON loader
    this.resolver.noteRead(file, source);
    try {
      const module = new JsonModule(JSON.parse(source));
      this.json.set(file, module);
      return module;
    } catch (e) {
      this.json.set(file, null);
      const { message, offset } = jsonParseError(source, e);
      this.program.keepText(file, source); // for the code frame
      // Counted, not parsed: a document nested deeper than the stack must not break the report of it.
      const before = source.slice(0, offset).split("\n");
      this.syntaxDiagnostics.push({ code: "GANTRY1002", severity: "error", message: `invalid JSON: ${message}`, span: { file: this.program.relative(file), line: before.length, column: before.at(-1)!.length + 1 } });
      throw new Poisoned();
    }
  }

  /**
   * The import graph of every module loaded so far (released ones included): for each, the files
   * it imports or re-exports values from, and where, whether loaded or not. What `importCycles` walks.
   */
  importGraph(): ImportGraph {
    const graph = new Map<string, ReadonlyMap<string, Span>>(this.releasedEdges);
    for (const [file, record] of this.records) graph.set(file, this.importEdges(record));
    return graph;
  }

  /** A module's relative value imports and re-exports: the file each leads to, and where it is written. */
  private importEdges(record: ModuleRecord): Map<string, Span> {
    const edges = new Map<string, Span>();
    for (const s of record.file.statements) {
      const spec = (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      if ((ts.isImportDeclaration(s) && isTypeOnlyImport(s)) || (ts.isExportDeclaration(s) && isTypeOnlyExport(s))) continue;
      const target = this.resolver.moduleFile(record.file.fileName, spec.text);
      if (target === undefined) continue;
      // An edge to a module that was never loaded still makes a cycle: where it leads is a dependency.
      this.edgeTargets.add(target);
      if (!edges.has(target)) edges.set(target, nodeSpan(spec, this.program.relative));
    }
    return edges;
  }

  namespaceOf(from: ts.SourceFile, specifier: string, at: ts.Node): unknown {
    const target = this.importFrom(from, specifier, at);
    if (!(target instanceof ModuleRecord)) return target.values;
    // One namespace object per module, as in JavaScript: `import * as a` twice gives the same object.
    let ns = this.namespaces.get(target);
    if (!ns) this.namespaces.set(target, (ns = new ModuleNamespace(target, at)));
    return ns;
  }
}

/** Declares every top-level binding of a module lazily, and records its exports. */
function declareTopLevel(record: ModuleRecord, ev: Evaluator): void {
  const { scope, file } = record;
  const loader = ev.modules;
  const lazy = (name: string, node: ts.Node, init: (self: Binding) => unknown) => {
    const binding: Binding = { state: "pending", value: undefined, node };
    binding.init = () => init(binding);
    scope.declare(name, binding);
    return binding;
  };

  file.statements.forEach((statement, index) => {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);

    if (ts.isVariableStatement(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return;
      statement.declarationList.declarations.forEach((decl, declarator) => {
        // A destructuring declaration is evaluated once and its names bound from that one value.
        let whole: Scope | undefined;
        const evaluateDecl = () => {
          if (!whole) {
            recordUndo(() => (whole = undefined));
            whole = new Scope(scope);
            const value = decl.initializer ? ev.evaluate(decl.initializer, scope) : undefined;
            ev.bind(decl.name, value, whole, decl, decl.initializer && ev.originOf(decl.initializer, scope));
          }
          return whole;
        };
        for (const name of boundNames(decl.name)) {
          const binding = lazy(name, decl, (self) => {
            return record.running(index, declarator, () => {
              const evaluated = evaluateDecl().lookup(name)!;
              self.origin = evaluated.origin;
              return freezeModuleValue(readBinding(evaluated, name, decl), decl);
            });
          });
          binding.guard = declarationOrderGuard(record, index + declarator / MAX_DECLARATORS, name, Boolean(statement.declarationList.flags & ts.NodeFlags.BlockScoped));
          if (exported) record.exports.set(name, { kind: "local", name, node: decl });
        }
      });
    } else if (ts.isFunctionDeclaration(statement)) {
      if (!statement.body) return; // overload signature
      const name = statement.name?.text ?? "default";
      lazy(name, statement, () => ev.closure(statement, scope));
      if (exported) record.exports.set(isDefault ? "default" : name, { kind: "local", name, node: statement });
    } else if (ts.isClassDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      lazy(name, statement, () => {
        throw new StaticError("GANTRY1106", statement, "classes are not evaluated at compile time", "Use a plain object (`as const`) instead.");
      });
      if (exported) record.exports.set(isDefault ? "default" : name, { kind: "local", name, node: statement });
    } else if (ts.isEnumDeclaration(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return;
      const name = statement.name.text;
      // Another enum, or a namespace, of the same name adds to the same object.
      const merged = file.statements.some((other) => other !== statement && (ts.isEnumDeclaration(other) || (ts.isModuleDeclaration(other) && !hasModifier(other, ts.SyntaxKind.DeclareKeyword))) && ts.isIdentifier(other.name) && other.name.text === name);
      const binding = lazy(name, statement, () => {
        // Declarations of one enum add to one object, in an order that depends on the whole module.
        if (merged) throw new StaticError("GANTRY1100", statement.name, `enum "${name}" is declared more than once; merged enums are not evaluated at compile time`, "Declare all its members in one `enum` declaration.");
        return record.running(index, 0, () => freezeModuleValue(enumObject(statement, scope, ev)));
      });
      binding.guard = declarationOrderGuard(record, index, name, false); // emitted as `var E; (function (E) {...})(E || (E = {}))` where it stands
      if (exported) record.exports.set(name, { kind: "local", name, node: statement });
    } else if (ts.isImportDeclaration(statement)) {
      declareImport(statement, record, loader, lazy);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      if (statement.isTypeOnly) return;
      // `import x = require("./x")` (CommonJS, refused by TypeScript in an ES module) or a namespace alias.
      const name = statement.name.text;
      const ref = statement.moduleReference;
      lazy(name, statement, () => {
        if (ts.isExternalModuleReference(ref)) {
          throw new StaticError("GANTRY1100", statement, "`import ... = require(...)` is CommonJS, which Gantry does not read: it reads ES modules", `Write \`import * as ${name} from ${ref.expression.getText()}\` (or import the names you use).`);
        }
        throw new StaticError("GANTRY1100", statement, "a namespace alias (`import x = A.B`) is not evaluated at compile time", `Write \`const ${name} = ${ref.getText()}\`.`);
      });
      if (exported) record.exports.set(name, { kind: "local", name, node: statement });
    } else if (ts.isExportAssignment(statement)) {
      // `export default <expression>`
      lazy("*default*", statement, () => {
        return record.running(index, 0, () => freezeModuleValue(ev.evaluate(statement.expression, scope), statement));
      });
      record.exports.set("default", { kind: "local", name: "*default*", node: statement });
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) return;
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      const clause = statement.exportClause;
      // Failures to load the module are reported at its specifier, where linking reports them too: one finding, not two.
      if (!clause) {
        if (specifier) record.starExports.push({ specifier, node: statement.moduleSpecifier! });
      } else if (ts.isNamespaceExport(clause)) {
        if (specifier) record.exports.set(clause.name.text, { kind: "namespace", specifier, node: statement.moduleSpecifier! });
      } else {
        for (const el of clause.elements) {
          if (el.isTypeOnly) continue;
          const exportedName = el.name.text;
          const localName = (el.propertyName ?? el.name).text;
          record.exports.set(exportedName, specifier ? { kind: "reexport", specifier, name: localName, node: el } : { kind: "local", name: localName, node: el });
        }
      }
    }
  });
  // Declared last: a read of one of these names fails rather than reading one declaration of several.
  for (const [name, again] of redeclaredModuleVars(file)) {
    lazy(name, again, () => {
      throw new StaticError("GANTRY1100", again, `module variable "${name}" is declared with \`var\` more than once, or inside a loop, block or switch; JavaScript makes those one variable, which is not evaluated at compile time`, "Declare it once, at the top level, with `const` (or `let` never reassigned).");
    });
  }
}

/**
 * Whether `file` has a type named `name`: a top-level interface or type alias, or a type-only import
 * binding; with `exported`, only one it exports (`export interface`, `export default interface` for
 * "default", `export type { T }`, `export { type T }`, `export type { T } from`).
 */
function declaresType(file: ts.SourceFile, name: string, exported: boolean): boolean {
  for (const st of file.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      if (!exported ? st.name.text === name : hasModifier(st, ts.SyntaxKind.ExportKeyword) && (hasModifier(st, ts.SyntaxKind.DefaultKeyword) ? name === "default" : st.name.text === name)) return true;
    } else if (exported && ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      if (st.exportClause.elements.some((el) => el.name.text === name && (st.isTypeOnly || el.isTypeOnly))) return true;
    } else if (!exported && ts.isImportDeclaration(st) && st.importClause) {
      const clause = st.importClause;
      if (clause.isTypeOnly && clause.name?.text === name) return true;
      const b = clause.namedBindings;
      if (b && ts.isNamedImports(b) && b.elements.some((el) => el.name.text === name && (clause.isTypeOnly || el.isTypeOnly))) return true;
    }
  }
  return false;
}

/** Declarators of one statement are ordered within it: the n-th runs at `statement + n / MAX_DECLARATORS`. */
const MAX_DECLARATORS = 1 << 20;

/**
 * Run in order, a module's initialiser at position `index` or before cannot see what that position
 * declares (`const a = 1, b = a` reads `a` after it ran). For a `let`/`const` (`lexical`) a run fails there too (its dead zone); a `var` or an
 * enum would read `undefined`, which Gantry refuses rather than computes.
 */
function declarationOrderGuard(record: ModuleRecord, index: number, name: string, lexical: boolean): (at: ts.Node) => void {
  return (at) => {
    const current = record.initializing.at(-1);
    if (current !== undefined && current <= index) {
      throw new (lexical ? RunFailure : StaticError)("GANTRY1109", at, `"${name}" is used before its declaration runs`, "Move the declaration above its first use: running the module would fail here.");
    }
  };
}

function declareImport(statement: ts.ImportDeclaration, record: ModuleRecord, loader: ModuleLoader, lazy: (name: string, node: ts.Node, init: (self: Binding) => unknown) => void): void {
  const clause = statement.importClause;
  if (!clause || clause.isTypeOnly || !ts.isStringLiteral(statement.moduleSpecifier)) return;
  const specifier = statement.moduleSpecifier.text;
  const from = record.file;
  if (clause.name) lazy(clause.name.text, clause, () => loader.importFrom(from, specifier, statement.moduleSpecifier).readExport("default", clause.name!));
  const bindings = clause.namedBindings;
  if (!bindings) return;
  if (ts.isNamespaceImport(bindings)) {
    lazy(bindings.name.text, bindings, () => loader.namespaceOf(from, specifier, statement.moduleSpecifier));
    return;
  }
  for (const el of bindings.elements) {
    if (el.isTypeOnly) continue;
    const imported = (el.propertyName ?? el.name).text;
    lazy(el.name.text, el, (self) => {
      const target = loader.importFrom(from, specifier, statement.moduleSpecifier);
      const value = target.readExport(imported, el);
      if (target instanceof ModuleRecord) self.origin = target.exportOrigin(imported);
      return value;
    });
  }
}

/**
 * Module-level arrays and objects are fixed once their declaration has run. Gantry evaluates
 * declarations lazily, in the order pipelines need them, and shares modules between all the files
 * of a compile; a helper that pushed into a module-level array would make one pipeline's output
 * depend on which others were compiled first. Freezing turns that into a diagnostic.
 */
export function freezeModuleValue<T>(value: T, at?: ts.Node): T {
  // A work list, not recursion: a value built by `reduce` can be nested deeper than the stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    // Frozen containers are walked too (the DSL freezes a pipeline's task list, an author may
    // freeze shallowly): what they hold may not be.
    if (v === null || (typeof v !== "object" && typeof v !== "function") || walked.has(v)) continue;
    if (typeof v === "function") {
      walked.add(v);
      // What a closure captured lives as long as the value: a counter's object, a registry's array.
      // Up to the module's own scope, whose bindings are module values frozen on their own.
      for (let s = capturedScopes.get(v); s?.parent && !walked.has(s); s = s.parent) {
        walked.add(s);
        for (const captured of s.values()) pending.push(captured);
      }
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      // Freezing cannot stop an iterator advancing: every pipeline reading it would drain the same one.
      if (at && arrayIterators.has(v)) {
        throw new StaticError("GANTRY1104", at, "an array iterator (entries(), keys(), values()) held by a module-level value would be shared, and used up, by every pipeline that reads it", "Keep the array at module level, and call .entries(), .keys() or .values() where it is looped over.");
      }
      continue; // not marked walked: an iterator is checked wherever a module value holds it
    }
    walked.add(v);
    Object.freeze(v);
    for (const child of Object.values(v)) pending.push(child);
  }
  return value;
}

/** Objects and closure scopes `freezeModuleValue` has walked (and frozen): each is walked once. */
const walked = new WeakSet<object>();
/** Pipelines whose declaration `freezePipelineData` has frozen. */
const frozenPipelines = new WeakSet<PipelineDefinition>();

/**
 * Freezes what a pipeline was declared with (its options, its tasks' specs) before code reads into
 * it (`other.tasks[0].spec`, `{ ...other }`, `Object.values(other)`): changing another entry's
 * pipeline would make its manifest depend on what else is compiled. Done when it is read, not when
 * the pipeline is made: freezing every spec of a large compile would cost more than the rest of
 * the evaluation (and the compiler itself only reads them).
 */
export function freezePipelineData(definition: PipelineDefinition): void {
  if (frozenPipelines.has(definition)) return;
  frozenPipelines.add(definition);
  // Validation reports what in it is not data (an iterator, a function): no `at`, so no GANTRY1104 for iterators.
  freezeModuleValue(definition.options);
  freezeModuleValue(definition.tasks);
}

/** Whether a `throw` runs with the node's code, not only inside a function it defines. */
function throwsAtLoad(node: ts.Node): boolean {
  if (ts.isThrowStatement(node)) return true;
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  return ts.forEachChild(node, throwsAtLoad) ?? false;
}

/** Whether TypeScript emits code for a namespace: it is not `declare`d and holds more than types (and namespaces of types). */
function isInstantiated(ns: ts.ModuleDeclaration): boolean {
  if (hasModifier(ns, ts.SyntaxKind.DeclareKeyword) || !ts.isIdentifier(ns.name)) return false;
  const body = ns.body;
  if (!body) return false;
  if (ts.isModuleDeclaration(body)) return isInstantiated(body); // namespace A.B { ... }
  if (!ts.isModuleBlock(body)) return false;
  return body.statements.some((st) => (ts.isModuleDeclaration(st) ? isInstantiated(st) : !ts.isInterfaceDeclaration(st) && !ts.isTypeAliasDeclaration(st) && !hasModifier(st, ts.SyntaxKind.DeclareKeyword) && !(ts.isImportDeclaration(st) && st.importClause?.isTypeOnly)));
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Words a module cannot declare (`export const class` is no JavaScript), though an export list may name them. */
const RESERVED_WORDS = new Set(
  "await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield".split(" "),
);


/** Statements a module's evaluation reads: declarations. Anything else at top level is a side effect. */
const DECLARATIONS = new Set([
  ts.SyntaxKind.VariableStatement, ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.ClassDeclaration, ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ImportDeclaration, ts.SyntaxKind.ImportEqualsDeclaration, ts.SyntaxKind.ExportAssignment, ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.ModuleDeclaration, ts.SyntaxKind.EmptyStatement,
]);

/**
 * Top-level bindings are evaluated lazily and top-level statements never run. A statement that
 * touches the module's own values (`xs.push(4)`, `n = 2`, `register(config)`) would make the values
 * Gantry reads differ from the module's when executed: an error. Any other statement (writing a
 * file, `process.exit()`, an endless loop) cannot change what Gantry reads: a warning that it is
 * not run. A bare `pipeline(...)` call is evaluated, body and all, and left to the "not exported" warning.
 */
function reportTopLevelStatements(record: ModuleRecord, ev: Evaluator): void {
  record.file.statements.forEach((statement, index) => {
    const namespace = ts.isModuleDeclaration(statement) && isInstantiated(statement);
    if (DECLARATIONS.has(statement.kind) && !namespace) return;
    try {
      // A namespace with code runs it when the module loads (TypeScript emits a function called on the
      // spot): one that could change a module value, or throw, makes the run differ from what Gantry reads.
      if (namespace) {
        if (throwsAtLoad(statement) || record.running(index, 0, () => mayChangeLocalValue(statement, record))) {
          throw new StaticError("GANTRY1100", statement.name, "this TypeScript namespace runs code when the module loads that could change a module value or throw, and Gantry does not evaluate namespaces", "Use a plain object (`export const Cfg = { ... } as const`) or a module of its own, and build values in their declarations.");
        }
        return;
      }
      if (checkThatThrows(statement, index, record, ev)) return;
      if (ts.isExpressionStatement(statement)) {
        const e = statement.expression;
        // Evaluated, so it is reported (a reassignment, a change of a frozen value, a built-in, an
        // undeclared name), except a setting of the process (`process.exitCode = 1`): a warning below.
        if (isAssignment(e) && !setsProcess(e, record)) ev.evaluate(e, record.scope);
        // A bare `pipeline(...)` runs its body when the module loads, as an exported one does: run
        // it in its place, so a body that changes a module value or throws is reported (the
        // pipeline itself is only warned about as not exported).
        if (ts.isCallExpression(e) && calleeIs(e, dslModule.pipeline as Function, record, ev)) {
          record.running(index, 0, () => ev.evaluate(e, record.scope));
          return;
        }
      }
      // In its place in the module: reading a `const` declared below it fails as in a run (GANTRY1109).
      let result: ReturnType<Evaluator["speculate"]> | undefined;
      const local = record.running(index, 0, () => {
        const changed = mayChangeLocalValue(statement, record);
        // Run it, as the module would: a check that passes (`assertUnique(TABLES)`) changes nothing
        // Gantry reads, since module values are frozen; one that fails fails the run too.
        // Any other is run too: a throw it reaches (`JSON.parse("{")`, a callback's `throw`) stops the module loading.
        result = ev.speculate(() => ev.execute(statement, record.scope));
        return changed;
      });
      if (local && result) {
        if (result.ran) return;
        if (result.first && runFailsHere(result.first)) throw result.first;
        throw changeError(local);
      }
      // Touching no module value, it fails a run only through a throw it reaches, its own or a
      // built-in's (anything else Gantry refuses, `fs` or `process.exit()`, may be its own limit).
      if (result && !result.ran && result.first && runFailsHere(result.first)) throw result.first;
      // `console.log(...)` ran and said it prints nothing (GANTRY1122): that is the whole story.
      if (result?.ran && ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression) && loggingCall(statement.expression, record.scope)) return;
      ev.warn("GANTRY1121", statement, "this top-level statement's effects are not kept by Gantry; it cannot affect the compiled pipelines", "Gantry reads declarations only. Remove the statement if it only matters when the module is executed.");
    } catch (e) {
      // The checks above walk the statement's syntax recursively, as the parser built it.
      ev.recover(isStackOverflow(e) ? outOfStack(statement, "this top-level statement", "statements") : e);
    }
  });
}

/**
 * Decorators are called when the class they decorate is defined, which for a class at top level is
 * when the module loads, but Gantry never evaluates classes. One that names the module's own values
 * (`@register`, `@track(LIST)`) could change them or throw, so the values Gantry reads could differ
 * from a run's: GANTRY1100. Decorators from packages cannot reach what Gantry reads.
 */
function reportDecorators(record: ModuleRecord, ev: Evaluator): void {
  // Most modules: no decorator, no walk (an `@` alone is common: image digests, JSDoc tags).
  const text = record.file.text;
  if (!text.includes("@") || !text.includes("class")) return;
  // A walk with a list, not recursion: an expression nested thousands deep is GANTRY1108 elsewhere, not a crash here.
  const pending: ts.Node[] = record.file.statements.filter((st) => !hasModifier(st, ts.SyntaxKind.DeclareKeyword)).reverse();
  const push = (node: ts.Node) => void pending.push(node);
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isDecorator(node)) {
      const local = firstLocalReference(node.expression, record);
      if (local) {
        ev.recover(new StaticError("GANTRY1100", node, `decorator @${local.text} runs when the class is defined and could change the module's values or throw, but Gantry does not evaluate classes`, "Register or build values in plain declarations (`const registry = [StepA, ...]`); keep decorated classes out of modules that pipelines import."));
      }
    } else if (ts.isFunctionLike(node) && !ts.isClassLike(node)) {
      // A function's body runs only when it is called, and Gantry refuses classes there (GANTRY1106);
      // a method's decorators, and its parameters', run when its class is defined.
      if (ts.isClassElement(node)) for (const d of [node, ...node.parameters].flatMap((n) => (ts.canHaveDecorators(n) && ts.getDecorators(n)) || [])) push(d);
    } else ts.forEachChild(node, push);
  }
}

/** The first identifier in `expression` that names one of the module's own values (not a package import, nor a global). */
function firstLocalReference(expression: ts.Node, record: ModuleRecord): ts.Identifier | undefined {
  let found: ts.Identifier | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node)) {
      if (localBinding(node, record)) found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/** The binding of one of the module's own values (a declaration, or an import from a local module or from gantry) that `id` refers to, if it does. */
function localBinding(id: ts.Identifier, record: ModuleRecord): Binding | undefined {
  if (!isValueReference(id)) return undefined;
  const binding = record.scope.lookup(id.text);
  return binding && !record.loader.isPackageImport(binding.node) ? binding : undefined;
}

/**
 * A top-level `throw`, or a check `if (condition) throw ...` (no `else`): when the module runs, it
 * fails to load if the throw is reached. Decided statically, in declaration order: the condition is
 * evaluated like a declaration (it cannot change anything Gantry reads without being reported), and
 * a reached throw is GANTRY1113. False when the statement is not such a check, or its condition has
 * no static value (it is then treated like any other statement).
 */
function checkThatThrows(statement: ts.Statement, index: number, record: ModuleRecord, ev: Evaluator): boolean {
  const onlyThrow = (s: ts.Statement) => ts.isThrowStatement(s) || (ts.isBlock(s) && s.statements.length === 1 && ts.isThrowStatement(s.statements[0]!));
  const isCheck = ts.isIfStatement(statement) && !statement.elseStatement && onlyThrow(statement.thenStatement);
  if (!ts.isThrowStatement(statement) && !isCheck) return false;
  return record.running(index, 0, () => {
    if (ts.isIfStatement(statement)) {
      let condition: unknown;
      try {
        condition = ev.evaluate(statement.expression, record.scope);
      } catch (e) {
        if (e instanceof StaticError) return false;
        throw e;
      }
      if (!condition) return true; // the check passes
      ev.execute(statement.thenStatement, record.scope);
    } else ev.execute(statement, record.scope);
    return true;
  });
}

/** How a top-level statement may change one of the module's values, most certain first. */
type LocalChange = { id: ts.Identifier; how: "assigns" | "changes" | "assigns in a callback" | "calls" | "hands" };

/**
 * A reference in `statement` to one of the module's own values (a declaration, or an import from a
 * local module or from gantry) that the statement could change: a name it assigns anywhere
 * (`if (c) n = 2`, `while (n < 4) n++`, in a callback it passes: `xs.forEach(() => n++)`), a local
 * function it calls (which may mutate module state), a local used as a receiver, or a local object
 * handed to any call. Reading a local string or number cannot change anything, nor can a function
 * it only defines or hands to what runs it after the module has loaded (`process.on("exit", ...)`,
 * timers). Imports from other packages and globals cannot reach values Gantry reads. Of several,
 * the most certain change is named (`out` of `for (const r of REGIONS) out.push(r)`).
 */
function mayChangeLocalValue(statement: ts.Statement, record: ModuleRecord): LocalChange | undefined {
  let best: LocalChange | undefined;
  const rank = { assigns: 0, changes: 1, "assigns in a callback": 2, calls: 3, hands: 4 } as const;
  // Names assigned in it, the statement's own variables aside: directly, or in a callback it passes.
  const assigned = new Map<ts.Identifier, LocalChange["how"]>();
  let callbacks = 0;
  let later = 0;
  const visit = (node: ts.Node): void => {
    const fn = ts.isFunctionLike(node);
    const runsLater = fn && (!isCalledOnTheSpot(node) || runsAfterLoading(node));
    if (runsLater) later++;
    else if (fn) callbacks++;
    const target = later === 0 ? assignmentTarget(node) : undefined;
    if (target) for (const id of assignedNames(target)) if (!declaredWithin(id, statement)) assigned.set(id, callbacks === 0 ? "assigns" : "assigns in a callback");
    if (ts.isIdentifier(node)) {
      const binding = localBinding(node, record);
      const how = binding && (assigned.get(node) ?? changeBy(node, binding));
      if (how && (!best || rank[how] < rank[best.how])) best = { id: node, how };
    }
    if (best?.how !== "assigns") ts.forEachChild(node, visit);
    if (runsLater) later--;
    else if (fn) callbacks--;
  };
  visit(statement);
  return best;
}

/**
 * A callback handed to what runs it only after the module has loaded, if ever: a timer, a process
 * event, a promise's continuation. Anything else that takes a callback may run it on the spot.
 */
function runsAfterLoading(fn: ts.Node): boolean {
  const handed = callOf(fn);
  if (!handed || handed.callee) return false;
  const callee = skipTransparent(handed.call.expression);
  if (ts.isIdentifier(callee)) return ["setTimeout", "setInterval", "setImmediate", "queueMicrotask"].includes(callee.text);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const method = callee.name.text;
  if (["then", "catch", "finally"].includes(method)) return true;
  const receiver = skipTransparent(callee.expression);
  return ts.isIdentifier(receiver) && receiver.text === "process" && ["on", "once", "addListener", "prependListener", "prependOnceListener", "nextTick"].includes(method);
}

/** How a reference to a module value may change it, if it may (see `mayChangeLocalValue`). */
function changeBy(id: ts.Identifier, binding: Binding): LocalChange["how"] | undefined {
  const parent = id.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === id) {
    // `xs.push(4)`, `cfg.a = 1`: the chain it starts is called or assigned.
    let top: ts.Node = parent;
    while ((ts.isPropertyAccessExpression(top.parent) || ts.isElementAccessExpression(top.parent)) && top.parent.expression === top) top = top.parent;
    const used = top.parent;
    return (ts.isCallExpression(used) && used.expression === top) || assignmentTarget(used) === top || ts.isDeleteExpression(used) ? "changes" : "hands";
  }
  if (ts.isCallExpression(parent) && parent.expression === id) return "calls";
  // If the value itself cannot be evaluated (say `new Date()`), that is the error to report.
  const value = readBinding(binding, id.text, id);
  return value === null || (typeof value !== "object" && typeof value !== "function") ? undefined : "hands";
}

/** The error for a top-level statement that could change a module value, in the words of how. */
function changeError(change: LocalChange): StaticError {
  const name = change.id.text;
  const what = {
    assigns: `assigns "${name}"`,
    changes: `changes "${name}"`,
    "assigns in a callback": `assigns "${name}" in a function it passes to a call`,
    calls: `calls "${name}", which could change the module's values`,
    hands: `could change "${name}"`,
  }[change.how];
  return new StaticError("GANTRY1100", change.id, `this top-level statement ${what}, but Gantry reads declarations only, so the values it reads would differ from the module's when executed`, "Build the value in its declaration (with a spread, concat or map instead of changing it), or compute it inside the pipeline body.");
}

/** An identifier used as a value (not a property name after `.`, nor a declared name). */
function isValueReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) && parent.name === id) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === id) return false;
  return true;
}

/**
 * Whether an assignment sets something of the Node process (`process.exitCode = 1`): it cannot
 * reach a value Gantry reads (`process.env` is refused wherever it is read). Anything else may:
 * a module value, a built-in (`Math.max = ...` changes what every pipeline computes), a global.
 */
function setsProcess(e: ts.Expression, record: ModuleRecord): boolean {
  const assigned = skipTransparent(isBinaryAssignment(e) ? e.left : (e as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression).operand);
  if (!ts.isPropertyAccessExpression(assigned) && !ts.isElementAccessExpression(assigned)) return false;
  const target = accessRoot(assigned);
  return ts.isIdentifier(target) && target.text === "process" && record.scope.lookup("process") === undefined;
}

/** A callee that fails is not this one (and is reported as a statement like any other). */
const calleeIs = (call: ts.CallExpression, fn: Function, record: ModuleRecord, ev: Evaluator): boolean => ev.peek(call.expression, record.scope) === fn;

/** `import type {...}` or `import { type A, type B }`: erased when the module runs, so no dependency. */
function isTypeOnlyImport(s: ts.ImportDeclaration): boolean {
  const clause = s.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return !clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** `export type { T } from` or `export { type T } from` with only type elements: TypeScript's emit drops it, as it drops such imports. */
function isTypeOnlyExport(s: ts.ExportDeclaration): boolean {
  if (s.isTypeOnly) return true;
  const named = s.exportClause;
  return !!named && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
}

/** GANTRY1001's message for a file `program.file()` gave no tree for, with why. */
export function cannotRead(program: SourceProgram, file: string): string {
  const why = program.failure(file);
  return `cannot read ${program.relative(file)}${why ? `: ${why}` : ""}`;
}

/**
 * Each loaded file (absolute path) -> the files it imports values from, each with where the import
 * is written. An edge to a file that is not a key (never loaded) is not part of the graph.
 */
export type ImportGraph = ReadonlyMap<string, ReadonlyMap<string, Span>>;

/**
 * Cycles in an import graph, each reported once, at the import leaving its alphabetically first
 * file. In a cycle, which module initialises first depends on the entry point, so the values Gantry
 * reads could differ from a run's. Graphs of several analyses (one per --watch entry) can be merged
 * first: a file's edges do not depend on who read it.
 */
export function importCycles(graph: ImportGraph, relative: (file: string) => string): { path: string[]; span: Span }[] {
  const cycles: { path: string[]; span: Span }[] = [];
  const seen = new Set<string>();
  const state = new Map<string, "open" | "done">();
  // A depth-first walk with its own stack, not recursion: a chain of thousands of imports must not
  // exhaust JavaScript's (module review finding: 5,000 files in a row crashed the compile).
  const stack: string[] = [];
  const pending: string[][] = [];
  const open = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    pending.push([...(graph.get(file)?.keys() ?? [])].filter((f) => graph.has(f)).sort().reverse());
  };
  for (const root of [...graph.keys()].sort()) {
    if (state.has(root)) continue;
    open(root);
    while (stack.length > 0) {
      const next = pending[pending.length - 1]!.pop();
      if (next === undefined) {
        state.set(stack.pop()!, "done");
        pending.pop();
      } else if (state.get(next) === "open") {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        const key = rotated.join("\n");
        if (seen.has(key)) continue;
        seen.add(key);
        const span = graph.get(rotated[0]!)!.get(rotated[1] ?? rotated[0]!)!;
        cycles.push({ path: [...rotated, rotated[0]!].map(relative), span });
      } else if (!state.has(next)) open(next);
    }
  }
  return cycles;
}

