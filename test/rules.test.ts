import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  annotationKey,
  argoParameterName,
  argoTaskName,
  cronExpression,
  dns1123Label,
  dns1123Subdomain,
  durationSeconds,
  envVarName,
  goDuration,
  labelKey,
  labelValue,
  normalizeQuantity,
  podSecurityAnnotation,
  quantity,
  resourceName,
  timeZone,
  cronNeverFires,
} from "../src/phases/3-validate/rules/index.js";

const a = (n: number): string => "a".repeat(n);
/** A valid DNS-1123 subdomain of exactly n characters made of 63-character labels. */
function subdomainOf(n: number): string {
  const parts: string[] = [];
  let left = n;
  while (left > 0) {
    const take = Math.min(63, left === 64 ? 62 : left);
    parts.push(a(take));
    left -= take;
    if (left > 0) left -= 1; // the "."
  }
  const s = parts.join(".");
  if (s.length !== n) throw new Error(`subdomainOf(${n}) built ${s.length} characters`);
  return s;
}

type Invalid = readonly [input: string, reason: string | RegExp];

function expectReason(actual: string | undefined, expected: string | RegExp): void {
  expect(actual).toBeTypeOf("string");
  if (typeof expected === "string") expect(actual).toBe(expected);
  else expect(actual).toMatch(expected);
  // Short, precise reasons: no trailing period.
  expect(actual?.endsWith(".")).toBe(false);
}

describe("dns1123Label", () => {
  it.each(["a", "abc", "a-b", "a1", "1a", "0", "my-step-2", a(63)])("accepts %j", (s) => {
    expect(dns1123Label(s)).toBeUndefined();
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    [a(64), "must be at most 63 characters (got 64)"],
    [a(70), "must be at most 63 characters (got 70)"],
    ["My-step", 'must be lowercase (found uppercase letter "M")'],
    ["my_step", 'contains invalid character "_" (allowed: lowercase letters, digits and "-")'],
    ["a.b", 'contains invalid character "." (allowed: lowercase letters, digits and "-")'],
    ["a b", 'contains invalid character " " (allowed: lowercase letters, digits and "-")'],
    ["é", 'contains invalid character "é" (allowed: lowercase letters, digits and "-")'],
    ["-ab", 'must start with a lowercase letter or digit (got "-")'],
    ["ab-", 'must end with a lowercase letter or digit (got "-")'],
    ["-", 'must start with a lowercase letter or digit (got "-")'],
  ])("rejects %j", (s, reason) => {
    expectReason(dns1123Label(s), reason);
  });
});

describe("dns1123Subdomain", () => {
  it.each(["a", "example.com", "a-b.c-d", "1.2.3", a(64), subdomainOf(253)])("accepts %j", (s) => {
    expect(dns1123Subdomain(s)).toBeUndefined();
  });
  it("builds boundary subdomains of the requested length", () => {
    expect(subdomainOf(253)).toHaveLength(253);
    expect(subdomainOf(254)).toHaveLength(254);
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    [subdomainOf(254), "must be at most 253 characters (got 254)"],
    ["Example.com", 'must be lowercase (found uppercase letter "E")'],
    ["a_b.com", 'contains invalid character "_" (allowed: lowercase letters, digits, "-" and ".")'],
    [".a", 'must not start with "."'],
    ["a.", 'must not end with "."'],
    ["a..b", 'must not contain ".."'],
    ["-a.b", 'part "-a" must start with a lowercase letter or digit (got "-")'],
    ["a.b-", 'part "b-" must end with a lowercase letter or digit (got "-")'],
    ["a.-b.c", 'part "-b" must start with a lowercase letter or digit (got "-")'],
    ["-a", 'must start with a lowercase letter or digit (got "-")'],
  ])("rejects %j", (s, reason) => {
    expectReason(dns1123Subdomain(s), reason);
  });
});

