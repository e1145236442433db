/**
 * Writes compiled files so that a failure changes nothing: everything goes to temporary files in the
 * output directory first, and only when all are written are they renamed over their targets.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../diagnostics/index.js";

export interface OutputFile {
  /** Path relative to the output directory. */
  path: string;
  content: string;
}

export interface WriteReport {
  written: string[];
  unchanged: string[];
  removed: string[];
  diagnostics: Diagnostic[];
}

/**
 * Writes `files` (skipping unchanged ones) and then deletes `remove` (paths relative to `outDir`,
 * generated files no pipeline produces any more). Deletions happen only after every write succeeded.
 */
export async function writeAtomically(outDir: string, files: readonly OutputFile[], remove: readonly string[] = []): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], removed: [], diagnostics: [] };
  const staged: { tmp: string; target: string; path: string }[] = [];
  let renamed = 0;
  try {
    await fs.mkdir(outDir, { recursive: true });
    for (const file of files) {
      const target = path.join(outDir, file.path);
      if ((await readIfExists(target)) === file.content) {
        report.unchanged.push(file.path);
        continue;
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
      await fs.writeFile(tmp, file.content, { flag: "wx" });
      staged.push({ tmp, target, path: file.path });
    }
    for (const s of staged) {
      await fs.rename(s.tmp, s.target);
      renamed++;
      report.written.push(s.path);
    }
    for (const p of remove) {
      await fs.rm(path.join(outDir, p), { force: true });
      report.removed.push(p);
    }
  } catch (e) {
    await Promise.all(staged.map((s) => fs.rm(s.tmp, { force: true })));
    const err = e as NodeJS.ErrnoException;
    report.diagnostics.push({
      code: "GANTRY5001",
      severity: "error",
      message: `cannot write to ${outDir}: ${err.code ?? ""} ${err.message}`.replace(/\s+/g, " "),
      // Renames within one directory only fail in extraordinary cases (disk yanked); say so honestly.
      hint:
        renamed === 0
          ? "Check that the output directory is writable. No file was changed."
          : `Check that the output directory is writable. ${renamed} file(s) were already replaced: ${report.written.join(", ")}.`,
    });
    report.written = [];
  }
  return report;
}

async function readIfExists(p: string): Promise<string | undefined> {
  try {
    return await fs.readFile(p, "utf8");
  } catch {
    return undefined;
  }
}
