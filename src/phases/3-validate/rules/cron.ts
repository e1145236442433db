/**
 * CronWorkflow `spec.schedules[]` and `spec.timezone`.
 *
 * Argo parses schedules with robfig/cron v3's standard parser (5 fields plus descriptors)
 * and the CRD additionally requires
 * `^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every\s+([0-9]+(ns|us|µs|ms|s|m|h))+|([A-Za-z0-9*,/?-]+\s+){4}[A-Za-z0-9*,/?-]+)$`.
 * These rules follow robfig (field ranges, names, ranges, steps, lists) and the CRD, and are
 * slightly stricter where robfig is lax: `?` only in day-of-month/day-of-week, no `*-n`,
 * no `CRON_TZ=`/`TZ=` prefix (Gantry has a separate time zone field), and `@every` must be at
 * least one second.
 */

import { goDuration, durationSeconds } from "./duration.js";

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Lowercase names accepted by robfig (`jan`…`dec`, `sun`…`sat`). */
  readonly names?: Readonly<Record<string, number>>;
  /** Human description of the names, for messages. */
  readonly namesHint?: string;
  /** Whether `?` ("no specific value") is accepted. */
  readonly question: boolean;
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6,
  jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

const DAYS: Readonly<Record<string, number>> = {
  sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6,
};

const FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59, question: false },
  { name: "hour", min: 0, max: 23, question: false },
  { name: "day-of-month", min: 1, max: 31, question: true },
  { name: "month", min: 1, max: 12, names: MONTHS, namesHint: "month name (JAN-DEC)", question: false },
  { name: "day-of-week", min: 0, max: 6, names: DAYS, namesHint: "day name (SUN-SAT)", question: true },
];

const FIELD_LIST = "minute hour day-of-month month day-of-week";

const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const DESCRIPTOR_LIST = `${DESCRIPTORS.join(", ")}, @every <duration>`;

/** `@every` durations the CronWorkflow CRD pattern accepts: integers with units, no sign or fraction. */
const CRD_EVERY_DURATION = /^([0-9]+(ns|us|µs|ms|s|m|h))+$/;

const q = (s: string): string => JSON.stringify(s);

/** Parse one range bound (number or, for month/day-of-week, a name). */
function bound(token: string, field: CronField): number | string {
  const named = field.names?.[token.toLowerCase()];
  if (named !== undefined) return named;
  if (/^[0-9]+$/.test(token)) return Number(token);
  if (token.length === 0) return "is missing a number";
  return field.namesHint !== undefined ? `is not a number or ${field.namesHint}` : "is not a number";
}

function checkField(text: string, field: CronField): string | undefined {
  const at = (token: string, msg: string): string =>
    token === text ? `${field.name} field ${q(token)} ${msg}` : `${field.name} field ${q(text)}: ${q(token)} ${msg}`;

  const badChar = /[^A-Za-z0-9*,/?-]/u.exec(text);
  if (badChar) return `${field.name} field ${q(text)} contains invalid character ${q(badChar[0])}`;

  for (const item of text.split(",")) {
    if (item.length === 0) return `${field.name} field ${q(text)} has an empty list element`;
    const slashParts = item.split("/");
    if (slashParts.length > 2) return at(item, `has more than one "/"`);
    const rangeText = slashParts[0] ?? "";
    const stepText = slashParts[1];

    if (rangeText === "*" || rangeText === "?") {
      if (rangeText === "?" && !field.question) {
        return at(item, `uses "?", which is only allowed in the day-of-month and day-of-week fields`);
      }
    } else {
      if (rangeText.length === 0) return at(item, `is missing a value before "/"`);
      const bounds = rangeText.split("-");
      if (bounds.length > 2) return at(item, `has more than one "-"`);
      const [lowText = "", highText] = bounds;
      if (lowText === "*" || lowText === "?" || highText === "*" || highText === "?") {
        return at(item, `cannot combine "${lowText === "*" || highText === "*" ? "*" : "?"}" with a range`);
      }
      if (lowText.length === 0) return at(item, "is missing the start of the range (negative numbers are not allowed)");
      const low = bound(lowText, field);
      if (typeof low === "string") return at(lowText, low);
      let high = low;
      if (highText !== undefined) {
        if (highText.length === 0) return at(item, "is missing the end of the range");
        const h = bound(highText, field);
        if (typeof h === "string") return at(highText, h);
        high = h;
      }
      for (const [value, token] of [[low, lowText], [high, highText ?? lowText]] as const) {
        if (value < field.min || value > field.max) {
          const sunday = field.name === "day-of-week" && value === 7 ? ` (use 0 or SUN for Sunday)` : "";
          return at(token, `is out of range ${field.min}-${field.max}${sunday}`);
        }
      }
      if (low > high) {
        return at(
          rangeText,
          `is a range whose start ${low} is after its end ${high} (ranges cannot wrap around; use a list such as ${low}-${field.max},${field.min}-${high})`,
        );
      }
      // robfig reads "a/n" as "from a to the maximum, every n"; nothing more to check.
    }

    if (stepText !== undefined) {
      if (stepText.length === 0) return at(item, `is missing a step after "/"`);
      if (!/^[0-9]+$/.test(stepText)) return at(item, `has step ${q(stepText)}, which is not a number`);
      if (Number(stepText) === 0) return at(item, "has step 0; the step must be at least 1");
    }
  }
  return undefined;
}

