// The officers' dots drawn straight from a UnitBuffer by a maplibre custom layer: one point per unit in one
// vertex buffer, updated in place (bufferSubData of the slots written since the last frame). It draws what
// the GeoJSON layers drew for the officers, with the same numbers (UnitLayers: 'officers-sos',
// 'officers-att-ring', 'officers'): the SOS halo, then the attendance ring, then the dot, each a pass over the
// whole buffer so every halo lies under every ring and every ring under every dot, as with three layers.
// Mercator projection only (the console's map has no globe).
import type { CustomLayerInterface, CustomRenderMethodInput, Map as MlMap } from 'maplibre-gl';
import { LIVE } from './theme';
import { CLASS_INDEX, SLOT_FLOATS, UnitBuffer } from './unit-buffer';

type Stops = readonly (readonly [number, number])[];

/** The GeoJSON layers' zoom-interpolated sizes (UnitLayers), in CSS pixels. */
export const DOT_RADIUS: Stops = [[11, 3.5], [15, 7], [18, 11]];
export const RING_RADIUS: Stops = [[11, 7], [15, 11.5], [18, 16]];
export const RING_WIDTH: Stops = [[11, 2], [15, 3]];
export const SOS_RADIUS = 22;
export const SOS_WIDTH = 3;

/** maplibre's ['interpolate', ['linear'], ['zoom'], …]: linear between stops, held at the ends. */
export function atZoom(stops: Stops, z: number): number {
  if (z <= stops[0]![0]) return stops[0]![1];
  for (let i = 1; i < stops.length; i++) {
    const [z1, v1] = stops[i]!;
    const [z0, v0] = stops[i - 1]!;
    if (z <= z1) return v0 + ((v1 - v0) * (z - z0)) / (z1 - z0);
  }
  return stops[stops.length - 1]![1];
}

const rgb = (hex: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];

/** By CLASS_INDEX: the same colours as unitColor (theme.ts). */
export const CLASS_COLORS = [LIVE.sos, LIVE.offline, LIVE.stale, LIVE.ok, LIVE.patrol, LIVE.task, LIVE.offline].flatMap(rgb);
/** By MARK_INDEX ('' has none): the same colours as attendanceColor. */
const MARK_COLORS = [LIVE.stale, LIVE.attLate, LIVE.attMissing, LIVE.attOff, LIVE.attOn].flatMap(rgb);
export const EDGE = rgb('#0b0f16');

const VERTEX = `#version 300 es
in vec2 a_pos;
in float a_cls;
in float a_att;
uniform mat4 u_matrix;
uniform int u_pass;
uniform float u_dpr;
uniform vec3 u_dot; // radius, ring radius, ring width (CSS px)
uniform vec3 u_class[7];
uniform vec3 u_mark[5];
uniform vec3 u_edge;
out vec4 v_fill;
out vec4 v_stroke;
out vec2 v_rw;
out float v_half;
void main() {
  int cls = int(a_cls + 0.5);
  int att = int(a_att + 0.5);
  bool faded = cls == ${CLASS_INDEX.stale} || cls == ${CLASS_INDEX.offline};
  vec3 c = u_class[cls];
  float r = 0.0;
  float w = 0.0;
  bool drawn = cls != ${CLASS_INDEX.off_duty};
  if (u_pass == 0) {
    drawn = cls == ${CLASS_INDEX.sos};
    r = ${SOS_RADIUS.toFixed(1)}; w = ${SOS_WIDTH.toFixed(1)};
    v_fill = vec4(c * 0.35, 0.35);
    v_stroke = vec4(c, 1.0);
  } else if (u_pass == 1) {
    drawn = drawn && att != 0;
    r = u_dot.y; w = u_dot.z;
    v_fill = vec4(0.0);
    v_stroke = vec4(faded ? u_mark[0] : u_mark[att], 1.0);
  } else {
    r = u_dot.x; w = faded ? 2.0 : 1.0;
    float a = faded ? 0.35 : 1.0;
    v_fill = vec4(c * a, a);
    v_stroke = vec4(faded ? c : u_edge, 1.0);
  }
  v_rw = vec2(r, w);
  v_half = r + w + 1.0;
  gl_PointSize = 2.0 * v_half * u_dpr;
  // Not drawn: outside the clip volume, so the point is dropped before any fragment.
  gl_Position = drawn ? u_matrix * vec4(a_pos, 0.0, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
}`;

const FRAGMENT = `#version 300 es
precision mediump float;
in vec4 v_fill;
in vec4 v_stroke;
in vec2 v_rw;
in float v_half;
out vec4 color;
void main() {
  // Distance from the centre in CSS px; fill inside the radius, stroke outside it, ~1 px antialiased edges
  // (as maplibre's circle shader).
  float d = length(gl_PointCoord - 0.5) * 2.0 * v_half;
  float r = v_rw.x;
  float outer = 1.0 - smoothstep(r + v_rw.y - 0.5, r + v_rw.y + 0.5, d);
  float inner = v_rw.y < 0.01 ? 1.0 : 1.0 - smoothstep(r - 0.5, r + 0.5, d);
  color = mix(v_stroke, v_fill, inner) * outer;
  if (color.a <= 0.0) discard;
}`;

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`unit layer shader: ${gl.getShaderInfoLog(s) ?? ''}`);
  return s;
}

/** A linked program from two shader sources (this layer's and the arrows layer's). */
export function linkProgram(gl: WebGL2RenderingContext, vertex: string, fragment: string): WebGLProgram {
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl, gl.VERTEX_SHADER, vertex));
  gl.attachShader(p, compile(gl, gl.FRAGMENT_SHADER, fragment));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`unit layer program: ${gl.getProgramInfoLog(p) ?? ''}`);
  return p;
}

