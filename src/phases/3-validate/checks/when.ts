/**
 * A task's `when`: each `param` is one parameter's placeholder (`p.params.NAME`), each compared
 * value a constant, and a value outside a parameter's `enum` is a comparison that never matches;
 * `runStatus` only in a finally task.
 * Unknown parameter names are GANTRY2010 (checkParameterRefs), as anywhere in a task.
 */
import type { DiagnosticBag } from "../../../diagnostics/index.js";
import { parameterOf, RUN_STATUS_PLACEHOLDER } from "../../../ir/placeholders.js";
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
  if (when.param === undefined) return;
  const name = parameterOf(when.param);
  if (name === undefined) {
    const at = [...path, "param"].join(".");
    const runStatus = when.param === RUN_STATUS_PLACEHOLDER;
    bag.error(
      "GANTRY2041",
      `${subject}: ${at} must be a pipeline parameter, written p.params.NAME, not ${runStatus ? "p.runStatus" : JSON.stringify(when.param)}`,
      where.value([...path, "param"]),
      runStatus
        ? `A finally task tests the run's result with \`{ runStatus: "Failed" }\` (or "Succeeded") in place of the comparison.`
        : `\`when\` compares a parameter's value at run time: \`${at}: p.params.env\` (the parameter declared under \`parameters\`). A value known when compiling needs no \`when\`: include the task or not with a constant, \`...(ENABLED ? [p.task(...)] : [])\`.`,
    );
    return;
  }
  const key = when.in !== undefined ? "in" : when.equals !== undefined ? "equals" : "notEquals";
  const values = when.in ?? [when.equals ?? when.notEquals!];
  const allowed = enums.get(name);
  values.forEach((v, i) => {
    const at = key === "in" ? [...path, key, i] : [...path, key];
    const text = String(v);
    if (text.includes("{{") || text.includes("}}")) {
      bag.error(
        "GANTRY2041",
        `${subject}: ${at.join(".")}: ${JSON.stringify(text)} is not a constant; \`when\` compares a parameter with constants`,
        where.value(at),
        "Compare with the values written out; to compare two parameters, decide inside the task's container.",
      );
    } else if (allowed && !allowed.includes(text)) {
      bag.warning(
        "GANTRY2042",
        `${subject}: ${at.join(".")}: parameter "${name}" can only be ${allowed.map((a) => JSON.stringify(a)).join(", ")} (its enum), never ${JSON.stringify(text)}, so this comparison never matches`,
        where.value(at),
        `Compare with one of the parameter's values, or add ${JSON.stringify(text)} to its enum (parameters: { ${name}: { enum: [...] } }).`,
      );
    }
  });
}
