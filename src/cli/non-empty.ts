import { InvalidArgumentError } from "commander";

/**
 * An option value or argument that must not be empty: `--out ""` would write into the working
 * directory, `--runtime-image ""` emit `image: ""`, `init ""` scaffold into it. The configuration
 * refuses the same (`min(1)`); here it is a usage error (exit 2), as commander reports an invalid choice.
 */
export function nonEmpty(value: string): string {
  if (value === "") throw new InvalidArgumentError("It must not be empty.");
  return value;
}