/** What a layer's GPU copy of its buffer is (uploadSlots keeps it), and what the uploads cost (the bench reads them). */
export type GpuCopy = { capacity: number; generation: number; stats: { uploads: number; slotsUploaded: number; uploadMs: number } };

/**
 * The vertex array both unit layers draw from: a buffer of UnitBuffer slots read as the position (2
 * floats), the class and the slot's fourth number under `fourth` (the officers' mark, the vehicles' heading).
 */
export function slotVertexArray(gl: WebGL2RenderingContext, program: WebGLProgram, fourth: string): { vbo: WebGLBuffer | null; vao: WebGLVertexArrayObject | null } {
  const vbo = gl.createBuffer();
  const vao = gl.createVertexArray();
  gl.bindVertexArray(vao);
  gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
  const stride = SLOT_FLOATS * 4;
  const attr = (name: string, size: number, offset: number) => {
    const loc = gl.getAttribLocation(program, name);
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, size, gl.FLOAT, false, stride, offset);
  };
  attr('a_pos', 2, 0);
  attr('a_cls', 1, 8);
  attr(fourth, 1, 12);
  gl.bindVertexArray(null);
  return { vbo, vao };
}

/** What uploadSlots copies: slots of `slotFloats` floats from `firstFloat` on (UnitBuffer, TrailBuffer). */
export type SlotData = {
  readonly data: Float32Array;
  readonly count: number;
  readonly generation: number;
  readonly slotFloats: number;
  readonly firstFloat: number;
  takeDirty(): { from: number; to: number } | null;
};

/**
 * Bring the bound ARRAY_BUFFER up to `buffer`: the whole array when it grew (or the first frame), else only
 * the slots written since the last frame (bufferSubData).
 */
export function uploadSlots(gl: WebGL2RenderingContext, buffer: SlotData, copy: GpuCopy): void {
  const t0 = performance.now();
  if (copy.generation !== buffer.generation || copy.capacity !== buffer.data.length) {
    gl.bufferData(gl.ARRAY_BUFFER, buffer.data, gl.DYNAMIC_DRAW);
    copy.capacity = buffer.data.length;
    copy.generation = buffer.generation;
    buffer.takeDirty();
    copy.stats.uploads++;
    copy.stats.slotsUploaded += buffer.count;
  } else {
    const dirty = buffer.takeDirty();
    if (dirty) {
      const { slotFloats, firstFloat } = buffer;
      const from = firstFloat + dirty.from * slotFloats;
      gl.bufferSubData(gl.ARRAY_BUFFER, from * 4, buffer.data, from, (dirty.to - dirty.from + 1) * slotFloats);
      copy.stats.uploads++;
      copy.stats.slotsUploaded += dirty.to - dirty.from + 1;
    }
  }
  copy.stats.uploadMs += performance.now() - t0;
}

/**
 * The map's matrix takes mercator 0..1; the buffer holds offsets from its origin: translate by the origin
 * here, in double precision, so the GPU only ever sees small numbers. Written into `out`.
 */
export function originMatrix(args: CustomRenderMethodInput, origin: readonly [number, number], out: Float32Array): Float32Array {
  const m = args.defaultProjectionData.mainMatrix as ArrayLike<number>;
  const [ox, oy] = origin;
  for (let i = 0; i < 16; i++) out[i] = m[i]!;
  for (let r = 0; r < 4; r++) out[12 + r] = m[r]! * ox + m[4 + r]! * oy + m[12 + r]!;
  return out;
}

export class UnitDotsLayer implements CustomLayerInterface {
  readonly type = 'custom' as const;
  readonly renderingMode = '2d' as const;
  private map: MlMap | null = null;
  private program: WebGLProgram | null = null;
  private vbo: WebGLBuffer | null = null;
  private vao: WebGLVertexArrayObject | null = null;
  private readonly copy: GpuCopy;
  private u: Record<string, WebGLUniformLocation | null> = {};
  private readonly matrix = new Float32Array(16);
  /** Frames drawn, uploads, slots uploaded and the main-thread ms the uploads took (the bench reads them). */
  readonly stats = { frames: 0, uploads: 0, slotsUploaded: 0, uploadMs: 0 };

  constructor(readonly id: string, readonly buffer: UnitBuffer) {
    this.copy = { capacity: -1, generation: -1, stats: this.stats };
  }

  onAdd(map: MlMap, gl: WebGL2RenderingContext): void {
    this.map = map;
    const p = linkProgram(gl, VERTEX, FRAGMENT);
    this.program = p;
    for (const name of ['u_matrix', 'u_pass', 'u_dpr', 'u_dot', 'u_class', 'u_mark', 'u_edge']) this.u[name] = gl.getUniformLocation(p, name);
    ({ vbo: this.vbo, vao: this.vao } = slotVertexArray(gl, p, 'a_att'));
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
    const z = map.getZoom();
    gl.useProgram(this.program);
    gl.uniformMatrix4fv(this.u.u_matrix!, false, this.matrix);
    gl.uniform1f(this.u.u_dpr!, map.getPixelRatio());
    gl.uniform3f(this.u.u_dot!, atZoom(DOT_RADIUS, z), atZoom(RING_RADIUS, z), atZoom(RING_WIDTH, z));
    gl.uniform3fv(this.u.u_class!, CLASS_COLORS);
    gl.uniform3fv(this.u.u_mark!, MARK_COLORS);
    gl.uniform3fv(this.u.u_edge!, EDGE);
    gl.bindVertexArray(this.vao);
    for (let pass = 0; pass < 3; pass++) {
      gl.uniform1i(this.u.u_pass!, pass);
      gl.drawArrays(gl.POINTS, 0, buffer.count);
    }
    gl.bindVertexArray(null);
    this.stats.frames++;
  }
}
