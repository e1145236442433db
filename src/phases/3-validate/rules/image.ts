/**
 * Container image references, as the kubelet reads them before it pulls: `ParseNormalizedNamed` of
 * github.com/distribution/reference (`normalize.go`, `reference.go`, `regexp.go`), whose grammar is
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [domain "/"] path-component ["/" path-component]*
 *   domain         := (domain-name | "[" ipv6 "]") [":" port]
 *   domain-name    := [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])? ("." the same)*
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*      separator := "." | "_" | "__" | "-"+
 *   tag            := [\w][\w.-]{0,127}
 *   digest         := algorithm ":" hex   (go-digest: sha256, sha384 or sha512, lowercase hex of 64, 96, 128)
 *
 * The first component is the registry only when it has a "." or ":", is `localhost`, or has an
 * uppercase letter (and it is a valid host; else the name is all path, as the grammar's registry is
 * optional); otherwise the image is on Docker Hub (`docker.io/library/busybox`). The repository
 * path (with `library/` on Docker Hub) may be at most 255 characters, and a name of 64 hex digits is
 * refused (it reads as an image id). A reference the kubelet cannot parse never starts: the pod waits in InvalidImageName forever.
 * The API server itself refuses only leading or trailing whitespace (validation.go, validateContainers).
 *
 * Loops over characters, no regular expression: this runs for every task of a large compile.
 */

const NAME_TOTAL_LENGTH_MAX = 255;
const TAG_MAX = 128;
const DEFAULT_DOMAIN = "docker.io";
const DIGEST_HEX: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

const show = (s: string) => JSON.stringify(s);

/** a-z or 0-9 */
function lowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}
function alnum(c: number): boolean {
  return lowerAlnum(c) || (c >= 65 && c <= 90);
}
/** `\w`: letters, digits and "_" */
function word(c: number): boolean {
  return alnum(c) || c === 95;
}
function lowerHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}
function hex(c: number): boolean {
  return lowerHex(c) || (c >= 65 && c <= 70);
}
/** What Go's `strings.TrimSpace` removes (unicode.IsSpace): JavaScript's `\s` and U+0085, not U+FEFF. */
function space(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0 || (c > 0xff && c !== 0xfeff && /\s/.test(ch));
}

/** Whether `s` starts or ends with whitespace, which the API server refuses in an image. */
export function surroundingWhitespace(s: string): boolean {
  return s.length > 0 && (space(s[0]!) || space(s[s.length - 1]!));
}

/** The character at `i`, whole (an astral character is two code units). */
function charAt(s: string, i: number): string {
  return String.fromCodePoint(s.codePointAt(i) ?? 0);
}

/** `undefined` when `s` is a reference the kubelet can pull, else the reason. */
export function imageReference(s: string): string | undefined {
  if (s.length === 0) return "must not be empty";
  if (surroundingWhitespace(s)) return "must not have leading or trailing whitespace";
  if (s.length === 64 && allLowerHex(s, 0, 64)) return "is 64 hexadecimal digits, which the kubelet reads as an image id, not a repository name";

  let rest = s;
  let digest: string | undefined;
  const at = s.indexOf("@");
  if (at >= 0) {
    digest = s.slice(at + 1);
    rest = s.slice(0, at);
  }
  let domain: string | undefined;
  let path = rest;
  const slash = rest.indexOf("/");
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first.toLowerCase() !== first) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = path.indexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }

  if (domain !== undefined) {
    const r = domainReason(domain);
    if (r) {
      // The registry is optional in the reference grammar: a first part that is no host name
      // (`host_name.example.com/x`) may still be the first component of a repository path.
      if (pathReason(`${domain}/${path}`) !== undefined) return r;
      path = `${domain}/${path}`;
      domain = undefined;
    }
  }
  const r = pathReason(path);
  if (r) return r;
  // The repository path as the kubelet completes it (`busybox` is `library/busybox` on Docker Hub);
  // distribution/reference limits the path, not the registry.
  const hub = domain === undefined || domain === DEFAULT_DOMAIN || domain === "index.docker.io";
  const length = (hub && !path.includes("/") ? "library/".length : 0) + path.length;
  if (length > NAME_TOTAL_LENGTH_MAX) return `has a repository path of ${length} characters, more than ${NAME_TOTAL_LENGTH_MAX}`;
  if (tag !== undefined) {
    const t = tagReason(tag);
    if (t) return t;
  }
  if (digest !== undefined) return digestReason(digest);
  return undefined;
}

function allLowerHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!lowerHex(s.charCodeAt(i))) return false;
  return true;
}

