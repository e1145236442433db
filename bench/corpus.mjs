#!/usr/bin/env node
// @ts-check
/**
 * Deterministic benchmark corpus for `npm run bench`: N pipeline files of T tasks each, importing
 * shared helper modules the way real repositories do.
 *
 *   <dir>/lib/images.ts     image names and an image() helper
 *   <dir>/lib/steps.ts      a default task spec, task factories (etlStep, pythonScript, sized)
 *   <dir>/lib/env.ts        env maps built with secretEnv / configMapEnv, and a serviceEnv() factory
 *   <dir>/lib/index.ts      barrel (`export *`, plus a namespace re-export)
 *   <dir>/pipelines/p000000.ts  one pipeline per file
 *
 * Pipelines rotate through four styles (fan-out with `.map` + chain with `.reduce`; `for...of` over
 * `Array.from` + recursive chain helper; `Object.entries(...).reduce` chain + `.flatMap` matrix;
 * local task helper + `.filter` + chain grown with `push`), three import styles (barrel names,
 * `import * as lib`, direct module imports), and use spreads of a default spec, template literals
 * with `p.params.x`, fan-in dependencies, parameters with and without `enum`, `defaults`, volumes,
 * script tasks, and a schedule on every third pipeline. Every pipeline has exactly T tasks and
 * compiles with zero diagnostics. The output depends only on (N, T): no clock, no randomness.
 *
 * The generated code imports `"gantry"`, which Gantry resolves itself; no node_modules are needed.
 *
 * Also usable on its own, e.g. to profile a compile:
 *   node bench/corpus.mjs /tmp/corpus --pipelines 1000 --tasks 20
 *   node --cpu-prof dist/cli/main.js compile /tmp/corpus/pipelines --stdout > /dev/null
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Argo allows 200 templates per workflow, one of which is the DAG: at most 199 tasks. */
export const MAX_TASKS = 199;

const TEAMS = ["data", "growth", "billing", "search", "ml", "infra", "risk", "ops"];
const DOMAINS = ["orders", "payments", "users", "events", "catalog", "ledger", "sessions"];
const REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south", "ap-east", "sa-east", "me-central", "af-south"];
const STAGE_WORDS = ["validate", "dedupe", "enrich", "aggregate", "publish", "compact", "audit", "index", "notify", "archive", "verify", "snapshot"];
const TIMEZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

const LIB = {
  "lib/images.ts": `/** Container images shared by every pipeline. Pin tags; bump them here. */
export const REGISTRY = "ghcr.io/acme";

export const IMAGES = {
  etl: \`\${REGISTRY}/etl:2.4.1\`,
  tools: \`\${REGISTRY}/tools:1.8.0\`,
  spark: \`\${REGISTRY}/spark-runner:3.5.1\`,
  python: "python:3.12-slim",
} as const;

export type ImageName = keyof typeof IMAGES;

/** An image by name, optionally with another tag of the same repository. */
export function image(name: ImageName, tag?: string): string {
  const ref: string = IMAGES[name];
  return tag ? \`\${ref.split(":")[0]}:\${tag}\` : ref;
}
`,
  "lib/env.ts": `/** Environment maps: Secrets and ConfigMaps the pipelines read. */
import { configMapEnv, secretEnv } from "gantry";

export const warehouseEnv = {
  PGHOST: "warehouse.data.svc.cluster.local",
  PGPORT: 5432,
  PGDATABASE: "analytics",
  PGUSER: secretEnv("warehouse-credentials", "username"),
  PGPASSWORD: secretEnv("warehouse-credentials", "password"),
};

export const tuningEnv = {
  FX_RATES_URL: configMapEnv("fx-rates", "url"),
  FEATURE_FLAGS: configMapEnv("feature-flags", "flags", { optional: true }),
  LOG_LEVEL: "info",
};

export const objectStoreEnv = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: secretEnv("object-store", "access-key"),
  AWS_SECRET_ACCESS_KEY: secretEnv("object-store", "secret-key"),
};

/** Credentials and endpoint of an internal service: a Secret "<service>-api" and a ConfigMap "<service>-config". */
export function serviceEnv(service: string) {
  return {
    SERVICE_NAME: service,
    [\`\${service.toUpperCase().replaceAll("-", "_")}_TOKEN\`]: secretEnv(\`\${service}-api\`, "token"),
    SERVICE_URL: configMapEnv(\`\${service}-config\`, "url"),
    POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
  };
}
`,
  "lib/steps.ts": `/** Task factories and the default task spec. */
import type { TaskHandle } from "gantry";
import { IMAGES, image } from "./images.js";

/** What most tasks start from; spread it and override. */
export const defaultSpec = {
  imagePullPolicy: "IfNotPresent",
  resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  retry: { limit: 2, backoff: { duration: "30s", factor: 2, cap: "5m" } },
  labels: { tier: "batch" },
} as const;

export const scratch = { name: "scratch", mountPath: "/scratch", persistentVolumeClaim: "etl-scratch" } as const;
export const tmp = { name: "tmp", mountPath: "/tmp", emptyDir: { sizeLimit: "1Gi" } } as const;

const SIZES = {
  s: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  m: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
  l: { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "8Gi" } },
} as const;

export type Size = keyof typeof SIZES;

export function sized(size: Size) {
  return SIZES[size];
}

/** One \`etl <command>\` invocation for a run date (usually \`p.params.date\`). */
export function etlStep(command: string, date: string, extra: readonly string[] = []) {
  return {
    ...defaultSpec,
    image: IMAGES.etl,
    command: ["etl", command],
    args: [\`--date=\${date}\`, ...extra],
  };
}

/** A Python script task; \`lines\` are joined with newlines. */
export function pythonScript(lines: readonly string[], env: Record<string, string> = {}) {
  return {
    image: image("python"),
    command: ["python"],
    source: lines.join("\\n"),
    env,
    resources: sized("s"),
  };
}

/** \`{ after }\` when there is something to wait for, else nothing. */
export function after(handles: readonly TaskHandle[]) {
  return handles.length > 0 ? { after: [...handles] } : {};
}
`,
  "lib/index.ts": `export * from "./images.js";
export * from "./steps.js";
export * from "./env.js";
export * as envs from "./env.js";
`,
};