describe("resourceName", () => {
  it.each<[string, number]>([
    ["hello", 63],
    ["my.pipeline", 63],
    [a(63), 63],
    [a(52), 52],
    [a(253), 500],
  ])("accepts %j with max %i", (s, max) => {
    expect(resourceName(s, max)).toBeUndefined();
  });
  it.each<[string, number, string]>([
    [a(64), 63, "must be at most 63 characters (got 64)"],
    [a(53), 52, "must be at most 52 characters (got 53)"],
    [a(254), 500, "must be at most 253 characters (got 254)"],
    ["", 63, "must not be empty"],
    ["Nightly", 52, 'must be lowercase (found uppercase letter "N")'],
    ["nightly_etl", 52, 'contains invalid character "_" (allowed: lowercase letters, digits, "-" and ".")'],
    ["etl-", 63, 'must end with a lowercase letter or digit (got "-")'],
  ])("rejects %j with max %i", (s, max, reason) => {
    expectReason(resourceName(s, max), reason);
  });
});

describe("argoTaskName", () => {
  it.each(["a", "A", "build", "Build-Image", "step-1", "a-", "x".repeat(128), "not-ready", "In", "index", "orders"])("accepts %j", (s) => {
    expect(argoTaskName(s)).toBeUndefined();
  });
  // From review: `depends: s.Succeeded && in.Succeeded` is an expression error at run time, so every task after it, teardowns included, errors.
  it.each(["in", "not", "and", "or", "true", "false", "nil", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"])("rejects the expression-language word %j", (s) => {
    expectReason(argoTaskName(s), /^is a word of the expression language Argo evaluates "depends" with/);
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    ["x".repeat(129), "must be at most 128 characters (got 129)"],
    ["1st", /^must start with a letter \(got "1"\); Argo rejects task names starting with a digit/],
    ["-a", 'must start with a letter (got "-")'],
    ["my_task", 'contains invalid character "_" (allowed: letters, digits and "-")'],
    ["my.task", 'contains invalid character "." (allowed: letters, digits and "-")'],
    ["my task", 'contains invalid character " " (allowed: letters, digits and "-")'],
  ])("rejects %j", (s, reason) => {
    expectReason(argoTaskName(s), reason);
  });
});

describe("argoParameterName", () => {
  it.each(["a", "message", "my-param", "my_param", "Param1", "1", "-_-"])("accepts %j", (s) => {
    expect(argoParameterName(s)).toBeUndefined();
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    ["my.param", 'contains invalid character "." (allowed: letters, digits, "-" and "_")'],
    ["my param", 'contains invalid character " " (allowed: letters, digits, "-" and "_")'],
    ["{{x}}", 'contains invalid character "{" (allowed: letters, digits, "-" and "_")'],
  ])("rejects %j", (s, reason) => {
    expectReason(argoParameterName(s), reason);
  });
});

describe("envVarName", () => {
  it.each(["PATH", "_", "my_var", "a.b", "-x", ".hidden", "A1", "x".repeat(1000)])("accepts %j", (s) => {
    expect(envVarName(s)).toBeUndefined();
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    ["1VAR", 'must not start with a digit (got "1")'],
    ["MY VAR", 'contains invalid character " " (allowed: letters, digits, "_", "-" and ".")'],
    ["A=B", 'contains invalid character "=" (allowed: letters, digits, "_", "-" and ".")'],
    ["$HOME", 'contains invalid character "$" (allowed: letters, digits, "_", "-" and ".")'],
  ])("rejects %j", (s, reason) => {
    expectReason(envVarName(s), reason);
  });
});

describe.each([
  ["labelKey", labelKey],
  ["annotationKey", annotationKey],
] as const)("%s", (_name, fn) => {
  it.each([
    "app",
    "App_Name.v1",
    "a",
    "app.kubernetes.io/name",
    "example.com/My_Key",
    "gantry.dev/pipeline",
    a(63),
    `${subdomainOf(253)}/${a(63)}`,
  ])("accepts %j", (s) => {
    expect(fn(s)).toBeUndefined();
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    [a(64), "must be at most 63 characters (got 64)"],
    [`example.com/${a(64)}`, `name part "${a(64)}" must be at most 63 characters (got 64)`],
    [`${subdomainOf(254)}/a`, /^prefix "a+(\.a+)*" must be at most 253 characters \(got 254\)$/],
    ["a/b/c", 'must contain at most one "/" (prefix/name), found 2'],
    ["/name", 'prefix before "/" must not be empty'],
    ["example.com/", 'name after "/" must not be empty'],
    ["Example.com/name", 'prefix "Example.com" must be lowercase (found uppercase letter "E")'],
    ["exa_mple.com/name", /^prefix "exa_mple.com" contains invalid character "_"/],
    ["-app", 'must start with a letter or digit (got "-")'],
    ["app_", 'must end with a letter or digit (got "_")'],
    ["example.com/.app", 'name part ".app" must start with a letter or digit (got ".")'],
    ["app name", 'contains invalid character " " (allowed: letters, digits, "-", "_" and ".")'],
    ["app:name", 'contains invalid character ":" (allowed: letters, digits, "-", "_" and ".")'],
  ])("rejects %j", (s, reason) => {
    expectReason(fn(s), reason);
  });
});

