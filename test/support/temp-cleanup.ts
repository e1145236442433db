/**
 * Vitest setup file: removes the temporary projects a test file made (`tempProject`) once the
 * file is done, so runs do not leave thousands of folders in the system temp directory.
 */
import { afterAll } from "vitest";
import { removeTempProjects } from "./cli.js";

afterAll(() => removeTempProjects());
