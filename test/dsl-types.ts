/**
 * Type-level checks of the DSL: each `@ts-expect-error` line must be an error in the editor.
 * Never executed; test/typescript.test.ts type-checks the project, and fails if one of these
 * lines stops being an error.
 */
import { pipeline } from "../src/index.js";

export const typeChecks = () =>
  pipeline("types", {}, (p) => {
    const s = p.setup("s", { image: "x" });
    const w = p.task("w", { image: "x", after: [s], trigger: "allDone" });
    // @ts-expect-error a teardown's trigger is fixed by the scope rules
    p.teardown("t", { image: "x", setups: [s], trigger: "allDone" });
    // @ts-expect-error a teardown names its setups
    p.teardown("t2", { image: "x" });
    // @ts-expect-error finally tasks run after everything else and take no `after`
    p.finally("f", { image: "x", after: [w] });
    // @ts-expect-error `after` takes handles, not names
    p.task("v", { image: "x", after: ["w"] });
    // @ts-expect-error a script task takes no args
    p.task("sc", { image: "x", source: "echo", args: ["a"] });
  });
