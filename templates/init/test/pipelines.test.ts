/**
 * The manifests in manifests/ are the snapshots of this test: it compiles pipelines/ exactly as
 * `gantry compile` does and compares each pipeline's YAML with manifests/<name>.yaml, byte for byte.
 * So a change to a pipeline shows up here as a diff of the manifest you will deploy.
 *
 * After an intended change, run `npx gantry compile`, review the diff and commit it. (Unlike
 * `vitest -u`, it also updates manifests/kustomization.yaml and removes the manifests of deleted
 * pipelines.) Under CI a missing manifest fails the test instead of being written. Run vitest
 * from the project root: the source paths written into the manifests are relative to it.
 */
import { expect, it } from "vitest";
import { compilePipelines } from "gantry/testing";

it("manifests/ holds what pipelines/ compiles to", async () => {
  // The whole folder, as `gantry compile` reads it (helper modules and test files included or
  // skipped the same way). It throws, listing every diagnostic, if a pipeline does not compile.
  const manifests = await compilePipelines("pipelines");
  for (const m of manifests) {
    // Soft: every out-of-date manifest is reported, not only the first.
    await expect.soft(m.yaml, `manifests/${m.name}.yaml (pipeline "${m.name}" in ${m.source})`).toMatchFileSnapshot(`../manifests/${m.name}.yaml`);
  }
});
