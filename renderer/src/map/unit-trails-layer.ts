// The vehicles' trails drawn straight from a TrailBuffer by a maplibre custom layer, as the arrows layer
// draws their arrows (unit-arrows-layer.ts). It draws what the GeoJSON line layer 'vehicle-trails' drew
// (unit-styles.ts): 'line-width' 3, 'line-opacity' 0.55, 'line-color' unitColor, round caps and joins, with
// maplibre's line edge (1 device px of antialiasing). One quad per segment, instanced: each instance reads a
// segment's two points and the one before it from the same buffer, a point apart, and the fragment shader
// draws the segment as a capsule (a round cap at each end makes the round join) minus what the segment
// before it already covered, so a trail's joins are not drawn twice: at 0.55 opacity a doubled join would
// show as a darker bead, where maplibre's line is one coverage per feature. Trails still overlap each other
// (each is its own feature there too). Mercator projection only (the console's map has no globe).
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import { TRAIL_POINTS } from '../hub/positions';
import { POINT_FLOATS, type TrailBuffer } from './trail-buffer';
import { CLASS_COLORS, linkProgram, originMatrix, uploadSlots, type GpuCopy } from './unit-dots-layer';

/** The GeoJSON trails layer's paint (unit-styles.ts), CSS px and alpha. */
export const TRAIL_WIDTH = 3;
export const TRAIL_OPACITY = 0.55;

const VERTEX = `#version 300 es
in vec3 a_before; // the point before the segment: x, y, class (negative: none)
in vec3 a_from;
in vec3 a_to;
uniform mat4 u_matrix;
uniform vec2 u_viewport; // device px
uniform float u_half;    // half the line's width, device px
uniform vec3 u_class[7];
out vec2 v_px;
flat out vec2 v_from;
flat out vec2 v_to;
flat out vec2 v_before;
flat out float v_hasBefore;
flat out vec3 v_color;
vec2 px(vec2 p) {
  vec4 c = u_matrix * vec4(p, 0.0, 1.0);
  return (c.xy / c.w * 0.5 + 0.5) * u_viewport;
}
void main() {
  // Instance i is the segment from point i to point i + 1 of the buffer; the last of a slot's points has none
  // (the next point is another vehicle's), nor has a point the trail does not have yet.
  int k = gl_InstanceID % ${TRAIL_POINTS};
  if (k == ${TRAIL_POINTS - 1} || a_from.z < 0.0 || a_to.z < 0.0) {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0); // outside the clip volume: dropped before any fragment
    return;
  }
  vec2 a = px(a_from.xy);
  vec2 b = px(a_to.xy);
  vec2 ab = b - a;
  float len = length(ab);
  vec2 along = len > 0.001 ? ab / len : vec2(1.0, 0.0);
  vec2 across = vec2(-along.y, along.x);
  // The capsule and its antialiased edge fit in the segment's box grown by the half width and a pixel.
  float r = u_half + 1.0;
  vec2 p = ((gl_VertexID & 1) == 0 ? a - along * r : b + along * r) + across * ((gl_VertexID & 2) == 0 ? -r : r);
  v_px = p;
  v_from = a;
  v_to = b;
  bool hasBefore = k > 0 && a_before.z >= 0.0;
  v_before = hasBefore ? px(a_before.xy) : a;
  v_hasBefore = hasBefore ? 1.0 : 0.0;
  v_color = u_class[int(a_from.z + 0.5)];
  gl_Position = vec4(p / u_viewport * 2.0 - 1.0, 0.0, 1.0);
}`;

const FRAGMENT = `#version 300 es
precision highp float;
in vec2 v_px;
flat in vec2 v_from;
flat in vec2 v_to;
flat in vec2 v_before;
flat in float v_hasBefore;
flat in vec3 v_color;
uniform float u_half;
uniform float u_opacity;
out vec4 color;
float seg(vec2 p, vec2 a, vec2 b) {
  vec2 ab = b - a;
  float l = dot(ab, ab);
  return length(p - a - ab * (l > 0.0 ? clamp(dot(p - a, ab) / l, 0.0, 1.0) : 0.0));
}
void main() {
  // Coverage as maplibre's line shader: full to the half width, fading over the next device pixel.
  float own = clamp(u_half + 0.5 - seg(v_px, v_from, v_to), 0.0, 1.0);
  float before = v_hasBefore > 0.5 ? clamp(u_half + 0.5 - seg(v_px, v_before, v_from), 0.0, 1.0) : 0.0;
  // The segment before drew alpha a here; add what takes the pixel to the union's m, blended over it.
  float a = u_opacity * before;
  float m = u_opacity * max(own, before);
  float add = (m - a) / (1.0 - a);
  if (add <= 0.0) discard;
  color = vec4(v_color * add, add);
}`;

export class UnitTrailsLayer implements CustomLayerInterface {
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

  constructor(readonly id: string, readonly buffer: TrailBuffer) {
    this.copy = { capacity: -1, generation: -1, stats: this.stats };
  }

  onAdd(map: MlMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const p = linkProgram(gl, VERTEX, FRAGMENT);
    this.program = p;
    for (const name of ['u_matrix', 'u_viewport', 'u_half', 'u_class', 'u_opacity']) this.u[name] = gl.getUniformLocation(p, name);
    this.vbo = gl.createBuffer();
    this.vao = gl.createVertexArray();
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    // Three views of the same points, one point apart, advanced once per instance (segment).
    const stride = POINT_FLOATS * 4;
    ['a_before', 'a_from', 'a_to'].forEach((name, i) => {
      const loc = gl.getAttribLocation(p, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, POINT_FLOATS, gl.FLOAT, false, stride, i * stride);
      gl.vertexAttribDivisor(loc, 1);
    });
    gl.bindVertexArray(null);
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
    gl.uniform2f(this.u.u_viewport!, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.uniform1f(this.u.u_half!, (TRAIL_WIDTH / 2) * map.getPixelRatio());
    gl.uniform1f(this.u.u_opacity!, TRAIL_OPACITY);
    gl.uniform3fv(this.u.u_class!, CLASS_COLORS);
    gl.bindVertexArray(this.vao);
    gl.drawArraysInstanced(gl.TRIANGLE_STRIP, 0, 4, buffer.count * TRAIL_POINTS);
    gl.bindVertexArray(null);
    this.stats.frames++;
  }
}
