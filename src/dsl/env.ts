import type { ConfigMapKeyRef, SecretKeyRef } from "./types.js";

/** An environment variable read from key `key` of Secret `name`: `env: { PGPASSWORD: secretEnv("pg", "password") }`. */
export function secretEnv(name: string, key: string, options: { optional?: boolean } = {}): SecretKeyRef {
  return { secretKeyRef: { name, key, ...(options.optional !== undefined && { optional: options.optional }) } };
}

/** An environment variable read from key `key` of ConfigMap `name`. */
export function configMapEnv(name: string, key: string, options: { optional?: boolean } = {}): ConfigMapKeyRef {
  return { configMapKeyRef: { name, key, ...(options.optional !== undefined && { optional: options.optional }) } };
}
