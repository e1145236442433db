/**
 * Every diagnostic Gantry can report. Codes are stable: never reuse or renumber one.
 * Ranges: 1xxx reading and evaluating source, 2xxx the pipeline model, 4xxx targets, 5xxx the CLI.
 * `gantry explain CODE` prints the title and explanation.
 */
export const codes = {
  GANTRY1001: {
    title: "Cannot read source file",
    explain: "A path given to `gantry compile`, or a module a pipeline imports, does not exist or cannot be read, or TypeScript's parser gave up on it (a file nested thousands of levels deep). The message says which.",
  },
  GANTRY1002: {
    title: "Syntax error",
    explain:
      "The module would not load: TypeScript could not parse it, or it breaks one of JavaScript's early-error rules that TypeScript's parser leaves to its type checker (a name declared twice, a duplicate export, `break` outside a loop, a reserved word as a name, `??` mixed with `||`). Node refuses such a module before running any of it. Also a JSON module a pipeline imports that is not valid JSON, and a file that is not text (saved as UTF-16, for one). Fix the syntax; Gantry reports the parser's message, or V8's.",
  },
  GANTRY1003: {
    title: "No pipeline sources found",
    explain:
      "None of the given paths holds a .ts/.mts/.cts file (test files and declaration files are skipped), or a file named explicitly is not TypeScript or JavaScript (a manifest, a README). Pass the files or folders that hold your pipelines, e.g. `gantry compile pipelines`.",
  },
  GANTRY1100: {
    title: "Syntax outside the static subset",
    explain:
      "Gantry reads pipelines without running them, so it evaluates a static subset of TypeScript: literals, template literals, objects and arrays with spreads and computed keys, `const` (and `let` never assigned again), destructuring with defaults, arrow and function helpers (local or imported, recursion included), `if`/`return`/`for...of`/`for` loops over their own `let`s, `? :`, `??`, `||`, `&&`, arithmetic and comparisons, the array, string, `Object`, `JSON` and `Math` (but `random`) methods docs/dsl.md lists, and the DSL. This construct is not part of that subset. The usual ways around: a regular expression (`s.replace(/[^a-z]/g, \"-\")`) -> `split`/`join`, `replaceAll` or a `map` over the characters; a `let` assigned in a loop -> `reduce`, `map` or a new `const` per step; `try` -> validate the input instead (a `throw` in a helper becomes GANTRY1113 at compile time); `while` -> `for...of` over a range (`Array.from({ length: n }, (_, i) => i)`); a class -> plain objects and functions. docs/dsl.md (\"What is rejected\") has the whole list.",
  },
  GANTRY1101: {
    title: "Unknown name",
    explain: "The name is not declared in this file or imported, so its value cannot be known at compile time.",
  },
  GANTRY1102: {
    title: "Call to code Gantry cannot evaluate",
    explain:
      "Only helper functions defined in your own files, the Gantry DSL and a fixed set of pure built-ins (array and string methods, Object.keys/values/entries/assign/hasOwn, Array.from, JSON, Math without random, ...; docs/dsl.md lists them) can be called at compile time. Built-ins whose Gantry stand-ins differ from the real ones are refused rather than answered differently: `in` and `Object.hasOwn` asked of a built-in or a function, and `Array(n)`, whose empty slots `map` skips (write `Array.from({ length: n }, (_, i) => i)`).",
  },
  GANTRY1103: {
    title: "Import from a package other than gantry",
    explain:
      "Only local modules and `gantry` itself can be imported by a pipeline: Gantry never loads or runs other packages while compiling. A local module is named by a relative path, or by a bare specifier that the `paths` or `baseUrl` of the importing file's nearest tsconfig.json map to a file of the project (as TypeScript resolves it; a mapping into node_modules still names a package). When a `paths` pattern matched but led to no file, the hint names the pattern and the paths it tried.",
  },
  GANTRY1104: {
    title: "Value is changed after it is declared",
    explain:
      "A variable that is assigned again, or a value declared at module level (or a pipeline's `tasks`) that code changes (pushing into or sorting an array, setting a property, `Object.assign`), has no single static value: Gantry evaluates modules lazily and shares them between all the files of a compile, so the result would depend on evaluation order. Use `const` and build each value in one expression (spread, concat, map), or build and change values inside the pipeline body or a helper.",
  },
  GANTRY1105: {
    title: "Value known only at run time",
    explain:
      "Values such as `Date.now()`, `Math.random()` or `process.env.X` differ between runs and machines; compiled manifests must be reproducible. Declare a pipeline parameter (`parameters: { date: { default: \"...\" } }` and `p.params.date`) or use a runtime expression of the target instead.",
  },
  GANTRY1106: {
    title: "Object construction with `new`",
    explain: "Classes are not evaluated at compile time. Use plain objects and functions.",
  },
  GANTRY1107: {
    title: "Asynchronous code",
    explain: "`await`, async functions and promises cannot be evaluated at compile time; pipelines are plain, synchronous data.",
  },
  GANTRY1108: {
    title: "Evaluation limit reached",
    explain:
      "Evaluation stopped because it exceeded one of Gantry's bounds: 10,000 iterations of one loop, a call depth of 200, 1,000,000 calls and loop iterations per exported value, or expressions nested 2,000 deep (a `+` chain of 2,000 terms; calls count too); or a built-in such as `String` or `.join` ran out of JavaScript's stack walking a value nested thousands of levels deep; or a built-in would build more than 1,000,000 array items (`Array.from`, `Array.of`) or a string of more than 100,000,000 characters (`repeat`, `padStart`, `padEnd`), or a pipeline would have more than 10,000 tasks. Pipelines are finite data; look for unbounded loops or recursion, and build long strings with an array and `.join(\"\")`.",
  },
  GANTRY1109: {
    title: "Invalid operation on a static value",
    explain: "The expression is in the static subset but fails on these values, as it would when the module runs: reading a property of undefined, calling something that is not a function, or reading a module constant before its declaration has run.",
  },
  GANTRY1110: {
    title: "Import cycle",
    explain: "The modules of a compile import each other in a cycle (the message prints it). In a cycle, which module initialises first depends on the entry point, so the values Gantry reads could differ from a run's. Move the shared values into a module that both import.",
  },
  GANTRY1111: {
    title: "Cannot resolve import",
    explain: "A relative import does not resolve to a .ts file (or, for a specifier ending in .json, to a JSON file), or the imported name is not exported by that module. A JSON module has only a default export, the parsed document, as in Node. (A tsconfig `paths` alias that leads to no file is GANTRY1103: TypeScript then looks for a package.)",
  },
  GANTRY1112: {
    title: "Parameter value used where a static value is needed",
    explain:
      "`p.params.NAME` is a placeholder: the parameter's value is only known when a run starts. It can be embedded in strings (template literals, `+`, `join`), but comparing it, branching on it, converting it to a number or calling string methods on it would compute with the placeholder text, not the value. To run a task only for some values, give it a `when` (`when: { param: p.params.env, equals: \"prod\" }`, tested as the run starts the task); otherwise decide at run time inside the task (for example a shell test in its command), or make the value a compile-time constant. Nor can it be part of a value Gantry checks or needs when it compiles: the pipeline's name and namespace, a schedule or time zone, a task, volume or parameter name, a label, an annotation key, an environment variable's name, a resource quantity or a duration. Use a constant there, or declare one pipeline per value (a function that returns the pipeline for one environment, called for each).",
  },
  GANTRY1113: {
    title: "The pipeline code throws",
    explain:
      "Evaluation reached a `throw` (typically a helper's own check of its input: `throw new Error(\"unknown region\")`). Running the module would fail at the same place, so the compile fails with the thrown message. Fix the value the check rejects, or the check.",
  },
  GANTRY1120: {
    title: "Pipeline is not exported",
    explain: "A `pipeline(...)` value that is not exported from its module is not compiled. Export it (`export default pipeline(...)` or `export const nightly = pipeline(...)`).",
  },
  GANTRY1121: {
    title: "Top-level statement not run",
    explain:
      "Gantry reads a module's declarations. A top-level statement that does not touch the module's own values (writing a file, calling process.exit) cannot change the compiled pipelines: Gantry runs what it can of it, to report a throw that would stop the module loading, and otherwise reports it as a warning and skips the rest.",
  },
  GANTRY1122: {
    title: "Logging does not print at compile time",
    explain:
      "A `console.log` (or `info`, `warn`, `error`, `debug`) call in code Gantry evaluates: its arguments are evaluated, as when the module runs, but nothing is printed, since Gantry reads the module without running it. What it would print cannot change the compiled pipelines. Other uses of `console` (`const log = console.log`) are GANTRY1102.",
  },
  GANTRY1123: {
    title: "A number added to a parameter joins as text",
    explain:
      "`p.params.NAME` is a placeholder: the parameter's value is only known when a run starts. `+` with a number joins the number to the placeholder's text, as a run of the module does (`p.params.n + 1` is `{{params.n}}1`, so \"31\" for 3), which is almost never what was meant. A warning: to add at run time, do it inside the task (a shell's `$((n + 1))`); to join text, write a template literal so the intent is clear.",
  },
  GANTRY1124: {
    title: "A file named to compile exports no pipeline",
    explain:
      "A file named on the command line (not found in a folder or by a glob) exports no `pipeline(...)` value, so nothing was compiled from it, and a `--check` of it checks nothing. A module of helpers or constants is compiled through the pipelines that import it: name those, or their folder (`gantry compile pipelines`). A file found in a folder or by a glob is not reported: folders hold helper modules. If the file should export a pipeline, export it (`export default pipeline(...)`); a pipeline it makes but does not export is GANTRY1120.",
  },
  GANTRY1130: {
    title: "Type error",
    explain:
      "`gantry compile --typecheck` runs the TypeScript type checker over the pipeline files and the local modules they import, each file with the compiler options of its project, the nearest tsconfig.json that names it (one program per tsconfig), and reports its errors with the TypeScript code in the message. Without --typecheck Gantry does not type-check.",
  },
  GANTRY2001: {
    title: "Invalid pipeline or task option",
    explain:
      "A value does not match what the DSL accepts (a wrong type, a missing required field, an unknown field), or breaks the Pod Security Standards `restricted` profile that every pod meets: `securityContext.runAsUser: 0`, or a pod annotation of a task or `defaults` that loosens the profile (`container.apparmor.security.beta.kubernetes.io/*` other than `runtime/default` or `localhost/<profile>`; `seccomp.security.alpha.kubernetes.io/pod` or `container.seccomp.security.alpha.kubernetes.io/*` other than `runtime/default`, `docker/default` or `localhost/<profile>`). The other fields of the task are still checked in the same run.",
  },
  GANTRY2002: {
    title: "Duplicate task name",
    explain: "Task names identify tasks in manifests and must be unique within a pipeline.",
  },
  GANTRY2003: {
    title: "Unknown dependency",
    explain: "`after` must list task handles returned by `p.task(...)` in the same pipeline.",
  },
  GANTRY2004: {
    title: "Dependency cycle",
    explain: "Tasks depend on each other in a cycle, so none of them could ever start. The message lists the cycle.",
  },
  GANTRY2005: {
    title: "Name Kubernetes or Argo would reject",
    explain:
      "Pipeline, task and parameter names become object, template and parameter names. Pipelines: lowercase DNS-1123 names of at most 63 characters (52 for scheduled pipelines, as Argo appends a timestamp). Tasks: lowercase letters, digits and '-', starting with a letter, at most 63 characters. Parameters: letters, digits, '-' and '_'.",
  },
  GANTRY2006: {
    title: "Invalid resource quantity",
    explain: "CPU, memory and storage amounts must be Kubernetes quantities such as `500m`, `2`, `512Mi` or `1.5Gi`.",
  },
  GANTRY2007: {
    title: "Invalid cron expression",
    explain: "Schedules use five fields (minute hour day-of-month month day-of-week) or a descriptor such as `@daily` or `@every 1h`, as Argo's cron parser does. A schedule listed twice is a warning (each listed schedule starts runs of its own), and so is one that can never fire, such as `0 0 31 2 *` (robfig finds no next time and nothing runs, without an error).",
  },
  GANTRY2008: {
    title: "Invalid time zone",
    explain: "`schedule.timezone` must be an IANA time zone name such as `UTC` or `Europe/Berlin`.",
  },
  GANTRY2009: {
    title: "Duplicate pipeline name",
    explain: "Each pipeline becomes one manifest file and one Kubernetes object named after it, so pipeline names must be unique across all compiled files.",
  },
  GANTRY2010: {
    title: "Unknown pipeline parameter",
    explain: "`p.params.NAME` (or a `{{params.NAME}}` placeholder written by hand) names a parameter the pipeline does not declare in `parameters`.",
  },
  GANTRY2011: {
    title: "Reserved task or pipeline name",
    explain: "Some names are used by the templates Gantry generates (task names `main`, and names starting with `gantry-`), or by its output (the pipeline name `kustomization`, whose manifest would be the output folder's kustomization.yaml).",
  },
  GANTRY2012: {
    title: "Invalid label or annotation",
    explain: "Label keys and annotation keys are qualified names (optional DNS prefix, '/', name of at most 63 characters); label values are at most 63 characters of letters, digits, '-', '_' and '.'. The keys and values of `nodeSelector` and a toleration's `key` and `value` follow the same rules, as Kubernetes checks them.",
  },
  GANTRY2013: {
    title: "Pipeline has no tasks",
    explain: "A pipeline must declare at least one task with `p.task(...)` (or `p.setup`, `p.teardown`). Finally tasks alone are not enough: they run after the pipeline's work, and a run without work would be an empty DAG, which Argo refuses (\"templates.main must have at least one task\").",
  },
  GANTRY2014: {
    title: "Conflicting names inside a task",
    explain:
      "Environment variables, volumes and mount paths must be unique within a task. Environment variable names, and the `prefix` of an `envFrom` entry, are letters, digits, '_', '-' and '.', not starting with a digit, and not `.`, `..` or anything starting with `..` (Kubernetes' IsEnvVarName).",
  },
  GANTRY2015: {
    title: "Invalid duration",
    explain: "Durations are strings with a unit, such as `30s`, `10m` or `1h30m`.",
  },
  GANTRY2016: {
    title: "Parameter enum problem",
    explain: "A parameter's `enum` lists the values a run may give it: it must not be empty (Argo refuses an empty list), and a default, if there is one, must be one of the values, or Argo rejects the submitted run.",
  },
  GANTRY2020: {
    title: "Teardown without a setup",
    explain: "A teardown must name at least one setup in `setups`, each declared with `p.setup(...)` in the same pipeline.",
  },
  GANTRY2021: {
    title: "Setup without a teardown",
    explain: "Nothing tears down what this setup creates. That is allowed (a setup may only prepare), but it is usually a forgotten `p.teardown(...)`.",
  },
  GANTRY2022: {
    title: "Task depends on the teardown of its own scope",
    explain: "The task is downstream of a setup and also waits for that setup's teardown (in its `after`, or, for a task right after the setup, through other tasks that wait for the teardown), so it would need the resource and its removal at once. Depend on the work instead, or move the task after the scope on purpose by not depending on the setup.",
  },
  GANTRY2023: {
    title: "Teardown with an empty scope",
    explain: "No task runs between the setups and this teardown, so it removes the resource right after creating it. Add the work with `after: [setup]`.",
  },
  GANTRY2024: {
    title: "Trigger or flag that contradicts the scope rules",
    explain: "Tasks directly after a setup must use the default trigger `allSucceeded` (as in Airflow: a task that needs the resource cannot run without it), and a setup cannot `allowFailure` (its scope would not run anyway). (A teardown's trigger is fixed by its type: a `trigger` on `p.teardown` is GANTRY2001.)",
  },
  GANTRY2025: {
    title: "Dependency on a finally task",
    explain: "`p.finally(...)` tasks run after everything else, so no task can wait for one, and they take no `after`.",
  },
  GANTRY2026: {
    title: "Run status read outside a finally task",
    explain: "`p.runStatus` is the run's result, known only once everything else has finished; only `p.finally(...)` tasks can read it, or test it in their `when` (`{ runStatus: \"Failed\" }`). A task that should run after another one failed takes `trigger: \"allDone\"`.",
  },
  GANTRY2027: {
    title: "A schedule that replaces a running run skips its cleanup",
    explain:
      "With `schedule.concurrencyPolicy: \"Replace\"`, a run still going when the next one is due is ended: on Argo the CronWorkflow terminates it, which runs nothing more, not even the exit handler; with --target jobs the CronJob deletes the run's driver Job, and the run's Jobs, which it owns, go with it. Its teardowns and finally tasks do not run, so what its setups created stays. Use \"Forbid\" (the default) to let each run finish, cleanup included, or make each setup clean up what an earlier run left.",
  },
  GANTRY2028: {
    title: "A label Gantry owns",
    explain:
      "Gantry sets the labels `<prefix>/pipeline`, `/task`, `/role`, `/scope`, `/fan-out` and, on the jobs target, `/run` (prefix `gantry.dev` unless `labelPrefix` says otherwise; all six are reserved on either target), and leaves them out where they do not apply (`scope` outside any setup's scope, `task` on the pipeline's own objects, `fan-out` on tasks without `forEach`). Selectors and the jobs target's runtime rely on them, so a value a pipeline or task writes for one of them is not used: this warning says where. Use a key of your own.",
  },
  GANTRY2029: {
    title: "Overlapping scheduled runs share a setup's resource",
    explain:
      "With `concurrencyPolicy: \"Allow\"` a scheduled run may start while the previous one is still going. A setup that makes a resource of a fixed name (a temporary table, a namespace, a cluster) then makes the same one in both runs, and the first run's teardown removes it while the second run's work still uses it. Put the run's id in the name (`p.runId`, unique per run, e.g. `CREATE TABLE tmp_${p.runId}`), which silences this warning, or keep the default \"Forbid\", which starts a run only once the previous one, cleanup included, has finished.",
  },
  GANTRY2030: {
    title: "Retry without a limit",
    explain:
      "Wherever `retry` is written, it needs a `limit` (retries after the first attempt), unless the pipeline's `defaults.retry` gives one. Without a limit Argo would retry forever, and a backoff would have no attempts to space out (Argo applies the wait only with a limit). `limit: 0` turns retries off.",
  },
  GANTRY2031: {
    title: "Not an exit code a failed task can have",
    explain:
      "`retry.onExitCodes` and `retry.exceptExitCodes` list exit codes of failed attempts: whole numbers from 1 to 255. 0 is success, which is never retried, and an empty `onExitCodes` would retry no failure at all.",
  },
  GANTRY2032: {
    title: "Exit code both retried and never retried",
    explain: "An exit code is in both `retry.onExitCodes` and `retry.exceptExitCodes` (after merging the task's retry over the pipeline's defaults). Keep each code in one list.",
  },
  GANTRY2033: {
    title: "Exit codes with a retry on errors only",
    explain:
      "Exit codes filter failures (the task's container exited non-zero). `retry.on: \"error\"` retries only errors (pod deleted, node lost), which have no exit code of the task, so the list could never apply. Use `on: \"failure\"` or `\"any\"`, or drop the list.",
  },
  GANTRY2034: {
    title: "Backoff that does not make sense",
    explain: "`retry.backoff.factor` must be at least 1 (a smaller factor would shorten the wait after each retry), and `retry.backoff.cap` must not be shorter than the first wait, `retry.backoff.duration`.",
  },
  GANTRY2035: {
    title: "Retry that can never start",
    explain: "The first wait between attempts (`retry.backoff.duration`) already reaches `retry.backoff.maxDuration` or `retry.totalTimeout`, both counted from the first attempt's start, so no retry could ever start. Lengthen maxDuration or totalTimeout, or shorten the wait.",
  },
  GANTRY2036: {
    title: "Retry or timeout setting that never takes effect",
    explain:
      "A limit is never reached because a shorter one always applies first: `retry.backoff.maxDuration` not shorter than `retry.totalTimeout`, or the per-attempt `timeout` not shorter than `retry.totalTimeout`. This is a warning; drop the setting that does nothing or make it shorter.",
  },
  GANTRY2037: {
    title: "Invalid runbook URL",
    explain: "`runbookUrl` (pipeline option or task field) is written into the annotation `gantry.dev/runbook-url` and into the metadata file for alerts and dashboards, which link to it. It must be an absolute http:// or https:// URL without whitespace.",
  },
  GANTRY2038: {
    title: "Resource request that Kubernetes refuses",
    explain:
      "Checked on the requests and limits a task ends up with, its own merged over `defaults.resources` by resource name. A request may not be more than the limit of the same resource. A resource that cannot be overcommitted, an extended resource (a name with a domain other than `kubernetes.io/`, such as `nvidia.com/gpu`) or `hugepages-<size>`, needs its request equal to its limit, and a request without a limit is refused; a limit alone is fine (the request defaults to it). The API server refuses the pod otherwise. The finding is reported where the task wrote one of the two values, else once at `defaults`.",
  },
  GANTRY2039: {
    title: "Pod field that Kubernetes refuses",
    explain:
      "A value the API server's pod validation refuses: a volume's `subPath` that is absolute or has a `..` element; a ConfigMap or Secret item whose `key` is empty or whose `path` is empty, absolute, has a `..` element or starts with `..`; a `defaultMode` or item `mode` outside 0 to 0o777 (511; write modes in octal); a `securityContext.runAsUser`, `runAsGroup` or `fsGroup` above 2147483647; a toleration without a key whose operator is not `Exists`, one with `operator: \"Exists\"` and a value, or one with `tolerationSeconds` and an effect other than `NoExecute`.",
  },
  GANTRY2040: {
    title: "Image reference that cannot be pulled",
    explain:
      "A task's `image` must be a reference the kubelet can parse: `[registry[:port]/]name[:tag][@digest]`, where the name is lowercase letters and digits separated by '.', '_', '__' or dashes in parts joined by '/', the tag is up to 128 letters, digits, '_', '.' and '-' (not starting with '.' or '-'), and a digest is `sha256:` and 64 lowercase hex digits (or sha384, sha512). Otherwise the pod never starts and waits in InvalidImageName; leading or trailing whitespace is refused by the API server outright. An image that holds a pipeline parameter is checked when a run starts, not here.",
  },
  GANTRY2041: {
    title: "`when` that does not compare a parameter or an output with constants",
    explain:
      "A task's `when` is tested when the task is about to start, against the values the run was given and the outputs the tasks before it left: `param` must be a pipeline parameter, written `p.params.NAME` (the placeholder of a parameter declared under `parameters`), `output` an output of another task, written `handle.output(\"name\")`, and the values they are compared with (`equals`, `notEquals`, `in`) must be constants. A plain string such as `\"env\"` is not a parameter (nor is `p.runStatus`: a finally task tests the run's result with `{ runStatus: \"Failed\" }`; nor an output: test it with `output`), and a value that holds a placeholder cannot be compared with: to decide on two values known only at run time, have a task write the answer to an output and test that, or decide inside the task's container. For a choice known when compiling, no `when` is needed: include the task or not with a constant, `...(ENABLED ? [p.task(...)] : [])`.",
  },
  GANTRY2042: {
    title: "`when` compares a parameter with a value outside its enum",
    explain:
      "The parameter lists its allowed values (`enum`), and Argo refuses a run given any other, so a comparison with a value outside the list never matches: an `equals` or `in` never holds, a `notEquals` always does. Usually a typo; compare with one of the listed values, or add the value to the enum.",
  },
  GANTRY2043: {
    title: "Task output declared wrongly",
    explain:
      "A task's `outputs` names each value it leaves for the tasks after it and the file it writes it to: `outputs: { rows: \"/tmp/rows\" }`, or `{ rows: { path: \"/tmp/rows\", default: \"0\" } }`. The name must be letters, digits and '_', starting with a letter or '_' (at most 63 characters): on Argo it joins the task's name in a parameter name. The path must be the absolute path of one file, fixed when compiling (no placeholder), as must the default. A finally task has no outputs: it runs after every other task, so none could read them.",
  },
  GANTRY2044: {
    title: "Task output read where it cannot be",
    explain:
      "`handle.output(\"name\")` stands for a value a task leaves when it has run, so it can be read (or tested in a `when`) only: in the command, args, env values, script or `when` of another task (not in an image, a name, a volume, resources or metadata, which are fixed when the pod is made); from a task of the same pipeline that declares that output; by a task downstream of it (through `after`, or a teardown's `setups`), so that the producer has finished first; and not by a finally task, which runs in Argo's exit handler, outside the DAG whose tasks' outputs can be read. Add the producer to `after`, or move the read.",
  },
  GANTRY2045: {
    title: "Task output read when its task may not have succeeded",
    explain:
      "A task reads (or its `when` tests) an output of a task that may not have succeeded when it runs: the reader has `trigger: \"allDone\"` (and is not in the producer's scope: a task in a setup's scope runs only once that setup succeeded, whatever its trigger), or the producer has `allowFailure`, or a task between them does, or the reader is a teardown that runs once any one of its setups succeeded. Then the producer may have written nothing, and Argo fails the reader for want of the value. Give the output a default (`outputs: { rows: { path: \"/tmp/rows\", default: \"0\" } }`), which Argo uses when the file is missing or the producer was skipped or did not run (a producer whose pod was lost may report no outputs at all); or make the reader wait for the producer's success (the default trigger, no `allowFailure` between them).",
  },
  GANTRY2046: {
    title: "Invalid forEach (run-time fan-out)",
    explain:
      "`forEach` runs one copy of a work task per item of a list that each run gives: it names one pipeline parameter, written `p.params.NAME`, declared with a list default (`parameters: { tables: { default: [\"orders\", \"users\"] } }`) or none, and no `enum`; or (Argo) one output of a task upstream, written `handle.output(\"name\")`, that the task writes as a JSON list, whose default, if it has one, is a JSON list too (`default: \"[]\"`). Each copy reads its item as `p.item`. A setup, teardown or finally task has no `forEach` (one setup makes one thing that one teardown removes; a finally task runs once), and a fan-out task declares no outputs, since its copies would each write one. For a list known when compiling, no `forEach` is needed: declare one task per item with a loop or `.map`, which gives each its own name, retries and dependents.",
  },
  GANTRY2047: {
    title: "p.item outside a fan-out task's command",
    explain:
      "`p.item` is the item that one copy of a `forEach` task runs for, known only once that copy runs: use it in that task's `command`, `args`, `source` or env values (`args: [\"--table\", p.item]`). Anywhere else (a task without `forEach`, its image, names, resources, `when`, labels, the pipeline options) it has no value to stand for, or one that would have to be fixed when compiling.",
  },
  GANTRY4036: {
    title: "A fan-out copy's Job name is taken",
    explain:
      "The jobs target has no run-time fan-out: it writes one Job per item of a `forEach` task's list default, named after the task and the item's index (`load-0`, `load-1`, ...; a name over 63 characters is cut first). One of those names is the name of another task of the pipeline, or of a copy of another fan-out task. Rename one of the two tasks.",
  },
  GANTRY4037: {
    title: "Fan-out over a task's output on the jobs target",
    explain:
      "A `forEach` over another task's output (`forEach: list.output(\"tables\")`) runs one copy of the task per item of a list that exists only once that task has run. The jobs target writes every Job of a run when compiling, and nothing in the run creates Jobs, so it cannot make one per item. Compile for `--target argo`, whose controller expands the list (`withParam`) when the run reaches the task; or, when the list is known before the run, make it a list parameter with a default (`forEach: p.params.tables`), which the jobs target expands into one Job per item when compiling. (When the parameters' defaults skip the producer, its output is its default, known when compiling, and the jobs target expands that instead: no GANTRY4037.)",
  },
  GANTRY4033: {
    title: "Task outputs the jobs target cannot pass",
    explain:
      "On the jobs target a task passes its output through its container's termination message: Gantry points the `main` container's `terminationMessagePath` at the output's file, the kubelet keeps what the task wrote there (at most 4,096 bytes) in the pod's status, and the `await-deps` of a task that reads it copies it into a file of that task's pod. So a task can pass one output, not several; and a task that reads outputs, or whose `when` tests one, must run as Gantry's own ServiceAccount, the one granted `list pods` to find the producer's pod (Gantry never grants that to an account the task's own code runs as). Declare one output per task (a task can write several values into one, e.g. as JSON), drop the reading task's `serviceAccountName`, or compile for the Argo target.",
  },
  GANTRY4034: {
    title: "Task output read outside a shell on the jobs target",
    explain:
      "On the jobs target a reading task's `await-deps` writes each output it reads to a file (/var/run/gantry-outputs/TASK-NAME), and Gantry turns `handle.output(\"name\")` into `$(cat /var/run/gantry-outputs/TASK-NAME)`, which only a shell evaluates, and only where it expands `$(...)`: not in single quotes, `$'...'`, the body of a quoted heredoc or after a backslash. Use it in a `source` run by a shell (no `command`, or `sh`/`bash`), in the word after `-c` of `command: [\"sh\", \"-c\", \"...\"]`, or in the first of `args` after `command: [\"sh\", \"-c\"]`; to pass it to a program as an argument, start the program from that script (`exec my-tool --rows=\"$(...)\"`, which Gantry writes for you when the placeholder is there).",
  },
  GANTRY4005: {
    title: "Teardowns do not run after a stop or deadline on Argo",
    explain:
      "Argo starts no new ordinary pods once a workflow is stopped (`argo stop`) or passes its deadline, and stops the ones running (pods are also created with a deadline no later than the workflow's); exit handlers still run. A teardown that has not started by then does not run, and one that is running is cut off part way. p.finally(...) tasks are the workflow's exit handler and do run (awaited to the end only from Argo v3.7.17 and v4.0.8: earlier controllers end the run as soon as a stopped run's exit handler starts); `argo terminate` runs nothing at all. The warning comes with every pipeline that has a teardown: once the team knows it, list `\"GANTRY4005\"` in the configuration's `ignoreWarnings`.",
  },
  GANTRY4032: {
    title: "Every task skipped on the jobs target",
    explain:
      "The jobs target has no run-time parameters: it writes each parameter's default into the Jobs, and so decides each task's `when` when compiling. A task whose `when` does not hold with the defaults is left out, with the tasks its skip reaches (docs/dsl.md); the metadata file lists them under `skipped`. Here that is every task, so a run of the pipeline does nothing. Change a default, or compile for the Argo target, which tests `when` as each run starts the task.",
  },
  GANTRY4035: {
    title: "Output read through its default on Argo",
    explain:
      "A task reads another task's output when that task may not have succeeded (the reader has `trigger: \"allDone\"`, `allowFailure` lies between them, or the reader is a teardown of several setups), so the read relies on the output's default (GANTRY2045). Argo fills in that default when the producer ran and did not write the file, and, from v4.0.7, when it was skipped or omitted; for a producer whose pod was lost (Argo's `Error`) it has no value and no default. A reference Argo cannot resolve stops the workflow from progressing on recent controllers (argo-workflows#15837, #16793), so teardowns and finally tasks would not run; 3.x controllers pass it on unresolved. Run Argo v4.0.7 or later, and prefer reads that wait for the producer's success. The jobs target has no such gap: the reader's await-deps takes the default for every state. Once the team knows it, list the code in `ignoreWarnings`.",
  },
  GANTRY4030: {
    title: "Backoff factor that Argo cannot express",
    explain: "Argo reads `retryStrategy.backoff.factor` as a whole number; a fraction such as 1.5 makes the workflow fail when it first retries. Use an integer factor for the Argo target.",
  },
  GANTRY4031: {
    title: "Argo also stops the running attempt at backoff.maxDuration",
    explain:
      "Gantry's `retry.backoff.maxDuration` means \"start no retry after this\". Argo also uses it as the deadline of the attempts after the first, so an attempt still running then is stopped. If that is what you want, write `retry.totalTimeout`, which means exactly that on every target; otherwise this warning says Argo is stricter than the pipeline asks.",
  },
  GANTRY4001: {
    title: "Output kind not possible for this pipeline",
    explain: "`--kind cron` needs a pipeline with a `schedule`.",
  },
  GANTRY4002: {
    title: "Schedule not emitted",
    explain: "The pipeline has a schedule but a non-scheduled kind was requested, so the schedule is not part of the output.",
  },
  GANTRY4003: {
    title: "Target limit exceeded",
    explain: "Argo's CRDs accept at most 200 templates per workflow and 200 tasks per DAG. Gantry writes one template per task, plus its own: the DAG `main`, `gantry-finally` when there are finally tasks, and `gantry-noop` when a gate decides the run's result (setups, teardowns, allowFailure or trigger: \"allDone\"). So a pipeline has at most 199 tasks, 197 with finally tasks and a gate. Split the pipeline.",
  },
  GANTRY4006: {
    title: "Volume takes a name or path Argo's executor uses",
    explain:
      "Argo's controller adds volumes to every workflow pod: `var-run-argo` mounted at /var/run/argo in every container (the emissary executor), `tmp-dir-argo` for its wait container, and for a script task `argo-staging` at /argo/staging (only a script task is checked for those two). A task volume with one of those names, or mounted at or under those paths, makes the pod invalid or hides the executor's files, so the run would fail when Argo creates the pod. Rename or move it.",
  },
  GANTRY4007: {
    title: "Task named like a function of Argo's depends language",
    explain:
      "Argo evaluates `depends` with expr-lang, after turning `-` into `_`. A task named like one of its functions (`split`, `filter`, `map`, `len`, `count`...) is read as the function by Argo 3.5, so every `depends` that names the task fails to evaluate and the tasks waiting for it end in an error (argo-workflows#12037, #12308). Rename the task if your Argo version is affected; the warning appears only for tasks another task waits for.",
  },
  GANTRY4008: {
    title: "An Argo variable a Gantry task does not have",
    explain:
      "Argo checks and fills in the `{{...}}` tags with its own prefixes (`inputs.`, `outputs.`, `steps.`, `tasks.`, `item`, `pod.`, `workflow.`) and passes any other tag through as written, so a Helm or Go template in `args` is fine. A Gantry task's template has no inputs but those of the outputs it reads (named by Gantry), no loop items, and is not itself a step or DAG task, so of those tags only `pod.name`, the workflow's globals (`workflow.name`, `workflow.parameters.x`, ...) and `{{=expression}}` resolve; Argo refuses a workflow with any other. Pass values with pipeline parameters, p.runId, p.runStatus or another task's output (`handle.output(\"name\")`, which Gantry writes as `{{tasks.TASK.outputs.NAME}}`). The warning names the first such tag of each task.",
  },
  GANTRY4010: {
    title: "Two tasks would get the same Job name",
    explain:
      "On the jobs target every task becomes a Job named `<pipeline>-<run>-<task>`, a DNS label of at most 63 characters, cut with a hash when longer, and the run's status Job is `<pipeline>-<run>-gantry-status`. With the names Gantry accepts this should not happen (a task named `gantry-status` is refused first, GANTRY2011, and a cut name ends with a hash of the whole name); the check guarantees that no two objects of a run share a name whatever the names are. Rename a task.",
  },
  GANTRY4011: {
    title: "Parameter without a default where nobody can give a value",
    explain:
      "Plain Jobs have no run-time parameters: Gantry writes each parameter's default into the Jobs, so a parameter a task uses without a default cannot be filled in; give it a default, or compile for the Argo target. On Argo, the runs of a CronWorkflow are started by the schedule, not submitted by someone who could pass `-p name=value`, and Argo fails a run whose parameter has no value: every parameter of a scheduled pipeline compiled as a CronWorkflow needs a default (or compile it as a WorkflowTemplate and submit runs from it).",
  },
  GANTRY4012: {
    title: "p.runStatus outside a shell on the jobs target",
    explain:
      "On the jobs target a finally task learns the run's result from a file its `await-deps` init container writes (/var/run/gantry/run-status); Gantry turns p.runStatus into `$(cat /var/run/gantry/run-status)`, which only a shell evaluates, and only in its script where it expands `$(...)`: not in single quotes, `$'...'`, the body of a quoted heredoc (`<<'EOF'`) or after a backslash. Use it in a `source` run by a shell (no `command`, or `sh`/`bash`), in the word after `-c` of `command: [\"sh\", \"-c\", \"...\"]`, or in the first of `args` after `command: [\"sh\", \"-c\"]`; the arguments after the script are positional parameters, which nothing expands.",
  },
  GANTRY4013: {
    title: "Retry backoff not possible on the jobs target",
    explain:
      "The Kubernetes Job controller retries failed pods after 10 s, 20 s, 40 s ... capped at 6 minutes; a Job cannot choose its own backoff curve. The retry limit is honoured (backoffLimit); the backoff is not.",
  },
  GANTRY4014: {
    title: "Argo CD hooks cannot express this pipeline exactly",
    explain:
      "With `--gitops argocd` every Job is an Argo CD hook. A failed hook Job fails the sync, so Argo CD never creates the Jobs of later waves: tasks that should still run after a failure (allowFailure, trigger allDone, a teardown that other tasks follow) do not. Teardowns nothing runs after, finally tasks, the status Job and every task that waits for one of them are `PostSync,SyncFail` hooks and do run. Without --gitops argocd the same Jobs keep the full semantics.",
  },
  GANTRY4015: {
    title: "Scheduled run too large for a ConfigMap",
    explain:
      "A scheduled pipeline on the jobs target keeps the Jobs of one run in a ConfigMap that its CronJob's driver reads; ConfigMaps hold at most 1 MiB. Split the pipeline or use the Argo target.",
  },
  GANTRY4016: {
    title: "Invalid or ignored --run-id",
    explain:
      "The run id becomes part of every Job name, so it must be 1-20 lowercase letters, digits or '-', starting and ending with a letter or digit. `gantry compile --run-id` checks it before compiling: an invalid one is a usage error (exit code 2). Scheduled pipelines ignore it (a warning): each scheduled run gets its own id from its driver Job.",
  },
  GANTRY4017: {
    title: "Total retry timeout not enforceable on the jobs target",
    explain:
      "A Job's deadline (activeDeadlineSeconds) counts from the Job's start, and a task that waits for upstream tasks has a Job (and a pod) from the moment the run is applied. Its total timeout over all attempts cannot be enforced; each attempt's `timeout` is. Tasks that wait for nothing get the total timeout as their Job's deadline.",
  },
  GANTRY4018: {
    title: "Volume takes a name or path the jobs target uses",
    explain:
      "On the jobs target Gantry adds volumes to task pods: the runtime shim (/gantry), the API token (/var/run/secrets/kubernetes.io/serviceaccount) and the run status of finally tasks (/var/run/gantry), all named `gantry-...`. A task volume with such a name or mount path would make the API server reject the Job. Rename or move it.",
  },
  GANTRY4019: {
    title: "Timeout of a waiting task with its own ServiceAccount not enforceable on the jobs target",
    explain:
      "A task that waits for upstream tasks gets its per-attempt timeout from the runtime shim, which sets its own pod's deadline once the task starts and so needs `patch` on pods. Gantry grants that only to its own ServiceAccount: a task that runs as your ServiceAccount would otherwise give your code the power to change any pod in the namespace. Such a task runs without a timeout on this target.",
  },
  GANTRY4020: {
    title: "Invalid idle timeout",
    explain:
      "On the jobs target every wait (a task's await-deps, the status Job, a scheduled run's driver) gives up once the run has been idle that long: no Job changed and no task had a Ready pod. It must be at least 10 minutes, since scheduling, image pulls and node scale-up take minutes. `idleTimeout` in gantry.config.json and `--idle-timeout` are checked before compiling (a configuration error, or a usage error with exit code 2); this code is for library callers of compile() that pass `jobs.idleTimeoutSeconds`.",
  },
  GANTRY4021: {
    title: "A label the Job controller owns",
    explain:
      "On the jobs target every pod gets `job-name`, `controller-uid` and their `batch.kubernetes.io/` forms (and `batch.kubernetes.io/job-completion-index` for indexed Jobs) from the Job controller, set to the Job's own name and uid. A pod template that already carries one of them with another value is refused by the API server, so a task (or, for the status Job, the pipeline) cannot set them. Use Gantry's labels to select pods: `gantry.dev/task`, `gantry.dev/run`.",
  },
  GANTRY4022: {
    title: "Two pipelines emit the same object",
    explain:
      "Pipelines have unique names, but the objects they become can still meet: on the jobs target, pipeline `foo` with two crons emits the CronJobs `foo-1` and `foo-2`, and a pipeline named `foo-1` emits a CronJob `foo-1` too; with `--run-id`, Job names `<pipeline>-<run>-<task>` can meet the same way. Applying both manifests, one object would replace the other (or `kubectl apply -k` refuses the duplicate). Rename one pipeline, or put them in different namespaces.",
  },
  GANTRY4023: {
    title: "A schedule setting a CronJob honours differently",
    explain:
      "The jobs target turns a schedule into plain CronJobs. With several cron expressions it makes one CronJob each, and a CronJob's concurrencyPolicy (Forbid, Replace) only sees its own runs, so runs of different expressions can overlap; Argo's CronWorkflow applies the policy across all of them. And the CronJob controller looks at schedules about every 10 seconds, so a startingDeadlineSeconds under 10 can make it miss runs. It names each run's Job by the minute the run is due, so an `@every` shorter than a minute runs at most once a minute.",
  },
  GANTRY4024: {
    title: "A parameter default that is not valid where the jobs target writes it in",
    explain:
      "A parameter may stand for a task's image, serviceAccountName, imagePullSecrets, a nodeSelector key or value, a toleration's key or value, or the name or key of a Secret or ConfigMap the task reads (env, envFrom, volumes): on Argo a run gives the value. The jobs target has no run-time parameters and writes each default in, and the result must then be valid there: not an empty image, a DNS subdomain for a name, a label key or value for a node selector or toleration, a ConfigMap key. Give the parameter a default that is, or compile for --target argo.",
  },
  GANTRY5002: {
    title: "Output file not generated by Gantry",
    explain: "A file Gantry would write exists without Gantry's header. Gantry never overwrites or deletes files it did not generate; move the file or choose another --out directory.",
  },
  GANTRY5003: {
    title: "Committed manifests are out of date",
    explain: "`gantry compile --check` found that the output directory differs from what the sources compile to. Run `gantry compile` and commit the result.",
  },
  GANTRY5004: {
    title: "Invalid configuration",
    explain:
      "gantry.config.json (or, without it, package.json with its \"gantry\" key) cannot be read (it is a directory, or permission is denied: the message names the file and the reason), is not valid JSON (a byte order mark at the start is allowed), or has an unknown setting or a value of the wrong kind. The message points at the place; gantry.config.schema.json lists every setting. Nothing is compiled.",
  },
  GANTRY5005: {
    title: "Compile cache not usable",
    explain: "`gantry compile --cache` could not create, read or write its cache folder (by default node_modules/.cache/gantry; --cache-location chooses another), or could not record files that read a file dated in the future (whose modified time cannot tell whether it changed during the compile). The compile's result is complete either way; only the reuse of unchanged files is lost. Make the folder writable or choose another; give a future-dated file a modified time in the past.",
  },
  GANTRY4025: {
    title: "An Argo variable left as text on the jobs target",
    explain:
      "The jobs target has no workflow engine to fill in Argo's variables at run time (`{{workflow.name}}`, `{{pod.name}}`, `{{inputs.parameters.x}}`): they stay as text. Gantry's own placeholders (`p.params.x`, `p.runId`, `p.runStatus`) are written in when compiling, so use them, which both targets fill in. Tags without Argo's prefixes (a Helm or Go template) are left alone and not reported. The warning names the first such tag of each task.",
  },
  GANTRY4026: {
    title: "An object too large for client-side kubectl apply",
    explain:
      "Client-side `kubectl apply` (kubectl's default, and Argo CD's unless a sync option says otherwise) records the whole object, as JSON, in its `kubectl.kubernetes.io/last-applied-configuration` annotation, and the API server refuses more than 256 KiB of annotations on one object. The warning names an emitted object past that size. Apply it server-side (`kubectl apply --server-side`, Argo CD's `ServerSideApply=true` sync option), which records no such annotation, or split the pipeline: a wide pipeline with long task names is the usual cause, since a teardown's or a gate's `depends` names every task it waits for.",
  },
  GANTRY5001: {
    title: "Cannot write output",
    explain:
      "The output directory or a file in it could not be written. Every file is first written to a temporary file beside its target, so a failure then (a full disk, a read-only directory) changes nothing. Replacing the targets comes after: if one of them cannot be replaced (a file made immutable, a folder in its place) once others were, the hint and the summary name the files already changed. Fix the cause and compile again.",
  },
  GANTRY5006: {
    title: "Another compile is writing the output directory",
    explain:
      "A compile holds `<out>/.gantry.lock` while it compares its files with the output directory and writes them, so that two compiles into one directory (a `--watch` and a pre-commit hook, or parallel compiles of parts of a project) cannot each plan from what was there before the other wrote, and drop the other's manifest from kustomization.yaml or remove it. A compile that finds the lock held waits for it, up to a minute, and then gives up with this error, writing nothing. A lock whose compile is gone (killed outright) is taken over without waiting. If no compile is running and the error persists, the lock is another machine's or container's: remove the file.",
  },
  GANTRY5007: {
    title: "Invalid command line",
    explain:
      "`gantry compile` was given an unknown option, an option without its value or with one it does not take, options that conflict (`--check --stdout`), an empty path, or a setting for the other target (`--run-id` without `--target jobs`). Nothing is compiled and the exit code is 2, as for every usage error. Under `--format json`, `github` or `sarif` the error is reported in that format, so a CI step that reads the report gets a well-formed document; under `text` it is one line. `gantry compile --help` lists the options.",
  },
} as const satisfies Record<string, { title: string; explain: string }>;

export type DiagnosticCode = keyof typeof codes;

export const isDiagnosticCode = (s: string): s is DiagnosticCode => Object.hasOwn(codes, s);
