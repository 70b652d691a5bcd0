/**
 * A horizontal bar chart as SVG (GitHub renders it in the README): a small template, text as
 * text, nothing drawn by hand.
 */
export interface Bar {
  label: string;
  value: number;
  note?: string;
  /** Parts of the bar from the left, in order. */
  segments: Array<{ value: number; color: string }>;
}

export interface ChartOptions {
  /** A vertical line across the bars, e.g. a target. */
  marker?: { value: number; label: string };
  legend?: Array<{ label: string; color: string }>;
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

export const barChart = (title: string, bars: Bar[], unit: string, options: ChartOptions = {}): string => {
  const width = 900;
  const labelWidth = 130;
  const rowHeight = 40;
  const top = 50;
  const barSpace = width - labelWidth - 170;
  const height = top + bars.length * rowHeight + (options.legend ? 50 : 20);
  const max = Math.max(...bars.map((b) => b.value), options.marker?.value ?? 0) || 1;
  const px = (value: number) => (value / max) * barSpace;
  const rows = bars.map((bar, i) => {
    const y = top + i * rowHeight;
    let x = labelWidth;
    const rects = bar.segments.map((segment) => {
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(1, px(segment.value)).toFixed(1)}" height="26" fill="${segment.color}"/>`;
      x += px(segment.value);
      return rect;
    });
    const value = `${bar.value.toFixed(0)} ${unit}${bar.note ? ` ${bar.note}` : ''}`;
    return [
      `<text x="10" y="${y + 18}">${escapeXml(bar.label)}</text>`,
      ...rects,
      `<text x="${(labelWidth + px(bar.value) + 8).toFixed(1)}" y="${y + 18}">${escapeXml(value)}</text>`,
    ].join('');
  });
  const marker = options.marker
    ? `<line x1="${(labelWidth + px(options.marker.value)).toFixed(1)}" x2="${(labelWidth + px(options.marker.value)).toFixed(1)}" y1="${top - 8}" y2="${top + bars.length * rowHeight - 8}" stroke="#c82828" stroke-width="2"/><text x="${(labelWidth + px(options.marker.value) + 6).toFixed(1)}" y="${top - 12}" fill="#c82828">${escapeXml(options.marker.label)}</text>`
    : '';
  let legendX = 10;
  const legend = (options.legend ?? []).map((entry) => {
    const y = top + bars.length * rowHeight + 10;
    const item = `<rect x="${legendX}" y="${y}" width="14" height="14" fill="${entry.color}"/><text x="${legendX + 20}" y="${y + 12}">${escapeXml(entry.label)}</text>`;
    legendX += 40 + entry.label.length * 8;
    return item;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="14" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...rows,
    marker,
    ...legend,
    '</svg>',
    '',
  ].join('\n');
};
