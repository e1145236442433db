/**
 * "Did you mean" hints (src/util/closest-name.ts, src/util/schema-keys.ts): which name a misspelt
 * one meant, and the keys a zod schema accepts at a path.
 */
import { expect, it } from "vitest";
import { z } from "zod";
import { closestName } from "../src/util/closest-name.js";
import { schemaKeysAt } from "../src/util/schema-keys.js";

it("closestName: a typo, a swap or a case difference; nothing when too far or ambiguous", () => {
  const fields = ["image", "imagePullPolicy", "retry", "resources", "readOnly", "timeout"];
  expect(closestName("imagPullPolicy", fields)).toBe("imagePullPolicy"); // a letter left out
  expect(closestName("retyr", fields)).toBe("retry"); // two letters swapped
  expect(closestName("readonly", fields)).toBe("readOnly"); // case only
  expect(closestName("IMAGE", fields)).toBe("image");
  expect(closestName("timout", fields)).toBe("timeout");
  expect(closestName("zzzzzz", fields)).toBeUndefined();
  expect(closestName("img", fields)).toBeUndefined(); // 2 edits is too many for 3 letters
  expect(closestName("image", fields)).toBeUndefined(); // the word itself is no suggestion
  expect(closestName("cat", ["bat", "cab"])).toBeUndefined(); // two equally close
});

it("schemaKeysAt: through optional, array, record and union wrappers, and refinements", () => {
  const schema = z
    .strictObject({
      a: z.string(),
      list: z.array(z.strictObject({ inner: z.number() })).optional(),
      map: z.record(z.string(), z.strictObject({ value: z.string() })),
      either: z.union([z.strictObject({ x: z.string() }), z.strictObject({ y: z.string() })]).optional(),
    })
    .refine(() => true);
  expect(schemaKeysAt(schema, [])).toEqual(["a", "list", "map", "either"]);
  expect(schemaKeysAt(schema, ["list", 0])).toEqual(["inner"]);
  expect(schemaKeysAt(schema, ["map", "any-key"])).toEqual(["value"]);
  expect(schemaKeysAt(schema, ["either"])).toEqual(["x", "y"]);
  expect(schemaKeysAt(schema, ["a"])).toEqual([]);
  expect(schemaKeysAt(schema, ["nope", "deeper"])).toEqual([]);
});
