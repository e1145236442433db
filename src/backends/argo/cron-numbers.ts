/**
 * Cron expressions for Argo with month and weekday names written as numbers (`MON-FRI` -> `1-5`).
 * The same schedule, but the CronWorkflow CRD of Argo 4.0 before argo-workflows#16245 allows only
 * digits and `*,/?-` in each field, so an API server with that CRD refuses names. Macros
 * (`@daily`, `@every 1h`) are left as they are.
 */
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export function cronForArgo(cron: string): string {
  if (cron.startsWith("@")) return cron;
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || !/[A-Za-z]/.test(`${fields[3]}${fields[4]}`)) return cron;
  const numbered = (field: string, names: readonly string[], first: number) =>
    field.replace(/[A-Za-z]{3}/g, (name) => {
      const i = names.indexOf(name.toLowerCase());
      return i < 0 ? name : String(i + first);
    });
  return [...fields.slice(0, 3), numbered(fields[3]!, MONTHS, 1), numbered(fields[4]!, DAYS, 0)].join(" ");
}
