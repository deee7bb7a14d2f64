// hls.js ships its light build without a declaration of its own: it is the full build's API,
// less features OnAir does not serve (subtitles, alternate audio, DRM).
declare module "hls.js/light" {
  export { default } from "hls.js";
}
