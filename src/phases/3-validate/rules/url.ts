/** An absolute http(s) URL, as a link in an alert or a dashboard needs; the reason it is not, else undefined. */
export function httpUrl(s: string): string | undefined {
  if (/\s/.test(s)) return "contains whitespace";
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return "is not an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must use http or https, not ${url.protocol.replace(/:$/, "")}`;
  if (url.hostname === "") return "has no host";
  return undefined;
}
