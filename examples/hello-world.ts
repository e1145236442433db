/** The smallest pipeline: one task that prints a greeting. */
import { pipeline } from "gantry";

export default pipeline("hello-world", {}, (p) => {
  p.task("hello", {
    image: "busybox:1.36",
    command: ["echo"],
    args: ["hello from gantry"],
  });
});