/** @param {number} n @param {number} width */
const pad = (n, width) => String(n).padStart(width, "0");
/** @param {unknown} v */
const lit = (v) => JSON.stringify(v);

/**
 * How the T tasks of a pipeline are split: one head task, `fan` parallel tasks, `chain` sequential
 * tasks and one tail task (fewer parts when T < 3).
 * @param {number} tasks
 */
export function shape(tasks) {
  if (tasks < 1 || tasks > MAX_TASKS || !Number.isInteger(tasks)) throw new RangeError(`tasks must be an integer in 1..${MAX_TASKS}`);
  const middle = Math.max(0, tasks - 2);
  const fan = Math.ceil(middle / 2);
  return { head: 1, fan, chain: middle - fan, tail: tasks >= 2 ? 1 : 0 };
}

/** @param {number} count @param {readonly string[]} words */
function uniqueWords(count, words) {
  return Array.from({ length: count }, (_, k) => (k < words.length ? words[k] : `${words[k % words.length]}-${Math.floor(k / words.length)}`));
}

/** @param {number} n */
function factor(n) {
  if (n === 0) return [0, 0];
  let a = Math.floor(Math.sqrt(n));
  while (a > 1 && n % a !== 0) a--;
  return [a, n / a];
}

/** Which lib module exports each name (for direct imports). */
const HOME = {
  IMAGES: "images", image: "images",
  etlStep: "steps", pythonScript: "steps", sized: "steps", defaultSpec: "steps", scratch: "steps", tmp: "steps", after: "steps",
  warehouseEnv: "env", tuningEnv: "env", objectStoreEnv: "env", serviceEnv: "env",
};

/**
 * How a pipeline file refers to lib exports. `ref(name)` returns the expression to write and records
 * the name; `lines()` then gives the import declarations for the names used.
 * @param {number} style 0: names from the barrel, 1: `import * as lib`, 2: direct module imports
 */
function imports(style) {
  /** @type {Set<string>} */
  const used = new Set();
  return {
    /** @param {keyof typeof HOME} name */
    ref(name) {
      used.add(name);
      return style === 1 ? `lib.${name}` : name;
    },
    lines() {
      const sorted = [...used].sort();
      if (style === 0) return [`import { ${sorted.join(", ")} } from "../lib/index.js";`];
      if (style === 1) return [`import * as lib from "../lib/index.js";`];
      return ["env", "images", "steps"].flatMap((mod) => {
        const own = sorted.filter((n) => HOME[/** @type {keyof typeof HOME} */ (n)] === mod);
        return own.length ? [`import { ${own.join(", ")} } from "../lib/${mod}.js";`] : [];
      });
    },
  };
}

