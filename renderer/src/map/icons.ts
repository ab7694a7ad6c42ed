// Map symbols drawn once on a canvas and registered as SDF images, so one white shape can be tinted
// per feature (icon-color) by state. No sprite sheet to download.
import type { Map as MlMap } from 'maplibre-gl';

type Draw = (c: CanvasRenderingContext2D, s: number) => void;

const SHAPES: Record<string, Draw> = {
  // a vehicle: an arrow pointing north, rotated by heading
  'icon-arrow': (c, s) => {
    c.beginPath();
    c.moveTo(s / 2, s * 0.08);
    c.lineTo(s * 0.88, s * 0.9);
    c.lineTo(s / 2, s * 0.7);
    c.lineTo(s * 0.12, s * 0.9);
    c.closePath();
    c.fill();
  },
  // a camera's field of view: a wedge opening north from the centre, rotated by facing
  'icon-cone': (c, s) => {
    c.beginPath();
    c.moveTo(s / 2, s / 2);
    c.arc(s / 2, s / 2, s / 2 - 2, -Math.PI / 2 - 0.5, -Math.PI / 2 + 0.5);
    c.closePath();
    c.fill();
  },
  // a fixed camera: a camera body with its lens to the right — no unit is drawn as a box with a lens
  'icon-cam-fixed': (c, s) => camera(c, s),
  // a camera whose stream is down: the same body, struck through (shape, not only colour, says "down")
  'icon-cam-off': (c, s) => {
    camera(c, s);
    c.globalCompositeOperation = 'destination-out';
    c.lineWidth = s * 0.14;
    c.beginPath();
    c.moveTo(s * 0.1, s * 0.1);
    c.lineTo(s * 0.9, s * 0.9);
    c.stroke();
    c.globalCompositeOperation = 'source-over';
    c.lineWidth = s * 0.07;
    c.strokeStyle = '#fff';
    c.beginPath();
    c.moveTo(s * 0.04, s * 0.2);
    c.lineTo(s * 0.8, s * 0.96);
    c.stroke();
  },
  // an incident: a warning triangle, filled when open, outlined when someone is on the way
  'icon-incident': (c, s) => triangle(c, s, true),
  'icon-incident-ring': (c, s) => triangle(c, s, false),
  // an attendance badge behind its character (icon-text-fit stretches it around the text)
  'icon-badge': (c, s) => {
    c.beginPath();
    c.roundRect(s * 0.04, s * 0.04, s * 0.92, s * 0.92, s * 0.2);
    c.fill();
  },
  'icon-cam-vehicle': (c, s) => {
    c.fillRect(s * 0.14, s * 0.14, s * 0.72, s * 0.72);
  },
  'icon-cam-body': (c, s) => {
    c.beginPath();
    c.moveTo(s / 2, s * 0.06);
    c.lineTo(s * 0.94, s / 2);
    c.lineTo(s / 2, s * 0.94);
    c.lineTo(s * 0.06, s / 2);
    c.closePath();
    c.fill();
  },
};

function camera(c: CanvasRenderingContext2D, s: number): void {
  c.beginPath();
  c.roundRect(s * 0.06, s * 0.26, s * 0.6, s * 0.48, s * 0.08);
  c.fill();
  c.beginPath();
  c.moveTo(s * 0.64, s * 0.5);
  c.lineTo(s * 0.96, s * 0.28);
  c.lineTo(s * 0.96, s * 0.72);
  c.closePath();
  c.fill();
}

function triangle(c: CanvasRenderingContext2D, s: number, filled: boolean): void {
  c.beginPath();
  c.moveTo(s / 2, s * 0.08);
  c.lineTo(s * 0.94, s * 0.88);
  c.lineTo(s * 0.06, s * 0.88);
  c.closePath();
  if (filled) c.fill();
  else {
    c.lineWidth = s * 0.12;
    c.strokeStyle = '#fff';
    c.lineJoin = 'round';
    c.stroke();
  }
}

const SIZE = 48;

export function ensureIcons(map: MlMap): void {
  for (const [name, draw] of Object.entries(SHAPES)) {
    if (map.hasImage(name)) continue;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = SIZE;
    const c = canvas.getContext('2d')!;
    c.fillStyle = '#fff';
    draw(c, SIZE);
    map.addImage(name, c.getImageData(0, 0, SIZE, SIZE), { sdf: true, pixelRatio: 2 });
  }
}