/** A registry: host name or `[ipv6]`, optionally `:port`. */
function domainReason(domain: string): string | undefined {
  const bad = `has an invalid registry ${show(domain)}`;
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith("[")) {
    const close = domain.indexOf("]");
    if (close < 2) return `${bad} (an IPv6 address is written [hex:digits])`;
    for (let i = 1; i < close; i++) {
      const c = domain.charCodeAt(i);
      if (!hex(c) && c !== 58) return `${bad} (an IPv6 address is written [hex:digits])`;
    }
    if (close + 1 < domain.length) {
      if (domain[close + 1] !== ":") return `${bad} (expected ":port" after "]")`;
      port = domain.slice(close + 2);
    }
    host = "";
  } else {
    const c = domain.indexOf(":");
    if (c >= 0) {
      host = domain.slice(0, c);
      port = domain.slice(c + 1);
    }
  }
  if (port !== undefined) {
    if (port.length === 0) return `${bad} (the port after ":" is empty)`;
    for (let i = 0; i < port.length; i++) {
      const c = port.charCodeAt(i);
      if (c < 48 || c > 57) return `${bad} (the port must be digits)`;
    }
  }
  if (host === "") return domain.startsWith("[") ? undefined : `${bad} (the host is empty)`;
  let start = 0;
  for (let i = 0; i <= host.length; i++) {
    if (i < host.length && host.charCodeAt(i) !== 46) continue;
    // One component of the host name: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
    if (i === start) return `${bad} (a part of the host name is empty)`;
    for (let j = start; j < i; j++) {
      const c = host.charCodeAt(j);
      if (!alnum(c) && c !== 45) return `${bad} (contains invalid character ${show(charAt(host, j))})`;
    }
    if (host.charCodeAt(start) === 45 || host.charCodeAt(i - 1) === 45) return `${bad} (a part of the host name starts or ends with "-")`;
    start = i + 1;
  }
  return undefined;
}

/** The repository path: components of lowercase letters and digits joined by ".", "_", "__" or dashes. */
function pathReason(path: string): string | undefined {
  if (path.length === 0) return "has no repository name";
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    if (i === start) return `has an empty part in its repository name ${show(path)} (between "/")`;
    const r = componentReason(path, start, i);
    if (r) return r;
    start = i + 1;
  }
  return undefined;
}

function componentReason(path: string, from: number, to: number): string | undefined {
  const part = () => show(path.slice(from, to));
  // Uppercase first, as ParseNormalizedNamed does: the most common mistake gets the plainest message.
  for (let i = from; i < to; i++) {
    const c = path.charCodeAt(i);
    if (c >= 65 && c <= 90) return `has a repository name that must be lowercase (${show(path)})`;
  }
  for (let i = from; i < to; i++) {
    const c = path.charCodeAt(i);
    if (!lowerAlnum(c) && c !== 46 && c !== 95 && c !== 45) {
      return `contains invalid character ${show(charAt(path, i))} in its repository name (allowed: lowercase letters, digits, and ".", "_", "__" or "-" between them)`;
    }
  }
  if (!lowerAlnum(path.charCodeAt(from)) || !lowerAlnum(path.charCodeAt(to - 1))) return `has a repository name part ${part()} that does not start and end with a lowercase letter or digit`;
  // Runs of separators between letters and digits: ".", "_", "__" or any number of "-".
  let i = from;
  while (i < to) {
    if (lowerAlnum(path.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < to && !lowerAlnum(path.charCodeAt(j))) j++;
    const sep = path.slice(i, j);
    if (!(sep === "." || sep === "_" || sep === "__" || allDashes(sep))) {
      return `has ${show(sep)} between letters or digits of its repository name part ${part()} (allowed: ".", "_", "__" or dashes)`;
    }
    i = j;
  }
  return undefined;
}

function allDashes(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 45) return false;
  return true;
}

function tagReason(tag: string): string | undefined {
  if (tag.length === 0) return `has an empty tag after ":"`;
  if (tag.length > TAG_MAX) return `has a tag of ${tag.length} characters, more than ${TAG_MAX}`;
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (!word(c) && !(i > 0 && (c === 46 || c === 45))) {
      return i === 0 && (c === 46 || c === 45)
        ? `has a tag ${show(tag)} that starts with ${show(tag[0]!)} (a tag starts with a letter, digit or "_")`
        : `has a tag ${show(tag)} with invalid character ${show(charAt(tag, i))} (allowed: letters, digits, "_", "." and "-")`;
    }
  }
  return undefined;
}

function digestReason(digest: string): string | undefined {
  const colon = digest.indexOf(":");
  const algorithm = colon < 0 ? digest : digest.slice(0, colon);
  const want = Object.hasOwn(DIGEST_HEX, algorithm) ? DIGEST_HEX[algorithm]! : undefined;
  if (colon < 0 || want === undefined) return `has a digest ${show(digest)} that is not sha256:, sha384: or sha512: followed by hexadecimal digits`;
  const length = digest.length - colon - 1;
  if (length !== want || !allLowerHex(digest, colon + 1, digest.length)) {
    return `has a digest ${show(digest)}: a ${algorithm} digest is ${want} lowercase hexadecimal digits${length !== want ? ` (got ${length} characters)` : ""}`;
  }
  return undefined;
}