/** A string array literal. @param {readonly string[]} items */
const list = (items) => `[${items.map(lit).join(", ")}]`;

/**
 * The source of pipeline number `i` with `tasks` tasks.
 * @param {number} i
 * @param {number} tasks
 */
export function pipelineSource(i, tasks) {
  const team = TEAMS[i % TEAMS.length];
  const domain = DOMAINS[Math.floor(i / TEAMS.length) % DOMAINS.length];
  const name = `${team}-${domain}-${pad(i, 6)}`;
  const style = i % 4;
  const importStyle = Math.floor(i / 4) % 3;
  const scheduled = i % 3 === 0;
  const { fan, chain, tail } = shape(tasks);
  const stages = uniqueWords(chain, STAGE_WORDS);

  const lib = imports(importStyle);
  const L = lib.ref;
  const typeImport = `import { pipeline, type TaskHandle } from "gantry";`;

  const options = [
    `namespace: ${lit(`${team}-jobs`)}`,
    `description: ${lit(`${domain} pipeline ${i} of team ${team}`)}`,
    `labels: { team: ${lit(team)}, domain: ${lit(domain)} }`,
    ...(i % 2 === 0 ? [`serviceAccountName: ${lit(`${team}-runner`)}`] : []),
    `parameters: {
      date: { default: "yesterday", description: "Run date, YYYY-MM-DD or 'yesterday'" },
      "batch-size": { default: ${1000 + (i % 50) * 100} },${style === 2 ? `\n      mode: { default: "full", enum: ["full", "incremental"] },` : ""}
    }`,
    ...(scheduled
      ? [`schedule: { cron: ${lit(`${i % 60} ${i % 24} * * *`)}, timezone: ${lit(TIMEZONES[i % TIMEZONES.length])}${i % 2 === 0 ? `, concurrencyPolicy: "Replace"` : ""} }`]
      : []),
    ...(style === 2 || style === 3
      ? [`defaults: {
      env: { ...${L("warehouseEnv")}, ...${L("tuningEnv")} },
      envFrom: [{ configMap: ${lit(`${domain}-tuning`)}, prefix: "ETL_" }],
      imagePullSecrets: ["ghcr-pull"],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "workload", operator: "Equal", value: "batch", effect: "NoSchedule" }],
    }`]
      : []),
  ];

  const head = `const extract = p.task("extract", {
      ...${L("etlStep")}("extract", p.params.date, [\`--table=${domain}\`, \`--batch-size=\${p.params["batch-size"]}\`]),
      volumes: [${L("scratch")}],
      timeout: "45m",
    });`;

  const reportTask = (/** @type {string} */ afterExpr) => `p.task("report", {
      ...${L("pythonScript")}(
        ["import os", ${lit(`print("${name}: report for", os.environ["RUN_DATE"])`)}],
        { RUN_DATE: p.params.date, OUTPUT: \`s3://acme-${domain}/reports/\${p.params.date}/\` },
      ),
      ...${L("after")}(${afterExpr}),
    });`;

  /** @type {string[]} */
  let body;
  /** @type {string[]} */
  let top = [];
  if (style === 0) {
    // Fan-out with .map over a literal list, then a chain with .reduce that fans in.
    const regions = uniqueWords(fan, REGIONS);
    top = [
      `interface RegionConfig {\n  region: string;\n  replicas: number;\n}`,
      `const REGIONS: readonly RegionConfig[] = [\n${regions.map((r, k) => `  { region: ${lit(r)}, replicas: ${1 + (k % 3)} },`).join("\n")}\n];`,
      `const STAGES = ${list(stages)} as const;`,
    ];
    body = [
      head,
      `const transforms = REGIONS.map(({ region, replicas }) =>
      p.task(\`transform-\${region}\`, {
        ...${L("etlStep")}("transform", p.params.date, [\`--region=\${region}\`, \`--replicas=\${replicas}\`]),
        env: { REGION: region, ...${L("tuningEnv")}, ...${L("objectStoreEnv")} },
        resources: replicas > 2 ? ${L("sized")}("l") : ${L("sized")}("m"),
        volumes: [${L("scratch")}, ${L("tmp")}],
        after: [extract],
      }),
    );`,
      `const last = STAGES.reduce(
      (prev: TaskHandle[], stage: string, index: number) => [
        p.task(\`stage-\${stage}\`, {
          ...${L("defaultSpec")},
          image: ${L("image")}("tools"),
          command: ["tools", stage],
          args: [\`--step=\${index + 1}\`, \`--date=\${p.params.date}\`, "--pipeline", ${lit(name)}],
          env: ${L("warehouseEnv")},
          after: prev,
        }),
      ],
      transforms.length > 0 ? transforms : [extract],
    );`,
      ...(tail ? [reportTask("last")] : []),
    ];
  } else if (style === 1) {
    // for...of over Array.from shards, and a recursive chain helper with an if.
    top = [`const SHARD_COUNT = ${fan};`, `const POST = ${list(stages)};`];
    body = [
      head,
      `const shards = Array.from({ length: SHARD_COUNT }, (_, n) => \`shard-\${String(n).padStart(2, "0")}\`);
    const loaded: TaskHandle[] = [];
    for (const shard of shards) {
      const heavy = shard.endsWith("0");
      const resources = heavy ? ${L("sized")}("l") : ${L("sized")}("m");
      loaded.push(
        p.task(\`load-\${shard}\`, {
          ...${L("defaultSpec")},
          image: ${L("IMAGES")}.spark,
          command: ["spark-submit", "--class", "com.acme.Load"],
          args: ["--shard", shard, \`--date=\${p.params.date}\`, \`--batch=\${p.params["batch-size"]}\`],
          env: { ...${L("warehouseEnv")}, SHARD: shard, HEAVY: heavy },
          resources,
          after: [extract],
        }),
      );
    }`,
      `function chain(steps: readonly string[], prev: TaskHandle[]): TaskHandle[] {
      if (steps.length === 0) return prev;
      const [step = "", ...rest] = steps;
      const handle = p.task(\`post-\${step}\`, {
        ...${L("etlStep")}(step, p.params.date, ["--source", ${lit(domain)}]),
        labels: { ...${L("defaultSpec")}.labels, step },
        after: prev,
      });
      return chain(rest, [handle]);
    }
    const done = chain(POST, loaded.length > 0 ? loaded : [extract]);`,
      ...(tail ? [reportTask("done")] : []),
    ];
  } else if (style === 2) {
    // A chain from Object.entries(...).reduce first, then a .flatMap matrix that fans in.
    const [rows, cols] = factor(fan);
    const envs = uniqueWords(rows, ["prod", "staging", "canary", "dev"]);
    const components = uniqueWords(cols, ["api", "worker", "cache", "db", "queue", "cdn", "auth", "index", "store", "sched"]);
    top = [
      `const STEPS: Record<string, string[]> = {\n${stages.map((s, k) => `  ${lit(s)}: ["tools", ${lit(s)}, "--level", ${lit(String(k + 1))}],`).join("\n")}\n};`,
      `const ENVIRONMENTS = ${list(envs)};`,
      `const COMPONENTS = ${list(components)};`,
    ];
    body = [
      head,
      `const prepared = Object.entries(STEPS).reduce<TaskHandle>(
      (prev, [step, command]) =>
        p.task(\`prep-\${step}\`, {
          ...${L("defaultSpec")},
          image: ${L("IMAGES")}.tools,
          command,
          args: ["--mode", p.params.mode, \`--date=\${p.params.date}\`],
          after: [prev],
        }),
      extract,
    );`,
      `const checks = ENVIRONMENTS.flatMap((environment) =>
      COMPONENTS.map((component) =>
        p.task(\`check-\${environment}-\${component}\`, {
          image: ${L("image")}("tools", "1.9.0-rc.1"),
          command: ["tools", "check"],
          args: [\`--target=\${component}.\${environment}.svc\`, \`--date=\${p.params.date}\`],
          env: ${L("serviceEnv")}(\`\${component}-\${environment}\`),
          resources: ${L("sized")}(environment === "prod" ? "m" : "s"),
          retry: { limit: 1 },
          after: [prepared],
        }),
      ),
    );`,
      ...(tail ? [reportTask("[...checks, prepared]")] : []),
    ];
  } else {
    // A local task helper, a .filter-ed fan-out, and a chain grown with push and .at(-1).
    const tables = uniqueWords(fan, ["orders", "order_items", "customers", "refunds", "invoices", "shipments", "returns", "coupons", "carts"]);
    top = [
      `const TABLES = [\n${tables.map((t, k) => `  { table: ${lit(t)}, enabled: true, partitions: ${1 + (k % 4)} },`).join("\n")}\n  { table: "legacy_archive", enabled: false, partitions: 1 },\n];`,
      `const FINALIZE = ${list(stages)};`,
    ];
    body = [
      head,
      `const job = (taskName: string, command: string, extra: string[], deps: TaskHandle[] = []) =>
      p.task(taskName, {
        ...${L("defaultSpec")},
        image: ${L("image")}("etl", "2.5.0"),
        command: ["etl", command],
        args: [\`--date=\${p.params.date}\`, ...extra],
        ...${L("after")}(deps),
      });`,
      `const copies = TABLES.filter((t) => t.enabled).map((t) =>
      job(\`copy-\${t.table.replaceAll("_", "-")}\`, "copy", [\`--table=\${t.table}\`, \`--partitions=\${t.partitions}\`], [extract]),
    );`,
      `const finalized: TaskHandle[] = [];
    for (const step of FINALIZE) {
      const previous = finalized.at(-1);
      finalized.push(job(\`final-\${step}\`, step, ["--strict"], previous ? [previous] : copies.length > 0 ? copies : [extract]));
    }`,
      ...(tail ? [reportTask(`finalized.length > 0 ? finalized.slice(-1) : copies.length > 0 ? copies : [extract]`)] : []),
    ];
  }

  const exportLine = i % 5 === 4 ? `export const ${`p${pad(i, 6)}`} = pipeline(` : "export default pipeline(";
  return `/**
 * ${name}: generated benchmark pipeline (style ${style}, ${tasks} tasks). Do not edit.
 */
${typeImport}
${lib.lines().join("\n")}

${top.join("\n\n")}

${exportLine}
  ${lit(name)},
  {
    ${options.join(",\n    ")},
  },
  (p) => {
    ${body.join("\n\n    ")}
  },
);
`;
}

