/**
 * Pod Security Standards, `restricted` profile (baseline + restricted controls), checked over every
 * pod template an object carries. Source of the rules: kubernetes/website
 * `content/en/docs/concepts/security/pod-security-standards.md` (summarised in
 * shared/reference/k8s-jobs.md §6), with PSA's semantics for pod- vs container-level settings.
 *
 * Pod templates found:
 *  - Pod: `spec`; Job / Deployment / StatefulSet / DaemonSet: `spec.template.spec`;
 *    CronJob: `spec.jobTemplate.spec.template.spec`;
 *  - Argo Workflow / WorkflowTemplate / ClusterWorkflowTemplate (`spec`) and CronWorkflow
 *    (`spec.workflowSpec`): one pod per template that runs user containers (container, script,
 *    containerSet), with the template's `initContainers` and `sidecars`. Pod-level security
 *    context = template `securityContext`, else workflow `spec.securityContext` (Argo replaces, it
 *    does not merge); `templateDefaults` are merged under each template first. Volumes =
 *    workflow `spec.volumes` + template `volumes` (+ `volumeClaimTemplates`, which become PVC
 *    volumes and are allowed). Host namespaces: workflow `spec.hostNetwork`. AppArmor annotations:
 *    workflow `spec.podMetadata` and template `metadata`. `podSpecPatch` cannot be evaluated
 *    statically in general: its parsed content is checked for forbidden settings, and an
 *    unparseable (templated) patch is reported.
 *    Argo's own executor containers are in every such pod: `init` (an init container, always since
 *    v3.4) and `wait`, with the securityContext of the workflow-controller's `executor` setting,
 *    here its default (none), so only a podSpecPatch can make them comply.
 *
 * Every problem names the rule (`[PSS <Control>]`), the pod template and the container.
 */
