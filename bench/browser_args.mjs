// Chromium's switches for the browser benchmarks. This machine has no GPU, so the browser draws in
// one of two ways, chosen with the benchmarks' --rendering:
// - "swiftshader" (@sparticuz/chromium's own switches): a GPU emulated on the CPU (ANGLE over
//   SwiftShader) composites and draws the canvas, as headless Chromium does on a server;
// - "software" (the default): Chromium's path for machines without a usable GPU (--disable-gpu):
//   the canvas is drawn by Skia on the CPU in the page's own process, no GPU emulated in between.
// A person's browser with a GPU takes neither: both measure the app on this machine's CPU.
const EMULATED_GPU = new Set([
  "--use-gl=angle",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--ignore-gpu-blocklist",
  "--in-process-gpu",
]);

export function launchArgs(sparticuzArgs, rendering = "software") {
  const args = sparticuzArgs.filter((arg) => arg !== "--single-process");
  if (rendering === "software") {
    return [...args.filter((arg) => !EMULATED_GPU.has(arg)), "--disable-gpu", "--no-sandbox"];
  }
  if (rendering !== "swiftshader") throw new Error(`unknown rendering: ${rendering}`);
  return [...args, "--no-sandbox"];
}
