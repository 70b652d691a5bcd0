/**
 * A bar chart as a PNG, with no native dependencies: an RGB canvas, a 5×7 pixel font for the
 * labels, and the PNG container (zlib from node). Enough for the README's cold-start plot.
 */
import { deflateSync } from 'node:zlib';

const FONT: Record<string, string> = {
  A: '01110100011000111111100011000110001',
  B: '11110100011000111110100011000111110',
  C: '01110100011000010000100001000101110',
  D: '11110100011000110001100011000111110',
  E: '11111100001000011110100001000011111',
  F: '11111100001000011110100001000010000',
  G: '01110100011000010111100011000101111',
  H: '10001100011000111111100011000110001',
  I: '01110001000010000100001000010001110',
  J: '00111000100001000010000101001001100',
  K: '10001100101010011000101001001010001',
  L: '10000100001000010000100001000011111',
  M: '10001110111010110101100011000110001',
  N: '10001110011010110011100011000110001',
  O: '01110100011000110001100011000101110',
  P: '11110100011000111110100001000010000',
  Q: '01110100011000110001101011001001101',
  R: '11110100011000111110101001001010001',
  S: '01111100001000001110000010000111110',
  T: '11111001000010000100001000010000100',
  U: '10001100011000110001100011000101110',
  V: '10001100011000110001100010101000100',
  W: '10001100011000110101101011010101010',
  X: '10001100010101000100010101000110001',
  Y: '10001100010101000100001000010000100',
  Z: '11111000010001000100010001000011111',
  0: '01110100011001110101110011000101110',
  1: '00100011000010000100001000010001110',
  2: '01110100010000100010001000100011111',
  3: '11111000100010000010000011000101110',
  4: '00010001100101010010111110001000010',
  5: '11111100001111000001000011000101110',
  6: '00110010001000011110100011000101110',
  7: '11111000010001000100010000100001000',
  8: '01110100011000101110100011000101110',
  9: '01110100011000101111000010001001100',
  '.': '00000000000000000000000000110001100',
  '-': '00000000000000011111000000000000000',
  ':': '00000011000110000000011000110000000',
  '/': '00001000010001000100010001000010000',
  '(': '00010001000100001000010000010000010',
  ')': '01000001000001000010000100010001000',
  ' ': '00000000000000000000000000000000000',
  x: '00000000001000101010001000101010001',
  '=': '00000000001111100000111110000000000',
  ',': '00000000000000000000001100010001000',
  '%': '11000110010001000100010001001100011',
};

type Rgb = [number, number, number];

class Canvas {
  readonly pixels: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    this.pixels = Buffer.alloc(width * height * 3);
    this.rect(0, 0, width, height, background);
  }
  rect(x: number, y: number, w: number, h: number, color: Rgb) {
    for (let row = Math.max(0, Math.round(y)); row < Math.min(this.height, Math.round(y + h)); row++) {
      for (let col = Math.max(0, Math.round(x)); col < Math.min(this.width, Math.round(x + w)); col++) {
        this.pixels.set(color, (row * this.width + col) * 3);
      }
    }
  }
  text(x: number, y: number, text: string, scale = 2, color: Rgb = [30, 30, 30]) {
    let cursor = x;
    for (const char of text) {
      const glyph = FONT[char] ?? FONT[char.toUpperCase()] ?? FONT[' '] ?? '';
      for (let i = 0; i < 35; i++)
        if (glyph[i] === '1') this.rect(cursor + (i % 5) * scale, y + Math.floor(i / 5) * scale, scale, scale, color);
      cursor += 6 * scale;
    }
  }
  static textWidth(text: string, scale = 2) {
    return text.length * 6 * scale;
  }
  png(): Buffer {
    const crcTable = Array.from({ length: 256 }, (_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c >>> 0;
    });
    const crc = (data: Buffer) => {
      let c = 0xffffffff;
      for (const byte of data) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
      return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type: string, data: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const checksum = Buffer.alloc(4);
      checksum.writeUInt32BE(crc(body));
      return Buffer.concat([length, body, checksum]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
    const raw = Buffer.alloc((this.width * 3 + 1) * this.height);
    for (let row = 0; row < this.height; row++) {
      this.pixels.copy(raw, row * (this.width * 3 + 1) + 1, row * this.width * 3, (row + 1) * this.width * 3);
    }
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

export interface Bar {
  label: string;
  value: number;
  note?: string;
  color?: Rgb;
  /** Parts of the bar from the left, in order; the rest of `value` is drawn in `color`. */
  segments?: Array<{ value: number; color: Rgb }>;
}

export interface ChartOptions {
  /** A vertical line across the bars, e.g. a target. */
  marker?: { value: number; label: string };
  legend?: Array<{ label: string; color: Rgb }>;
}

/** Horizontal bars, one per row, with the value printed after each bar. */
export const barChart = (title: string, bars: Bar[], unit: string, options: ChartOptions = {}): Buffer => {
  const labelWidth = Math.max(...bars.map((b) => Canvas.textWidth(b.label))) + 30;
  const width = 900;
  const rowHeight = 50;
  const legendHeight = options.legend ? 40 : 0;
  const height = 90 + bars.length * rowHeight + legendHeight;
  const canvas = new Canvas(width, height);
  canvas.text(20, 20, title, 2);
  const max = Math.max(...bars.map((b) => b.value), options.marker?.value ?? 0) || 1;
  const barSpace = width - labelWidth - 220;
  const px = (value: number) => (value / max) * barSpace;
  bars.forEach((bar, i) => {
    const y = 70 + i * rowHeight;
    canvas.text(20, y + 8, bar.label, 2);
    canvas.rect(labelWidth, y, Math.max(2, px(bar.value)), 30, bar.color ?? [70, 130, 180]);
    let x = labelWidth;
    for (const segment of bar.segments ?? []) {
      canvas.rect(Math.round(x), y, Math.max(1, Math.round(px(segment.value))), 30, segment.color);
      x += px(segment.value);
    }
    canvas.text(
      labelWidth + px(bar.value) + 10,
      y + 8,
      `${bar.value.toFixed(0)} ${unit}${bar.note ? ` ${bar.note}` : ''}`,
      2,
    );
  });
  if (options.marker) {
    const x = Math.round(labelWidth + px(options.marker.value));
    canvas.rect(x, 60, 2, bars.length * rowHeight, [200, 40, 40]);
    canvas.text(x + 6, 60 + bars.length * rowHeight - 4, options.marker.label, 1, [200, 40, 40]);
  }
  let legendX = 20;
  for (const entry of options.legend ?? []) {
    const y = 80 + bars.length * rowHeight;
    canvas.rect(legendX, y, 14, 14, entry.color);
    canvas.text(legendX + 20, y + 1, entry.label, 2);
    legendX += 20 + Canvas.textWidth(entry.label) + 30;
  }
  return canvas.png();
};