import YAML from "yaml";

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
function rec(v: unknown): Json | undefined {
  return isRecord(v) ? v : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function q(v: unknown): string {
  return JSON.stringify(v);
}

const ALLOWED_VOLUME_TYPES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** One pod as the checker sees it. */
export interface PodView {
  /** e.g. `spec.template.spec` or `template "build"`. */
  where: string;
  /** Pod-level fields: hostNetwork, hostPID, hostIPC, volumes, os, … */
  spec: Json;
  /** Pod-level securityContext. */
  securityContext: Json | undefined;
  /** Containers with a label each (`container "main"`, `initContainer "x"`, …) and the pod list they are in (a podSpecPatch merges each list by name on its own). */
  containers: { label: string; c: Json; list: "initContainers" | "containers" }[];
  /** Pod annotations (AppArmor). */
  annotations: Json | undefined;
  /** Extra problems found while building the view (e.g. unparseable podSpecPatch). */
  notes: string[];
}

/**
 * PSS `restricted` problems for every pod template in `obj`; empty = compliant (or no pods).
 * Each message: `[PSS <Control>] <pod template> <container>: <what is wrong>`.
 */
export function checkRestricted(obj: unknown): string[] {
  const out: string[] = [];
  for (const pod of podViews(obj)) out.push(...checkPod(pod));
  return out;
}

/** The pod templates an object carries (exported for tests and other checks). */
export function podViews(obj: unknown): PodView[] {
  const o = rec(obj);
  if (!o) return [];
  const kind = o["kind"];
  const spec = rec(o["spec"]);
  const corePod = (s: unknown, where: string, annotations: unknown): PodView[] => {
    const ps = rec(s);
    if (!ps) return [];
    const containers: PodView["containers"] = [];
    for (const [field, label] of [
      ["initContainers", "initContainer"],
      ["containers", "container"],
      ["ephemeralContainers", "ephemeralContainer"],
    ] as const) {
      arr(ps[field]).forEach((c, i) => {
        const cr = rec(c);
        if (cr) containers.push({ label: `${label} ${q(cr["name"] ?? `#${i}`)}`, c: cr, list: field === "initContainers" ? "initContainers" : "containers" });
      });
    }
    return [{ where, spec: ps, securityContext: rec(ps["securityContext"]), containers, annotations: rec(annotations), notes: [] }];
  };
  switch (kind) {
    case "Pod":
      return corePod(spec, "spec", rec(o["metadata"])?.["annotations"]);
    case "Job":
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet": {
      const t = rec(spec?.["template"]);
      return corePod(t?.["spec"], "spec.template.spec", rec(t?.["metadata"])?.["annotations"]);
    }
    case "CronJob": {
      const t = rec(rec(rec(spec?.["jobTemplate"])?.["spec"])?.["template"]);
      return corePod(t?.["spec"], "spec.jobTemplate.spec.template.spec", rec(t?.["metadata"])?.["annotations"]);
    }
    case "Workflow":
    case "WorkflowTemplate":
    case "ClusterWorkflowTemplate":
      return argoPods(spec, "spec");
    case "CronWorkflow":
      return argoPods(rec(spec?.["workflowSpec"]), "spec.workflowSpec");
    default:
      return [];
  }
}

/** Objects are merged recursively, everything else (arrays included) is replaced. */
function mergeDefaults(defaults: Json | undefined, t: Json): Json {
  if (!defaults) return t;
  const out: Json = { ...defaults };
  for (const [k, v] of Object.entries(t)) {
    const d = out[k];
    out[k] = isRecord(d) && isRecord(v) ? mergeDefaults(d, v) : v;
  }
  return out;
}

function argoPods(wfSpec: Json | undefined, specPath: string): PodView[] {
  if (!wfSpec) return [];
  const pods: PodView[] = [];
  const defaults = rec(wfSpec["templateDefaults"]);
  const wfVolumes = arr(wfSpec["volumes"]);
  const claimVolumes = arr(wfSpec["volumeClaimTemplates"]).map((c) => ({
    name: rec(rec(c)?.["metadata"])?.["name"],
    persistentVolumeClaim: { claimName: "<volumeClaimTemplate>" },
  }));
  const wfAnnotations = rec(rec(wfSpec["podMetadata"])?.["annotations"]);
  arr(wfSpec["templates"]).forEach((raw, i) => {
    const t0 = rec(raw);
    if (!t0) return;
    const t = mergeDefaults(defaults, t0);
    const runsUserPod = ["container", "script", "containerSet"].some((k) => t[k] !== undefined && t[k] !== null);
    if (!runsUserPod) return;
    const where = `${specPath}.templates[${i}] (template ${q(t["name"] ?? `#${i}`)})`;
    const containers: PodView["containers"] = [];
    arr(t["initContainers"]).forEach((c, ci) => {
      const cr = rec(c);
      if (cr) containers.push({ label: `initContainer ${q(cr["name"] ?? `#${ci}`)}`, c: cr, list: "initContainers" });
    });
    const main = rec(t["container"]);
    if (main) containers.push({ label: `container ${q(main["name"] ?? "main")}`, c: main, list: "containers" });
    const script = rec(t["script"]);
    if (script) containers.push({ label: `script ${q(script["name"] ?? "main")}`, c: script, list: "containers" });
    arr(rec(t["containerSet"])?.["containers"]).forEach((c, ci) => {
      const cr = rec(c);
      if (cr) containers.push({ label: `containerSet container ${q(cr["name"] ?? `#${ci}`)}`, c: cr, list: "containers" });
    });
    arr(t["sidecars"]).forEach((c, ci) => {
      const cr = rec(c);
      if (cr) containers.push({ label: `sidecar ${q(cr["name"] ?? `#${ci}`)}`, c: cr, list: "containers" });
    });
    containers.push({ label: `Argo executor initContainer "init"`, c: { name: "init" }, list: "initContainers" });
    containers.push({ label: `Argo executor container "wait"`, c: { name: "wait" }, list: "containers" });
    const podSpec: Json = {
      hostNetwork: wfSpec["hostNetwork"],
      volumes: [...wfVolumes, ...claimVolumes, ...arr(t["volumes"])],
    };
    const annotations = { ...(wfAnnotations ?? {}), ...(rec(rec(t["metadata"])?.["annotations"]) ?? {}) };
    const view: PodView = {
      where,
      spec: podSpec,
      securityContext: rec(t["securityContext"]) ?? rec(wfSpec["securityContext"]),
      containers,
      annotations,
      notes: [],
    };
    for (const [patchWhere, patch] of [
      [`${specPath}.podSpecPatch`, wfSpec["podSpecPatch"]],
      ["podSpecPatch", t["podSpecPatch"]],
    ] as const) {
      if (patch === undefined || patch === null || patch === "") continue;
      applyPodSpecPatch(view, patchWhere, patch);
    }
    pods.push(view);
  });
  return pods;
}

/**
 * Apply a parsed podSpecPatch (JSON/YAML PodSpec fragment) on top of the view, so that forbidden
 * settings it introduces are checked. Containers in the patch are matched by name.
 */
function applyPodSpecPatch(view: PodView, where: string, patch: unknown): void {
  let parsed: unknown;
  try {
    parsed = typeof patch === "string" ? (YAML.parse(patch) as unknown) : patch;
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed) || (typeof patch === "string" && patch.includes("{{"))) {
    view.notes.push(`[PSS podSpecPatch] ${view.where}: ${where} cannot be checked statically; restricted compliance is not provable`);
    if (!isRecord(parsed)) return;
  }
  for (const [k, v] of Object.entries(parsed)) {
    if (k === "containers" || k === "initContainers") {
      for (const pc of arr(v)) {
        const pcr = rec(pc);
        if (!pcr) continue;
        // Strategic merge matches by name within the same list: `init` under `containers` is a new container.
        const target = view.containers.find((c) => c.list === k && (c.c["name"] === pcr["name"] || (pcr["name"] === "main" && c.c["name"] === undefined)));
        if (target) target.c = mergeDefaults(target.c, pcr);
        else view.containers.push({ label: `${where} ${k === "initContainers" ? "initContainer" : "container"} ${q(pcr["name"] ?? "?")}`, c: pcr, list: k });
      }
    } else if (k === "securityContext" && isRecord(v)) {
      view.securityContext = mergeDefaults(view.securityContext, v);
    } else if (k === "volumes") {
      view.spec["volumes"] = [...arr(view.spec["volumes"]), ...arr(v)];
    } else {
      view.spec[k] = v;
    }
  }
}

function checkPod(pod: PodView): string[] {
  const out: string[] = [...pod.notes];
  const p = (control: string, who: string, msg: string): void => {
    out.push(`[PSS ${control}] ${pod.where}${who ? ` ${who}` : ""}: ${msg}`);
  };
  const spec = pod.spec;
  const psc = pod.securityContext ?? {};
  const windows = rec(spec["os"])?.["name"] === "windows";

  // --- Baseline: host namespaces
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (spec[f] === true) p("Host Namespaces", "", `${f} must be unset or false`);
  }
  // --- Baseline: HostProcess (pod)
  if (rec(psc["windowsOptions"])?.["hostProcess"] === true) {
    p("HostProcess", "", "securityContext.windowsOptions.hostProcess must be unset or false");
  }
  // --- Baseline: sysctls
  for (const s of arr(psc["sysctls"])) {
    const name = rec(s)?.["name"];
    if (typeof name !== "string" || !SAFE_SYSCTLS.has(name)) {
      p("Sysctls", "", `securityContext.sysctls ${q(name)} is not in the safe set (${[...SAFE_SYSCTLS].join(", ")})`);
    }
  }
  // --- Baseline: hostPath volumes; Restricted: volume types
  arr(spec["volumes"]).forEach((v, i) => {
    const vol = rec(v);
    if (!vol) return;
    const vn = `volume ${q(vol["name"] ?? `#${i}`)}`;
    if (vol["hostPath"] !== undefined) p("HostPath Volumes", vn, "hostPath volumes are forbidden");
    const sources = Object.keys(vol).filter((k) => k !== "name" && vol[k] !== undefined && vol[k] !== null);
    const bad = sources.filter((k) => !(ALLOWED_VOLUME_TYPES as readonly string[]).includes(k));
    if (bad.length > 0) {
      p("Volume Types", vn, `volume type ${bad.join(", ")} not allowed (allowed: ${ALLOWED_VOLUME_TYPES.join(", ")})`);
    }
  });
  // --- Baseline: AppArmor (pod field + annotations)
  checkAppArmorType(psc, "securityContext", (m) => p("AppArmor", "", m));
  for (const [k, v] of Object.entries(pod.annotations ?? {})) {
    if (!k.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    if (!(v === "runtime/default" || (typeof v === "string" && v.startsWith("localhost/")))) {
      p("AppArmor", "", `annotation ${k}=${q(v)} must be runtime/default or localhost/*`);
    }
  }
  // --- Baseline: SELinux (pod)
  checkSELinux(psc, "securityContext", (m) => p("SELinux", "", m));
  // --- Baseline: seccomp (pod); Restricted: pod-level value, when set, must be an allowed one
  const podSeccomp = rec(psc["seccompProfile"])?.["type"];
  if (podSeccomp !== undefined && !windows && podSeccomp !== "RuntimeDefault" && podSeccomp !== "Localhost") {
    p("Seccomp", "", `securityContext.seccompProfile.type ${q(podSeccomp)} must be RuntimeDefault or Localhost`);
  } else if (windows && podSeccomp === "Unconfined") {
    p("Seccomp", "", "securityContext.seccompProfile.type must not be Unconfined");
  }
  // --- Restricted: runAsUser (pod)
  if (psc["runAsUser"] === 0) p("Running as Non-root user", "", "securityContext.runAsUser must not be 0");
  // runAsNonRoot: false at pod level is forbidden even if containers override
  if (psc["runAsNonRoot"] === false) p("Running as Non-root", "", "securityContext.runAsNonRoot must not be false");

  if (pod.containers.length === 0) p("Containers", "", "no containers found in the pod template");
  for (const { label, c } of pod.containers) {
    const sc = rec(c["securityContext"]) ?? {};
    const cp = (control: string, msg: string): void => p(control, label, msg);
    // Baseline
    if (sc["privileged"] === true) cp("Privileged Containers", "securityContext.privileged must be unset or false");
    if (rec(sc["windowsOptions"])?.["hostProcess"] === true) {
      cp("HostProcess", "securityContext.windowsOptions.hostProcess must be unset or false");
    }
    arr(c["ports"]).forEach((port, i) => {
      const hp = rec(port)?.["hostPort"];
      if (hp !== undefined && hp !== 0) cp("Host Ports", `ports[${i}].hostPort ${q(hp)} must be unset or 0`);
    });
    checkAppArmorType(sc, "securityContext", (m) => cp("AppArmor", m));
    checkSELinux(sc, "securityContext", (m) => cp("SELinux", m));
    if (sc["procMount"] !== undefined && sc["procMount"] !== "Default") {
      cp("/proc Mount Type", `securityContext.procMount ${q(sc["procMount"])} must be unset or Default`);
    }
    const cSeccomp = rec(sc["seccompProfile"])?.["type"];
    if (!windows) {
      // Restricted: seccomp explicitly RuntimeDefault/Localhost (container, or pod when container unset)
      if (cSeccomp !== undefined) {
        if (cSeccomp !== "RuntimeDefault" && cSeccomp !== "Localhost") {
          cp("Seccomp", `securityContext.seccompProfile.type ${q(cSeccomp)} must be RuntimeDefault or Localhost`);
        }
      } else if (podSeccomp === undefined) {
        cp("Seccomp", "seccompProfile.type must be set to RuntimeDefault or Localhost (container or pod securityContext)");
      }
      // Restricted: allowPrivilegeEscalation explicitly false
      if (sc["allowPrivilegeEscalation"] !== false) {
        cp("Privilege Escalation", "securityContext.allowPrivilegeEscalation must be false");
      }
    } else if (cSeccomp === "Unconfined") {
      cp("Seccomp", "securityContext.seccompProfile.type must not be Unconfined");
    }
    // Capabilities: baseline add list; restricted drop ALL, add at most NET_BIND_SERVICE
    const caps = rec(sc["capabilities"]) ?? {};
    for (const a of arr(caps["add"])) {
      if (!BASELINE_CAPABILITIES.has(String(a))) {
        cp("Capabilities", `capabilities.add ${q(a)} is not allowed (baseline list; restricted allows only NET_BIND_SERVICE)`);
      } else if (!windows && a !== "NET_BIND_SERVICE") {
        cp("Capabilities", `capabilities.add ${q(a)} is not allowed (restricted allows only NET_BIND_SERVICE)`);
      }
    }
    if (!windows && !arr(caps["drop"]).includes("ALL")) {
      cp("Capabilities", 'capabilities.drop must contain "ALL"');
    }
    // Restricted: runAsNonRoot (container value, else pod value, must be true)
    const nonRoot = sc["runAsNonRoot"] ?? psc["runAsNonRoot"];
    if (nonRoot !== true) {
      cp("Running as Non-root", "runAsNonRoot must be true (container securityContext, or pod securityContext)");
    }
    // Restricted: runAsUser != 0
    if (sc["runAsUser"] === 0) cp("Running as Non-root user", "securityContext.runAsUser must not be 0");
  }
  return out;
}

function checkAppArmorType(sc: Json, where: string, report: (m: string) => void): void {
  const t = rec(sc["appArmorProfile"])?.["type"];
  if (t !== undefined && t !== "RuntimeDefault" && t !== "Localhost") {
    report(`${where}.appArmorProfile.type ${q(t)} must be RuntimeDefault or Localhost`);
  }
}

function checkSELinux(sc: Json, where: string, report: (m: string) => void): void {
  const se = rec(sc["seLinuxOptions"]);
  if (!se) return;
  if (se["type"] !== undefined && !SELINUX_TYPES.has(String(se["type"]))) {
    report(`${where}.seLinuxOptions.type ${q(se["type"])} must be one of container_t, container_init_t, container_kvm_t, container_engine_t`);
  }
  for (const f of ["user", "role"]) {
    if (se[f] !== undefined && se[f] !== "") report(`${where}.seLinuxOptions.${f} must be empty`);
  }
}
