/**
 * A `kustomization.yaml` listing the generated manifests, so `kubectl apply -k`, Argo CD and Flux
 * pick up exactly the files Gantry writes.
 */
import { headerFor, toYaml } from "./yaml.js";

export const KUSTOMIZATION = "kustomization.yaml";

export function kustomization(manifests: readonly string[]): string {
  const header = headerFor("every compiled pipeline").replace(" from every compiled pipeline", " for the manifests in this directory");
  return toYaml([{ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: [...manifests].sort() }], header);
}
