// The vehicles' arrows drawn straight from a UnitBuffer('vehicle') by a maplibre custom layer, as the dots
// layer draws the officers (unit-dots-layer.ts): one point per vehicle, the arrow cut out of it by the
// fragment shader, turned by the vehicle's heading (the slot's fourth number). It draws what the GeoJSON
// symbol layer 'vehicles' drew (unit-styles.ts): the 'icon-arrow' shape (icons.ts), 'icon-size' 0.7 at zoom 11
// to 1.2 at 16, turned with the map ('icon-rotation-alignment': 'map'), filled in unitColor with a 1.5 px
// dark halo, every vehicle whatever its class. Mercator projection only (the console's map has no globe).
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import type { UnitBuffer } from './unit-buffer';
import { CLASS_COLORS, EDGE, atZoom, linkProgram, originMatrix, slotVertexArray, uploadSlots, type GpuCopy } from './unit-dots-layer';

/** The symbol layer's 'icon-size' stops; at 1 the icon is 24 CSS px square (48 px image at pixelRatio 2, icons.ts). */
export const ARROW_SIZE: readonly (readonly [number, number])[] = [[11, 0.7], [16, 1.2]];
export const ARROW_ICON_PX = 24;
export const ARROW_HALO = 1.5;

/** The arrow's side in CSS px at zoom `z` (the icon's square; the arrow spans 0.76 of it across, 0.82 along). */
export const arrowPx = (z: number) => ARROW_ICON_PX * atZoom(ARROW_SIZE, z);

const VERTEX = `#version 300 es
in vec2 a_pos;
in float a_cls;
in float a_heading;
uniform mat4 u_matrix;
uniform float u_dpr;
uniform float u_size;    // the icon's side, CSS px
uniform float u_bearing; // the map's bearing, degrees
uniform vec3 u_class[7];
out vec3 v_color;
out vec2 v_turn;  // cos, sin of the arrow's angle on screen
out float v_half; // half the point's side, CSS px
void main() {
  v_color = u_class[int(a_cls + 0.5)];
  float a = radians(a_heading - u_bearing);
  v_turn = vec2(cos(a), sin(a));
  // The icon's square turned any way fits in a circle of its half-diagonal; plus the halo and a pixel.
  v_half = u_size * 0.7072 + ${ARROW_HALO.toFixed(1)} + 1.0;
  gl_PointSize = 2.0 * v_half * u_dpr;
  gl_Position = u_matrix * vec4(a_pos, 0.0, 1.0);
}`;

// The 'icon-arrow' outline (icons.ts), in the icon's 0..1 square, y down: tip, right wing, notch, left wing.
const FRAGMENT = `#version 300 es
precision mediump float;
in vec3 v_color;
in vec2 v_turn;
in float v_half;
uniform highp float u_size; // as the vertex shader's (a uniform in both must agree on precision)
uniform vec3 u_edge;
out vec4 color;
float seg(vec2 p, vec2 a, vec2 b) {
  vec2 ab = b - a;
  return length(p - a - ab * clamp(dot(p - a, ab) / dot(ab, ab), 0.0, 1.0));
}
bool crosses(vec2 p, vec2 a, vec2 b) {
  return ((a.y > p.y) != (b.y > p.y)) && (p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y));
}
void main() {
  // This fragment in CSS px from the point's centre (y down), turned back into the upright icon's frame.
  vec2 p = (gl_PointCoord - 0.5) * 2.0 * v_half;
  vec2 q = vec2(p.x * v_turn.x + p.y * v_turn.y, -p.x * v_turn.y + p.y * v_turn.x) / u_size + 0.5;
  vec2 v0 = vec2(0.5, 0.08);
  vec2 v1 = vec2(0.88, 0.9);
  vec2 v2 = vec2(0.5, 0.7);
  vec2 v3 = vec2(0.12, 0.9);
  float d = min(min(seg(q, v0, v1), seg(q, v1, v2)), min(seg(q, v2, v3), seg(q, v3, v0))) * u_size;
  bool inside = crosses(q, v0, v1) ^^ crosses(q, v1, v2) ^^ crosses(q, v2, v3) ^^ crosses(q, v3, v0); // even-odd
  float sd = inside ? -d : d; // signed distance to the outline, CSS px
  float fill = 1.0 - smoothstep(-0.5, 0.5, sd);
  float outer = 1.0 - smoothstep(${ARROW_HALO.toFixed(1)} - 0.5, ${ARROW_HALO.toFixed(1)} + 0.5, sd);
  color = vec4(mix(u_edge, v_color, fill), 1.0) * outer;
  if (color.a <= 0.0) discard;
}`;

export class UnitArrowsLayer implements CustomLayerInterface {
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MlMap | null = null;
  private program: WebGLProgram | null = null;
  private vbo: WebGLBuffer | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private readonly copy: GpuCopy;
  private u: Record<string, WebGLUniformLocation | null> = {};
  private readonly matrix = new Float32Array(16);
  /** As the dots layer's: frames drawn, uploads, slots uploaded, the uploads' main-thread ms. */
  readonly stats = { frames: 0, uploads: 0, slotsUploaded: 0, uploadMs: 0 };

  constructor(readonly id: string, readonly buffer: UnitBuffer) {
    this.copy = { capacity: -1, generation: -1, stats: this.stats };
  }

  onAdd(map: MlMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const p = linkProgram(gl, VERTEX, FRAGMENT);
    this.program = p;
    for (const name of ['u_matrix', 'u_dpr', 'u_size', 'u_bearing', 'u_class', 'u_edge']) this.u[name] = gl.getUniformLocation(p, name);
    ({ vbo: this.vbo, vao: this.vao } = slotVertexArray(gl, p, 'a_heading'));
    this.copy.capacity = -1;
  }

  onRemove(_map: MlMap, gl: WebGL2RenderingContext): void {
    gl.deleteBuffer(this.vbo);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(this.program);
    this.map = null;
  }

  /** Ask the map for a frame (after the buffer was written). */
  repaint(): void {
    this.map?.triggerRepaint();
  }

  render(gl: WebGL2RenderingContext, args: CustomRenderMethodInput): void {
    const { buffer, map } = this;
    if (!map || !this.program || !buffer.originMercator) return;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    uploadSlots(gl, buffer, this.copy);
    if (!buffer.count) return;
    originMatrix(args, buffer.originMercator, this.matrix);
    gl.useProgram(this.program);
    gl.uniformMatrix4fv(this.u.u_matrix!, false, this.matrix);
    gl.uniform1f(this.u.u_dpr!, map.getPixelRatio());
    gl.uniform1f(this.u.u_size!, arrowPx(map.getZoom()));
    gl.uniform1f(this.u.u_bearing!, map.getBearing());
    gl.uniform3fv(this.u.u_class!, CLASS_COLORS);
    gl.uniform3fv(this.u.u_edge!, EDGE);
    gl.bindVertexArray(this.vao);
    gl.drawArrays(gl.POINTS, 0, buffer.count);
    gl.bindVertexArray(null);
    this.stats.frames++;
  }
}
