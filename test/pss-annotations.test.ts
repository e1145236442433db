/**
 * Pod annotations cannot loosen the Pod Security Standards `restricted` profile that every pod
 * meets (docs/dsl.md, Security): AppArmor and seccomp annotations of a task or of `defaults` are
 * GANTRY2001, as `runAsUser: 0` is, on both targets, through the real CLI.
 */
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { gantry, tempProject } from "./support/cli.js";
import { checkRestricted } from "./support/pod-security.js";

interface Json {
  code: string;
  message: string;
  span?: { file: string; line: number; column: number };
}

const APPARMOR = "container.apparmor.security.beta.kubernetes.io/main";
const SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_MAIN = "container.seccomp.security.alpha.kubernetes.io/main";

const loosened = [
  `import { pipeline } from "gantry";`,
  `export default pipeline("loose", {`,
  `  defaults: { annotations: { "${SECCOMP_POD}": "unconfined" } },`,
  `}, (p) => {`,
  `  p.task("apparmor", { image: "busybox:1.36", annotations: { "${APPARMOR}": "unconfined" } });`,
  `  p.task("seccomp", { image: "busybox:1.36", annotations: { "${SECCOMP_MAIN}": "unconfined" } });`,
  `  p.task("other", { image: "busybox:1.36" });`,
  `});`,
  ``,
].join("\n");

describe("PSS restricted: pod annotations", () => {
  for (const target of ["argo", "jobs"]) {
    it(`rejects AppArmor and seccomp annotations that loosen the profile (--target ${target}), at the value, once for defaults`, () => {
      const dir = tempProject({ "pipelines/loose.ts": loosened });
      const r = gantry(["compile", "--target", target, "--format", "json"], dir);
      expect(r.code).toBe(1);
      const found = (JSON.parse(r.stderr) as Json[]).map((d) => `${d.code} ${d.span?.line}:${d.span?.column} ${d.message}`);
      // Each finding is at the annotation's value, on its own line.
      const pos = (line: number) => `${line}:${loosened.split("\n")[line - 1]!.indexOf('"unconfined"') + 1}`;
      expect(found).toEqual([
        `GANTRY2001 ${pos(3)} pipeline defaults: annotation "${SECCOMP_POD}" sets the seccomp profile "unconfined"; the Pod Security Standards restricted profile requires the runtime's default profile ("runtime/default") or a "localhost/<profile>"`,
        `GANTRY2001 ${pos(5)} task "apparmor": annotation "${APPARMOR}" sets the AppArmor profile "unconfined"; the Pod Security Standards restricted profile allows only "runtime/default" or "localhost/<profile>"`,
        `GANTRY2001 ${pos(6)} task "seccomp": annotation "${SECCOMP_MAIN}" sets the seccomp profile "unconfined"; the Pod Security Standards restricted profile requires the runtime's default profile ("runtime/default") or a "localhost/<profile>"`,
      ]);
    });

    it(`accepts the profiles restricted allows, and the pipeline's own annotations, which stay off the pods (--target ${target})`, () => {
      const source = [
        `import { pipeline } from "gantry";`,
        `export default pipeline("strict", {`,
        `  annotations: { "${APPARMOR}": "unconfined" },`,
        `  defaults: { annotations: { "${SECCOMP_POD}": "runtime/default" } },`,
        `}, (p) => {`,
        `  p.task("a", { image: "busybox:1.36", annotations: { "${APPARMOR}": "localhost/acme-profile", "${SECCOMP_MAIN}": "docker/default" } });`,
        `  p.task("b", { image: "busybox:1.36", annotations: { "${APPARMOR}": "runtime/default", "${SECCOMP_MAIN}": "localhost/acme.json" } });`,
        `});`,
        ``,
      ].join("\n");
      const dir = tempProject({ "pipelines/strict.ts": source });
      const r = gantry(["compile", "--target", target, "--stdout"], dir);
      expect(r.stderr).not.toContain("error");
      expect(r.code).toBe(0);
      const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as unknown);
      expect(objects.length).toBeGreaterThan(0);
      for (const obj of objects) expect(checkRestricted(obj)).toEqual([]);
      // The pipeline's annotation is on the objects (checkRestricted reads every pod template's).
      expect(r.stdout).toContain(`${APPARMOR}: unconfined`);
    });
  }
});