/**
 * Writes a corpus of `pipelines` x `tasks` into `dir` (created if missing; existing corpus files are
 * overwritten). Returns the absolute paths of every file written, sorted.
 * `first` numbers the pipelines from another index, for a corpus with different names and text
 * (the benchmark's warm-up corpus).
 * @param {string} dir
 * @param {{ pipelines: number; tasks: number; first?: number }} size
 * @returns {{ dir: string; pipelinesDir: string; files: string[]; pipelines: number; tasks: number }}
 */
export function generateCorpus(dir, { pipelines, tasks, first = 0 }) {
  if (!Number.isInteger(pipelines) || pipelines < 1) throw new RangeError("pipelines must be a positive integer");
  if (!Number.isInteger(first) || first < 0 || first + pipelines > 1e6) throw new RangeError("first must be an integer, first + pipelines at most 1,000,000");
  shape(tasks);
  const root = path.resolve(dir);
  fs.mkdirSync(path.join(root, "lib"), { recursive: true });
  fs.mkdirSync(path.join(root, "pipelines"), { recursive: true });
  const files = [];
  for (const [rel, text] of Object.entries(LIB)) {
    const file = path.join(root, rel);
    fs.writeFileSync(file, text);
    files.push(file);
  }
  for (let i = first; i < first + pipelines; i++) {
    const file = path.join(root, "pipelines", `p${pad(i, 6)}.ts`);
    fs.writeFileSync(file, pipelineSource(i, tasks));
    files.push(file);
  }
  return { dir: root, pipelinesDir: path.join(root, "pipelines"), files: files.sort(), pipelines, tasks };
}

/**
 * Every `.ts` file under a corpus directory, sorted (what the bare-parse baseline reads).
 * @param {string} dir
 */
export function listCorpusFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => path.join(dir, f))
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { pipelines: { type: "string", default: "1000" }, tasks: { type: "string", default: "20" } },
  });
  if (positionals.length !== 1) {
    console.error("usage: node bench/corpus.mjs <dir> [--pipelines 1000] [--tasks 20]");
    process.exit(2);
  }
  const out = generateCorpus(positionals[0] ?? "", { pipelines: Number(values.pipelines), tasks: Number(values.tasks) });
  console.log(`wrote ${out.files.length} files (${out.pipelines} pipelines x ${out.tasks} tasks) to ${out.dir}`);
}
