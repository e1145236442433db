/**
 * A task's `when`: each `param` is one parameter's placeholder (`p.params.NAME`), each `output` one
 * output's (`handle.output("name")`, whose reads checkOutputReads checks as any other), each
 * compared value a constant, and a value outside a parameter's `enum` is a comparison that never
 * matches; `runStatus` only in a finally task.
 * Unknown parameter names are GANTRY2010 (checkParameterRefs), as anywhere in a task.
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import { outputOf, parameterOf, RUN_STATUS_PLACEHOLDER } from "../../../ir/placeholders.js";
import type { PlacedRead } from "../../../ir/output-reads.js";
import type { WhenInput } from "../input-schema.js";
import type { Where } from "./where.js";

/** `enums`: each declared parameter's allowed values, where it has them. `finally`: the task is a finally task, the only kind that knows the run's result. */
export function checkWhen(bag: DiagnosticBag, when: WhenInput | undefined, enums: ReadonlyMap<string, readonly string[]>, finally_: boolean, subject: string, where: Where, path: PropertyKey[] = ["when"]): void {
  if (!when) return;
  if (when.all || when.any) {
    const list = (when.all ?? when.any)!;
    list.forEach((w, i) => checkWhen(bag, w, enums, finally_, subject, where, [...path, when.all ? "all" : "any", i]));
    return;
  }
  if (when.not) return checkWhen(bag, when.not, enums, finally_, subject, where, [...path, "not"]);
  if (when.runStatus !== undefined && !finally_) {
    bag.error(
      "GANTRY2026",
      `${subject}: ${[...path, "runStatus"].join(".")}: the run's result is only known to finally tasks`,
      where.key([...path, "runStatus"]),
      "Test the run's result in a `p.finally(...)` task; a task that should run after another failed takes `trigger: \"allDone\"`.",
    );
    return;
  }
  if (when.output !== undefined) {
    if (outputOf(when.output) === undefined) {
      const at = [...path, "output"].join(".");
      bag.error(
        "GANTRY2041",
        `${subject}: ${at} must be an output of another task, written handle.output("name"), not ${JSON.stringify(when.output)}`,
        where.value([...path, "output"]),
        `\`when\` tests an output once its task has run: \`${at}: countRows.output("rows")\` (the task declares \`outputs: { rows: "/tmp/rows" }\`). To test a parameter, write \`param: p.params.NAME\`.`,
      );
      return;
    }
    checkConstants(bag, when, undefined, undefined, subject, where, path);
    return;
  }
  if (when.param === undefined) return;
  const name = parameterOf(when.param);
  if (name === undefined) {
    const at = [...path, "param"].join(".");
    const runStatus = when.param === RUN_STATUS_PLACEHOLDER;
    const output = outputOf(when.param) !== undefined;
    bag.error(
      "GANTRY2041",
      `${subject}: ${at} must be a pipeline parameter, written p.params.NAME, not ${runStatus ? "p.runStatus" : JSON.stringify(when.param)}`,
      where.value([...path, "param"]),
      runStatus
        ? `A finally task tests the run's result with \`{ runStatus: "Failed" }\` (or "Succeeded") in place of the comparison.`
        : output
          ? `That is a task's output: test it with \`output\` in place of \`param\`: \`{ output: handle.output("name"), equals: ... }\`.`
          : `\`when\` compares a parameter's value at run time: \`${at}: p.params.env\` (the parameter declared under \`parameters\`). A value known when compiling needs no \`when\`: include the task or not with a constant, \`...(ENABLED ? [p.task(...)] : [])\`.`,
    );
    return;
  }
  checkConstants(bag, when, name, enums.get(name), subject, where, path);
}

/** The compared values: constants, and for a parameter with an `enum`, values it can take (else warning GANTRY2042). */
function checkConstants(bag: DiagnosticBag, when: WhenInput, name: string | undefined, allowed: readonly string[] | undefined, subject: string, where: Where, path: PropertyKey[]): void {
  const key = when.in !== undefined ? "in" : when.equals !== undefined ? "equals" : "notEquals";
  const values = when.in ?? [when.equals ?? when.notEquals!];
  values.forEach((v, i) => {
    const at = key === "in" ? [...path, key, i] : [...path, key];
    const text = String(v);
    if (text.includes("{{") || text.includes("}}")) {
      bag.error(
        "GANTRY2041",
        `${subject}: ${at.join(".")}: ${JSON.stringify(text)} is not a constant; \`when\` compares ${name === undefined ? "an output" : "a parameter"} with constants`,
        where.value(at),
        `Compare with the values written out; to compare two ${name === undefined ? "values" : "parameters"}, decide inside the task's container.`,
      );
    } else if (name !== undefined && allowed && !allowed.includes(text)) {
      bag.warning(
        "GANTRY2042",
        `${subject}: ${at.join(".")}: parameter "${name}" can only be ${allowed.map((a) => JSON.stringify(a)).join(", ")} (its enum), never ${JSON.stringify(text)}, so this comparison never matches`,
        where.value(at),
        `Compare with one of the parameter's values, or add ${JSON.stringify(text)} to its enum (parameters: { ${name}: { enum: [...] } }).`,
      );
    }
  });
}

/** The outputs a checked `when` tests, each at its `output` key's path, for checkOutputReads. */
export function whenReads(when: WhenInput | undefined, path: PropertyKey[] = ["when"], into: PlacedRead[] = []): PlacedRead[] {
  if (!when) return into;
  if (when.all || when.any) (when.all ?? when.any)!.forEach((w, i) => whenReads(w, [...path, when.all ? "all" : "any", i], into));
  else if (when.not) whenReads(when.not, [...path, "not"], into);
  else if (when.output !== undefined) {
    const ref = outputOf(when.output);
    if (ref) into.push({ task: ref.task, output: ref.name, at: [...path, "output"] });
  }
  return into;
}