describe("labelValue", () => {
  it.each(["", "a", "v1.2.3", "My_Value-1", "1", a(63)])("accepts %j", (s) => {
    expect(labelValue(s)).toBeUndefined();
  });
  it.each<Invalid>([
    [a(64), "must be at most 63 characters (got 64)"],
    ["-a", 'must start with a letter or digit (got "-")'],
    ["a.", 'must end with a letter or digit (got ".")'],
    ["_", 'must start with a letter or digit (got "_")'],
    ["a/b", 'contains invalid character "/" (allowed: letters, digits, "-", "_" and ".")'],
    ["a b", 'contains invalid character " " (allowed: letters, digits, "-", "_" and ".")'],
  ])("rejects %j", (s, reason) => {
    expectReason(labelValue(s), reason);
  });
});

describe("quantity", () => {
  it.each<string | number>([
    "100m",
    "1.5Gi",
    "2",
    "1e3",
    "1E3",
    "1e-3",
    "1.5e+2",
    "0",
    "0.5",
    ".5",
    "5.",
    "+1",
    "-0",
    "128974848",
    "129e6",
    "129M",
    "123Mi",
    "1Ki",
    "1Ei",
    "1k",
    "1n",
    "1u",
    "1E",
    "1P",
    0.5,
    2,
    0,
    1e21,
  ])("accepts %j", (v) => {
    expect(quantity(v)).toBeUndefined();
  });
  it.each<[string | number, string | RegExp]>([
    ["1.5x", '"1.5x" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
    ["Gi", '"Gi" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
    ["1..2", '"1..2" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
    ["1e", '"1e" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
    ["1mi", '"1mi" is not a Kubernetes quantity (did you mean "1Mi"?)'],
    ["2gi", '"2gi" is not a Kubernetes quantity (did you mean "2Gi"?)'],
    ["1GiB", '"1GiB" is not a Kubernetes quantity (did you mean "1Gi"?)'],
    ["1GB", '"1GB" is not a Kubernetes quantity (did you mean "1G" or "1Gi"?)'],
    ["512K", '"512K" is not a Kubernetes quantity (did you mean "512k" or "512Ki"?)'],
    ["1 Gi", '"1 Gi" is not a Kubernetes quantity (did you mean "1Gi"?)'],
    ["1Mb", '"1Mb" is not a Kubernetes quantity (did you mean "1M" or "1Mi"?)'],
    ["-1", 'must not be negative (got "-1")'],
    ["-100m", 'must not be negative (got "-100m")'],
    ["-1e3", 'must not be negative (got "-1e3")'],
    [-1, "must not be negative (got -1)"],
    [-0.5, "must not be negative (got -0.5)"],
    [Number.NaN, "NaN is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)"],
    [Number.POSITIVE_INFINITY, "Infinity is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)"],
    ["", "must not be empty"],
    [" 1", '" 1" must not have leading or trailing whitespace'],
    ["1,5", '"1,5" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
    ["0x10", '"0x10" is not a Kubernetes quantity (examples: 500m, 2, 1.5Gi)'],
  ])("rejects %j", (v, reason) => {
    expectReason(quantity(v), reason);
  });
});

describe("normalizeQuantity", () => {
  it.each<[string | number, string]>([
    [0.5, "0.5"],
    [2, "2"],
    [0, "0"],
    [1.25, "1.25"],
    [1024, "1024"],
    ["500m", "500m"],
    ["1.5Gi", "1.5Gi"],
    ["2", "2"],
  ])("normalizes %j to %j", (v, out) => {
    expect(normalizeQuantity(v)).toBe(out);
  });
  it("produces valid quantities from valid numbers", () => {
    for (const n of [0, 0.001, 0.5, 2, 1e21, 123456789]) expect(quantity(normalizeQuantity(n))).toBeUndefined();
  });
});

describe("goDuration / durationSeconds", () => {
  it.each<[string, number]>([
    ["30s", 30],
    ["1h30m", 5400],
    ["1.5h", 5400],
    ["500ms", 0.5],
    ["1m", 60],
    ["2h", 7200],
    ["1h0m0s", 3600],
    ["100us", 0.0001],
    ["100µs", 0.0001],
    ["100μs", 0.0001],
    ["1000000ns", 0.001],
    [".5s", 0.5],
    ["5.s", 5],
    ["1m30.5s", 90.5],
    ["+10s", 10],
    ["0s", 0],
    ["2562047h", 2562047 * 3600],
  ])("accepts %j (%f s)", (s, seconds) => {
    expect(goDuration(s)).toBeUndefined();
    expect(durationSeconds(s)).toBeCloseTo(seconds, 9);
  });
  it.each<Invalid>([
    ["", "must not be empty"],
    ["30", '"30" has no unit; add one, e.g. "30s" (units: ns, us, µs, ms, s, m, h)'],
    ["0", '"0" has no unit; add one, e.g. "0s" (units: ns, us, µs, ms, s, m, h)'],
    ["1.5", '"1.5" has no unit; add one, e.g. "1.5s" (units: ns, us, µs, ms, s, m, h)'],
    ["1h30", '"1h30" is missing a unit after "30" (units: ns, us, µs, ms, s, m, h)'],
    ["5x", 'unknown unit "x" in "5x" (units: ns, us, µs, ms, s, m, h)'],
    ["1d", 'unknown unit "d" in "1d"; Go durations have no day unit, use hours (e.g. "24h")'],
    ["2days", 'unknown unit "days" in "2days"; Go durations have no day unit, use hours (e.g. "24h")'],
    ["5 s", 'unknown unit " s" in "5 s" (units: ns, us, µs, ms, s, m, h)'],
    ["5S", 'unknown unit "S" in "5S" (units: ns, us, µs, ms, s, m, h)'],
    ["1sec", 'unknown unit "sec" in "1sec" (units: ns, us, µs, ms, s, m, h)'],
    ["h", /^"h" is not a duration: expected a number at "h"/],
    [".s", /^".s" is not a duration: expected a number at ".s"/],
    ["-", /^"-" is not a duration/],
    ["-5s", 'must not be negative (got "-5s")'],
    ["1.5.5s", '"1.5.5s" is missing a unit after "1.5" (units: ns, us, µs, ms, s, m, h)'],
    ["3000000h", '"3000000h" is too large (at most about 2562047h)'],
  ])("rejects %j", (s, reason) => {
    expectReason(goDuration(s), reason);
    expect(() => durationSeconds(s)).toThrow(/^invalid duration/);
  });
});

describe("cronExpression", () => {
  it.each([
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
  ])("accepts descriptor %j", (s) => {
    expect(cronExpression(s)).toBeUndefined();
  });

  it.each(["@every 1h30m", "@every 1s", "@every 5m", "@every 90s", "@every 1h", "@every 1500ms", "@every 2h0m30s"])(
    "accepts %j",
    (s) => {
      expect(cronExpression(s)).toBeUndefined();
    },
  );

  it.each([
    // plain values, wildcards
    "* * * * *",
    "0 0 * * *",
    "59 23 31 12 6",
    "0 0 1 1 0",
    "05 07 01 01 00",
    // ranges, steps, lists
    "0-59 0-23 1-31 1-12 0-6",
    "*/15 * * * *",
    "0 */2 * * *",
    "0 9-17 * * 1-5",
    "0 9-17/2 * * *",
    "5/10 * * * *",
    "0 0 1/7 * *",
    "*/90 * * * *",
    "0,15,30,45 * * * *",
    "0 0,12 1,15 */3 *",
    "1-5,10-15/2,30 * * * *",
    "0 0 1 1-12/3 *",
    // names (case-insensitive), in ranges, lists and steps
    "0 0 1 JAN *",
    "0 0 1 jan-jun *",
    "0 0 1 Jan,Jul,dec *",
    "0 0 * * MON-FRI",
    "0 0 * * mon,wed,fri",
    "0 0 * * SUN",
    "0 0 * * sat",
    "0 0 * * MON/2",
    "0 0 1 FEB-NOV/3 *",
    // ?
    "0 0 ? * MON",
    "0 0 1 * ?",
    // whitespace between fields
    "0  0\t* * *",
  ])("accepts %j", (s) => {
    expect(cronExpression(s)).toBeUndefined();
  });

  it.each<Invalid>([
    ["", "must not be empty"],
    ["   ", "must not be empty"],
    [" 0 0 * * *", "must not have leading or trailing whitespace"],
    // field counts
    ["0 0 0 * * *", /^has 6 fields, but schedules \(Argo CronWorkflows and Kubernetes CronJobs alike\) have 5 \(minute hour day-of-month month day-of-week\)/],
    ["*/5 * * * * *", /^has 6 fields, but schedules \(Argo CronWorkflows and Kubernetes CronJobs alike\) have 5/],
    ["* * * *", "must have 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["0 0 12 * * ? 2025", "must have 5 fields (minute hour day-of-month month day-of-week), got 7"],
    ["0", "must have 5 fields (minute hour day-of-month month day-of-week), got 1"],
    // out of range, per field
    ["60 * * * *", 'minute field "60" is out of range 0-59'],
    ["* 24 * * *", 'hour field "24" is out of range 0-23'],
    ["* * 0 * *", 'day-of-month field "0" is out of range 1-31'],
    ["* * 32 * *", 'day-of-month field "32" is out of range 1-31'],
    ["* * * 0 *", 'month field "0" is out of range 1-12'],
    ["* * * 13 *", 'month field "13" is out of range 1-12'],
    ["* * * * 8", 'day-of-week field "8" is out of range 0-6'],
    ["* * * * 7", 'day-of-week field "7" is out of range 0-6 (use 0 or SUN for Sunday)'],
    ["50-70 * * * *", 'minute field "50-70": "70" is out of range 0-59'],
    ["0,15,60 * * * *", 'minute field "0,15,60": "60" is out of range 0-59'],
    ["0 0 * * 1-7", 'day-of-week field "1-7": "7" is out of range 0-6 (use 0 or SUN for Sunday)'],
    ["0 0 0/5 * *", 'day-of-month field "0/5": "0" is out of range 1-31'],
    // reversed ranges
    [
      "0 22-2 * * *",
      'hour field "22-2" is a range whose start 22 is after its end 2 (ranges cannot wrap around; use a list such as 22-23,0-2)',
    ],
    ["0 0 * * FRI-MON", /^day-of-week field "FRI-MON" is a range whose start 5 is after its end 1/],
    // bad names / tokens
    ["0 0 * * MONDAY", 'day-of-week field "MONDAY" is not a number or day name (SUN-SAT)'],
    ["0 0 1 JANUARY *", 'month field "JANUARY" is not a number or month name (JAN-DEC)'],
    ["0 0 * MON *", 'month field "MON" is not a number or month name (JAN-DEC)'],
    ["0 0 * * JAN", 'day-of-week field "JAN" is not a number or day name (SUN-SAT)'],
    ["MON 0 * * *", 'minute field "MON" is not a number'],
    ["0 0 L * *", 'day-of-month field "L" is not a number'],
    ["0 0 * * 5L", 'day-of-week field "5L" is not a number or day name (SUN-SAT)'],
    ["0 0 * * 1#2", 'day-of-week field "1#2" contains invalid character "#"'],
    ["0 0 * * 1-MON-2", 'day-of-week field "1-MON-2" has more than one "-"'],
    // ? outside dom/dow
    ["? * * * *", 'minute field "?" uses "?", which is only allowed in the day-of-month and day-of-week fields'],
    ["0 0 * ? *", 'month field "?" uses "?", which is only allowed in the day-of-month and day-of-week fields'],
    // steps
    ["*/0 * * * *", 'minute field "*/0" has step 0; the step must be at least 1'],
    ["*/ * * * *", 'minute field "*/" is missing a step after "/"'],
    ["*/x * * * *", 'minute field "*/x" has step "x", which is not a number'],
    ["*/5/2 * * * *", 'minute field "*/5/2" has more than one "/"'],
    ["/5 * * * *", 'minute field "/5" is missing a value before "/"'],
    ["0 0 * * */MON", 'day-of-week field "*/MON" has step "MON", which is not a number'],
    // lists and ranges with missing parts
    ["1,,2 * * * *", 'minute field "1,,2" has an empty list element'],
    ["1, * * * *", 'minute field "1," has an empty list element'],
    ["-5 * * * *", /^minute field "-5" is missing the start of the range/],
    ["5- * * * *", 'minute field "5-" is missing the end of the range'],
    ["*-5 * * * *", 'minute field "*-5" cannot combine "*" with a range'],
    // descriptors
    ["@every", '"@every" needs a duration, e.g. "@every 1h30m"'],
    ["@every 1x", '@every duration: unknown unit "x" in "1x" (units: ns, us, µs, ms, s, m, h)'],
    ["@every 90", '@every duration: "90" has no unit; add one, e.g. "90s" (units: ns, us, µs, ms, s, m, h)'],
    ["@every -1h", '@every duration: must not be negative (got "-1h")'],
    ["@every 1.5h", /^@every duration "1.5h" must not have a fractional part/],
    ["@every 500ms", '@every duration must be at least 1s (got "500ms")'],
    ["@every 0s", '@every duration must be at least 1s (got "0s")'],
    ["@every  1h", '"@every" must be followed by a single space and a duration, e.g. "@every 1h30m"'],
    ["@every\t1h", '"@every" must be followed by a single space and a duration, e.g. "@every 1h30m"'],
    ["@every 1h 30m", /^@every duration: unknown unit "h " in "1h 30m"/],
    ["@reboot", /^unknown descriptor "@reboot" \(valid: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>\)$/],
    ["@Daily", 'unknown descriptor "@Daily"; descriptors are lowercase (did you mean "@daily"?)'],
    ["@EVERY 1h", 'unknown descriptor "@EVERY 1h"; descriptors are lowercase (did you mean "@every 1h"?)'],
    ["@every1h", /^unknown descriptor "@every1h"/],
    // time zone prefixes
    ["CRON_TZ=Europe/Berlin 0 0 * * *", 'must not start with "CRON_TZ=Europe/Berlin"; set the time zone with the separate timezone field instead'],
    ["TZ=UTC @daily", 'must not start with "TZ=UTC"; set the time zone with the separate timezone field instead'],
  ])("rejects %j", (s, reason) => {
    expectReason(cronExpression(s), reason);
  });
});

describe("cronNeverFires", () => {
  it.each(["0 0 31 2 *", "0 0 30 feb *", "0 0 30,31 2 ?", "0 0 31 4,6,9,11 *", "0 0 31 apr-apr *", "*/5 * 30-31 2 *"])("%j never fires", (s) => {
    expect(cronNeverFires(s)).toMatch(/^never fires: no month it names \(.+\) has a day .+$/);
  });
  it.each(["0 0 29 2 *", "0 0 31 1-2 *", "0 0 31 2 MON", "0 0 31 */2 *", "0 0 30 2/3 *", "@daily", "0 0 31 2,3 *", "0 0 * 2 *", "not a cron"])("%j fires (or is not checked)", (s) => {
    expect(cronNeverFires(s)).toBeUndefined();
  });
});

describe("timeZone", () => {
  it.each(["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Asia/Tokyo", "America/New_York", "Etc/UTC", "Etc/GMT+5", "EST", "MST", "HST", "CET", "PRC", "US/Pacific"])(
    "accepts %j",
    (s) => {
      expect(timeZone(s)).toBeUndefined();
    },
  );
  it.each<Invalid>([
    ["", 'must not be empty; name a zone such as "UTC" or "Europe/Berlin"'],
    ["Mars/Olympus", '"Mars/Olympus" is not a known IANA time zone (examples: UTC, Europe/Berlin, America/New_York)'],
    ["Berlin", '"Berlin" is not a known IANA time zone (examples: UTC, Europe/Berlin, America/New_York)'],
    ["Local", /^"Local" depends on the controller's configuration; name the zone explicitly/],
    ["europe/berlin", 'time zone names are case-sensitive; did you mean "Europe/Berlin"?'],
    ["utc", 'time zone names are case-sensitive; did you mean "UTC"?'],
    ["+01:00", /^"\+01:00" is a UTC offset, not an IANA time zone name/],
    [" UTC", "must not have leading or trailing whitespace"],
    // Node's ICU resolves these; the tz database (Go's time.LoadLocation) has no such zone.
    ["PST", '"PST" is known to ICU but not to the tz database that Argo and Kubernetes read (Go\'s time.LoadLocation); use "America/Los_Angeles"'],
    ["IST", /^"IST" is known to ICU but not to the tz database/],
    ["SystemV/AST4", /^"SystemV\/AST4" is known to ICU but not to the tz database/],
    ["US/Pacific-New", /^"US\/Pacific-New" is known to ICU but not to the tz database/],
    ["Canada/East-Saskatchewan", /^"Canada\/East-Saskatchewan" is known to ICU/],
    // Intl matches them case-insensitively; so does this check. A SystemV name has no one-to-one IANA name to offer.
    ["pst", '"pst" is known to ICU but not to the tz database that Argo and Kubernetes read (Go\'s time.LoadLocation); use "America/Los_Angeles"'],
    ["us/pacific-new", /^"us\/pacific-new" is known to ICU/],
    ["systemv/est5", /^"systemv\/est5" is known to ICU but not to the tz database .*; use an IANA name such as "America\/New_York" or "Etc\/GMT\+5"$/],
    ["SystemV/EST5", /; use an IANA name such as "America\/New_York" or "Etc\/GMT\+5"$/],
  ])("rejects %j", (s, reason) => {
    expectReason(timeZone(s), reason);
  });
});

describe("timeZone against the tz database, where the machine has one (/usr/share/zoneinfo)", () => {
  const ZONEINFO = "/usr/share/zoneinfo";
  const here = fs.existsSync(path.join(ZONEINFO, "Europe/Berlin"));
  it.skipIf(!here)("every zone Node lists and Gantry accepts is a tz database file; every name Gantry refuses as ICU-only is not", () => {
    const accepted = Intl.supportedValuesOf("timeZone").filter((z) => timeZone(z) === undefined);
    expect(accepted.length).toBeGreaterThan(300);
    expect(accepted.filter((z) => !fs.existsSync(path.join(ZONEINFO, z)))).toEqual([]);
    const icuOnly = ["PST", "IST", "CST", "BST", "JST", "SystemV/AST4", "US/Pacific-New", "Canada/East-Saskatchewan"];
    for (const z of icuOnly) expect(timeZone(z), z).toMatch(/known to ICU but not to the tz database/);
    expect(icuOnly.filter((z) => fs.existsSync(path.join(ZONEINFO, z)))).toEqual([]);
  });
});

describe("podSecurityAnnotation", () => {
  const APPARMOR = "container.apparmor.security.beta.kubernetes.io/main";
  const SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
  const SECCOMP_MAIN = "container.seccomp.security.alpha.kubernetes.io/main";

  it.each([
    [APPARMOR, "runtime/default"],
    [APPARMOR, "localhost/k8s-apparmor-example-deny-write"],
    [SECCOMP_POD, "runtime/default"],
    [SECCOMP_POD, "docker/default"],
    [SECCOMP_MAIN, "localhost/profiles/audit.json"],
    ["example.com/unconfined", "unconfined"],
    ["container.example.com/x", "unconfined"],
    ["seccomp.example.com/pod", "unconfined"],
  ])("%s: %s is allowed", (key, value) => {
    expect(podSecurityAnnotation(key, value)).toBeUndefined();
  });

  it.each([
    [APPARMOR, "unconfined"],
    [APPARMOR, ""],
    [APPARMOR, "Runtime/Default"],
    [SECCOMP_POD, "unconfined"],
    [SECCOMP_MAIN, "unconfined"],
    [SECCOMP_MAIN, "Unconfined"],
  ])("%s: %j is rejected", (key, value) => {
    expect(podSecurityAnnotation(key, value)).toMatch(/Pod Security Standards restricted profile/);
  });
});