function checkEvery(s: string): string | undefined {
  if (s === "@every") return `"@every" needs a duration, e.g. "@every 1h30m"`;
  const rest = s.slice("@every".length);
  if (!rest.startsWith(" ") || /^\s\s/.test(rest) || /^\s*$/.test(rest)) {
    return `"@every" must be followed by a single space and a duration, e.g. "@every 1h30m"`;
  }
  const dur = rest.slice(1);
  const reason = goDuration(dur);
  if (reason !== undefined) return `@every duration: ${reason}`;
  if (!CRD_EVERY_DURATION.test(dur)) {
    return dur.includes(".")
      ? `@every duration ${q(dur)} must not have a fractional part (the CronWorkflow CRD rejects it); write e.g. "1h30m" instead of "1.5h"`
      : `@every duration ${q(dur)} must be whole numbers with units, e.g. "1h30m"`;
  }
  if (durationSeconds(dur) < 1) return `@every duration must be at least 1s (got ${q(dur)})`;
  return undefined;
}

/** A CronWorkflow schedule: 5 fields (minute hour day-of-month month day-of-week) or a descriptor. */
export function cronExpression(s: string): string | undefined {
  if (s.trim().length === 0) return "must not be empty";
  if (s.trim() !== s) return "must not have leading or trailing whitespace";
  const tz = /^(CRON_TZ|TZ)=\S*/.exec(s);
  if (tz) {
    return `must not start with ${q(tz[0])}; set the time zone with the separate timezone field instead`;
  }
  if (s.startsWith("@")) {
    if (s === "@every" || /^@every\s/.test(s)) return checkEvery(s);
    if (DESCRIPTORS.includes(s)) return undefined;
    const lower = s.toLowerCase();
    if (DESCRIPTORS.includes(lower) || /^@every\s/.test(lower)) {
      return `unknown descriptor ${q(s)}; descriptors are lowercase (did you mean ${q(DESCRIPTORS.includes(lower) ? lower : `@every${s.slice(6)}`)}?)`;
    }
    return `unknown descriptor ${q(s)} (valid: ${DESCRIPTOR_LIST})`;
  }
  const fields = s.split(/\s+/);
  if (fields.length === 6) {
    return `has 6 fields, but schedules (Argo CronWorkflows and Kubernetes CronJobs alike) have 5 (${FIELD_LIST}); a seconds field is not supported`;
  }
  if (fields.length !== 5) {
    return `must have 5 fields (${FIELD_LIST}), got ${fields.length}`;
  }
  for (const [i, field] of FIELDS.entries()) {
    const reason = checkField(fields[i] ?? "", field);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Days each month can have (February: 29, in leap years). */
const MONTH_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * For a valid 5-field schedule: why it can never fire, or undefined. robfig matches a day when the
 * day-of-month AND the day-of-week match if either is `*` or `?`, else when either does; so only a
 * day-of-month that no chosen month has, with day-of-week `*`, never comes (`0 0 31 2 *`, `0 0 30 feb *`).
 * robfig then finds no next time, and nothing runs, without any error.
 */
export function cronNeverFires(s: string): string | undefined {
  const fields = s.split(/\s+/);
  if (s.startsWith("@") || fields.length !== 5 || cronExpression(s) !== undefined) return undefined;
  const [, , dom = "", month = "", dow = ""] = fields;
  if (dow !== "*" && dow !== "?") return undefined;
  const days = expand(dom, FIELDS[2]!);
  const months = expand(month, FIELDS[3]!);
  if (months.some((m) => days.some((d) => d <= MONTH_DAYS[m]!))) return undefined;
  return `never fires: no month it names (${month}) has a day ${dom}`;
}

/** The values a valid field stands for. */
function expand(text: string, field: CronField): number[] {
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [range = "", step] = item.split("/");
    let low = field.min;
    let high = field.max;
    if (range !== "*" && range !== "?") {
      const [a = "", b] = range.split("-");
      low = bound(a, field) as number;
      high = b !== undefined ? (bound(b, field) as number) : step !== undefined ? field.max : low;
    }
    for (let v = low; v <= high; v += step !== undefined ? Number(step) : 1) out.add(v);
  }
  return [...out];
}

/** An IANA time zone name such as "UTC" or "Europe/Berlin" (as Go's time.LoadLocation accepts it). */
const zoneVerdicts = new Map<string, string | undefined>();

/** Cached: building an Intl.DateTimeFormat per pipeline was a measurable share of validation. */
export function timeZone(s: string): string | undefined {
  if (!zoneVerdicts.has(s)) zoneVerdicts.set(s, checkTimeZone(s));
  return zoneVerdicts.get(s);
}

function checkTimeZone(s: string): string | undefined {
  if (s.length === 0) return `must not be empty; name a zone such as "UTC" or "Europe/Berlin"`;
  if (s.trim() !== s) return "must not have leading or trailing whitespace";
  if (s === "Local") {
    return `"Local" depends on the controller's configuration; name the zone explicitly, e.g. "Europe/Berlin" or "UTC"`;
  }
  if (/^[-+\u2212]\d/.test(s)) {
    return `${q(s)} is a UTC offset, not an IANA time zone name (examples: UTC, Europe/Berlin, America/New_York)`;
  }
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat(undefined, { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return `${q(s)} is not a known IANA time zone (examples: UTC, Europe/Berlin, America/New_York)`;
  }
  // ICU (behind Intl) also knows names the tz database never had or has dropped; Go does not. In
  // any case: Intl matches names case-insensitively.
  if (ICU_ONLY.has(s.toLowerCase()) || /^systemv\//i.test(s)) {
    const instead = resolved !== undefined && !ICU_ONLY.has(resolved.toLowerCase()) && !/^systemv\//i.test(resolved) ? q(resolved) : "an IANA name such as \"America/New_York\" or \"Etc/GMT+5\"";
    return `${q(s)} is known to ICU but not to the tz database that Argo and Kubernetes read (Go's time.LoadLocation); use ${instead}`;
  }
  // Intl is case-insensitive, Go's time.LoadLocation (what the Argo controller uses) is not.
  if (resolved !== undefined && resolved !== s && resolved.toLowerCase() === s.toLowerCase()) {
    return `time zone names are case-sensitive; did you mean ${q(resolved)}?`;
  }
  return undefined;
}

/**
 * Java's three-letter zone ids, and names the tz database removed (US/Pacific-New in 2020b,
 * Canada/East-Saskatchewan in 2017c), which Node's ICU still resolves. EST, MST, HST, CET and the
 * like are in the tz database and stay valid.
 */
const ICU_ONLY = new Set(
  [..."ACT AET AGT ART AST BET BST CAT CNT CST CTT EAT ECT IET IST JST MIT NET NST PLT PNT PRT PST SST VST".split(" "), "US/Pacific-New", "Canada/East-Saskatchewan"].map((z) => z.toLowerCase()),
);
