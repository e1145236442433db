/**
 * Task names that are functions of expr-lang, the language Argo evaluates `depends` with (after
 * `-` becomes `_`). Argo 3.5 reads such a name as the function, so every `depends` that names the
 * task fails to evaluate and the tasks after it error (argo-workflows#12037, #12308, closed;
 * shared/reference/argo.md §2.1). Names Gantry accepts are lowercase letters, digits and `-`, so
 * only the all-lowercase builtins can collide; the keywords (`in`, `not`, ...) are GANTRY2005.
 */
import type { Diagnostic } from "../../diagnostics/index.js";
import type * as IR from "../../ir/index.js";

const EXPR_FUNCTIONS: ReadonlySet<string> = new Set([
  ...["all", "none", "any", "one", "filter", "map", "count", "sum", "find", "reduce", "len", "type", "abs", "ceil", "floor", "round", "int", "float", "string"],
  ...["trim", "upper", "lower", "split", "replace", "repeat", "join", "max", "min", "mean", "median", "now", "duration", "date", "timezone", "first", "last", "get"],
  ...["keys", "values", "sort", "concat", "flatten", "uniq", "bitand", "bitor", "bitxor", "bitnand", "bitnot", "bitshl", "bitshr", "bitushr"],
]);

/** GANTRY4007 for each task named like an expr function that a `depends` expression names. */
export function exprFunctionNames(tasks: readonly IR.Task[], dependedOn: ReadonlySet<string>): Diagnostic[] {
  return tasks
    .filter((t) => EXPR_FUNCTIONS.has(t.name) && dependedOn.has(t.name))
    .map((t) => ({
      code: "GANTRY4007" as const,
      severity: "warning" as const,
      message: `task "${t.name}" is named like a function of the expression language Argo evaluates "depends" with; Argo 3.5 reads the name as the function, so the tasks that wait for it fail with an error`,
      span: { file: t.source.file, line: t.source.line, column: t.source.column },
      hint: `Rename it (\`${t.name}-step\`, say) if your Argo version is affected (argo-workflows#12037).`,
    }));
}
