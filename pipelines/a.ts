import { pipeline } from "gantry";
export default pipeline("a", {}, (p) => { p.task("t", { image: "busybox:2" }); });
