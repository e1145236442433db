/** An in-memory Io for running CLI commands in-process, capturing what they print. */
import type { Io } from "../../src/cli/compile-command.js";

export function fakeIo(cwd: string): Io & { out: string; err: string } {
  const io = {
    cwd,
    color: false,
    out: "",
    err: "",
    stdout: (s: string) => void (io.out += s),
    stderr: (s: string) => void (io.err += s),
  };
  return io;
}
