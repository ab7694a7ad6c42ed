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
  'icon-cam-fixed': (c, s) => {
    c.beginPath();
    c.arc(s / 2, s / 2, s * 0.4, 0, Math.PI * 2);
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
