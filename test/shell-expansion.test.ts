/**
 * `unexpandedAt`, the jobs target's check that the shell expands `p.runStatus` where a script
 * reads it, against the real shells: each marked place of each script is replaced by
 * `$(echo EXPANDED)`, the script run by dash and bash, and their output says whether it ran.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { unexpandedAt } from "../src/backends/jobs/shell-expansion.js";

const M = "@@"; // a marked place
const SHELLS = ["/bin/sh", "/bin/dash", "/bin/bash", "/usr/bin/bash", "/usr/bin/dash"].filter((s) => fs.existsSync(s));
const distinctShells = [...new Map(SHELLS.map((s) => [fs.realpathSync(s), s])).values()];

/** Each script, with the answer for each of its marks in order (undefined: expanded), and "bash" for bash syntax. */
const CASES: [string, (string | undefined)[], "bash"?][] = [
  [`echo ${M}`, [undefined]],
  [`echo "${M}"`, [undefined]],
  [`echo '${M}'`, ["single quotes"]],
  [`echo "it's" '${M}'`, ["single quotes"]],
  [`echo "'${M}'"`, [undefined]],
  [`echo $'it\\'s' "${M}" $'${M}'`, [undefined, "ANSI-C quotes"], "bash"],
  [`echo $'${M}'`, ["ANSI-C quotes"]],
  [`echo "\\${M}"`, ["an escaping backslash"]],
  [`echo \\\\${M}`, [undefined]],
  [`echo "$(echo '${M}')"`, ["single quotes"]],
  [`echo "$(echo "$(echo '${M}')")" ${M}`, ["single quotes", undefined]],
  [`echo $((1 + 2)) '${M}' ${M}`, ["single quotes", undefined]],
  [`echo \${UNSET:-${M}}`, [undefined]],
  [`x=1 # it's\necho '${M}' ${M}`, ["single quotes", undefined]],
  [`echo a#b '${M}'`, ["single quotes"]],
  [`echo "<<'EOF'"; echo ${M}`, [undefined]],
  [`cat <<EOF\nIt's ${M}\nEOF`, [undefined]],
  [`cat <<EOF\n'${M}' "${M}"\nEOF`, [undefined, undefined]],
  [`cat <<EOF\n\\${M} \\\\${M}\nEOF`, ["an escaping backslash", undefined]],
  [`cat <<'EOF'\n${M}\nEOF\necho ${M}`, ["a quoted heredoc", undefined]],
  [`cat <<"EOF"\n${M}\nEOF`, ["a quoted heredoc"]],
  [`cat <<\\EOF\n${M}\nEOF`, ["a quoted heredoc"]],
  [`cat << 'EOF'\n${M}\nEOF`, ["a quoted heredoc"]],
  [`cat <<E"O"F\n${M}\nEOF`, ["a quoted heredoc"]],
  [`cat <<-'EOF'\n\t${M}\n\tEOF\necho ${M}`, ["a quoted heredoc", undefined]],
  [`cat <<'EOF'\nEOFX ${M}\nEOF\necho ${M}`, ["a quoted heredoc", undefined]],
  [`cat <<'A'; cat <<B\n${M}\nA\n${M}\nB\necho '${M}'`, ["a quoted heredoc", undefined, "single quotes"]],
  [`cat <<EOF; echo '${M}'\nbody ${M}\nEOF`, ["single quotes", undefined]],
  [`set -e\n# don't fail here\nprintf '%s\\n' "status: ${M}"`, [undefined]],
];

/** What the shell printed at each mark, when only that mark is `$(echo EXPANDED)`. */
function shellSays(shell: string, script: string, mark: number): "expanded" | "text" {
  let n = 0;
  const run = script.replaceAll(M, () => (n++ === mark ? "$(echo EXPANDED)" : "x"));
  const out = execFileSync(shell, ["-c", run], { encoding: "utf8" });
  if (out.includes("$(echo EXPANDED)")) return "text";
  if (out.includes("EXPANDED")) return "expanded";
  throw new Error(`${shell} printed neither for mark ${mark} of ${JSON.stringify(script)}: ${JSON.stringify(out)}`);
}

/** The position of each mark, in the script as Gantry sees it (marks are placeholders there). */
function marks(script: string): number[] {
  const at: number[] = [];
  for (let i = script.indexOf(M); i >= 0; i = script.indexOf(M, i + 1)) at.push(i);
  return at;
}

describe("unexpandedAt", () => {
  it("agrees with dash and bash on every marked place", () => {
    expect(distinctShells.length).toBeGreaterThan(0);
    for (const [script, answers, only] of CASES) {
      const places = marks(script);
      expect(places.length, script).toBe(answers.length);
      places.forEach((pos, k) => {
        expect(unexpandedAt(script, pos) ?? null, `mark ${k} of ${JSON.stringify(script)}`).toBe(answers[k] ?? null);
        for (const shell of distinctShells.filter((s) => only === undefined || s.endsWith(only))) {
          expect(shellSays(shell, script, k), `${shell}: mark ${k} of ${JSON.stringify(script)}`).toBe(answers[k] === undefined ? "expanded" : "text");
        }
      });
    }
  });

  it("answers expanded where it does not model the script, so no task is refused by mistake", () => {
    // The shells leave these as text, but backquotes, `case` patterns inside `$(...)` and an
    // unterminated quote are past what the lexer models; the status is then written as `$(cat ...)`.
    for (const script of [`echo \`echo hi\` '${M}'`, `echo $(case a in a) echo '${M}';; esac)`, `echo 'never closed ${M}`]) {
      expect(unexpandedAt(script, script.indexOf(M)), script).toBeUndefined();
    }
    expect(shellSays("/bin/sh", `echo \`echo hi\` '${M}'`, 0)).toBe("text");
  });

  it("refuses an escaped status outside quotes (the shell reads `\\$(cat ...)` as `$` and a syntax error)", () => {
    expect(unexpandedAt(`echo \\${M}`, 6)).toBe("an escaping backslash");
    expect(() => execFileSync("/bin/sh", ["-c", "echo \\$(echo EXPANDED)"], { stdio: "pipe" })).toThrow(/Syntax error|syntax error/);
  });
});
