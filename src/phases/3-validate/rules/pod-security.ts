/**
 * Pod annotations that loosen the Pod Security Standards `restricted` profile. Gantry's pods meet
 * the profile through their security contexts (backends/common/pod.ts), but a few annotations
 * still act on the pod and can undo that: the AppArmor annotation (baseline, and so restricted,
 * allows only `runtime/default` and `localhost/*`) and the seccomp annotations of Kubernetes
 * before 1.19 (restricted requires the RuntimeDefault or a Localhost profile; `unconfined` is
 * forbidden by baseline already). Source: kubernetes/website
 * `content/en/docs/concepts/security/pod-security-standards.md`, summarised in
 * shared/reference/k8s-jobs.md §6, and Pod Security Admission's `appArmorProfile` and
 * `seccompProfile_baseline` checks, which read these annotations.
 *
 * Returns `undefined` when the annotation is allowed (or is not one of these), else the reason.
 */

const APPARMOR = "container.apparmor.security.beta.kubernetes.io/";
const SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/";

export function podSecurityAnnotation(key: string, value: string): string | undefined {
  // Cheap first test: every other annotation key is let through after one comparison or two.
  if (!key.startsWith("container.") && !key.startsWith("seccomp.")) return undefined;
  if (key.startsWith(APPARMOR)) {
    if (value === "runtime/default" || value.startsWith("localhost/")) return undefined;
    return `sets the AppArmor profile ${JSON.stringify(value)}; the Pod Security Standards restricted profile allows only "runtime/default" or "localhost/<profile>"`;
  }
  if (key === SECCOMP_POD || key.startsWith(SECCOMP_CONTAINER)) {
    // docker/default is the old name of runtime/default; the kubelet reads both as RuntimeDefault.
    if (value === "runtime/default" || value === "docker/default" || value.startsWith("localhost/")) return undefined;
    return `sets the seccomp profile ${JSON.stringify(value)}; the Pod Security Standards restricted profile requires the runtime's default profile ("runtime/default") or a "localhost/<profile>"`;
  }
  return undefined;
}
