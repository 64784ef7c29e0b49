/**
 * Tiny inline-SVG charts for the self-contained HTML report (no scripts, no downloads). Hand-written:
 * the report must open offline from a single file, and two chart kinds do not justify a plotting library.
 */

export interface LineSeries {
  name: string;
  /** [x, y] points; y null = gap. */
  points: readonly (readonly [number, number | null])[];
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Format of y tick labels. */
  formatY?: (y: number) => string;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const PAD = { left: 64, right: 16, top: 28, bottom: 40 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function ticks(min: number, max: number, count = 4): number[] {
  if (max === min) return [min];
  return Array.from({ length: count + 1 }, (_, i) => min + ((max - min) * i) / count);
}

function defaultFormat(y: number): string {
  if (y === 0) return '0';
  const a = Math.abs(y);
  if (a >= 1e6 || a < 1e-3) return y.toExponential(1);
  return Number(y.toPrecision(3)).toString();
}

function frame(options: ChartOptions, body: string, xTicks: string, yTicks: string): string {
  const { width = 640, height = 240, title, xLabel = '', yLabel = '' } = options;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-family="sans-serif">${escapeXml(title)}</text>`,
    `<line x1="${PAD.left}" y1="${height - PAD.bottom}" x2="${width - PAD.right}" y2="${height - PAD.bottom}" stroke="#888"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${height - PAD.bottom}" stroke="#888"/>`,
    xTicks,
    yTicks,
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="11" font-family="sans-serif">${escapeXml(xLabel)}</text>`,
    `<text x="12" y="${height / 2}" text-anchor="middle" font-size="11" font-family="sans-serif" transform="rotate(-90 12 ${height / 2})">${escapeXml(yLabel)}</text>`,
    body,
    '</svg>',
  ].join('\n');
}

/** A line chart of one or more series (downsampled to at most `maxPoints` per series). */
export function lineChart(series: readonly LineSeries[], options: ChartOptions, maxPoints = 1500): string {
  const { width = 640, height = 240, formatY = defaultFormat } = options;
  const all = series.flatMap((s) => s.points.filter((p): p is readonly [number, number] => p[1] !== null));
  if (all.length === 0) return frame(options, noData(width, height), '', '');
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y0 = Math.min(0, ...ys);
  let y1 = Math.max(...ys);
  if (y0 === y1) y1 = y0 + 1;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (width - PAD.left - PAD.right);
  const sy = (y: number) => height - PAD.bottom - ((y - y0) / (y1 - y0)) * (height - PAD.top - PAD.bottom);
  const paths = series.map((s, i) => {
    const stride = Math.max(1, Math.ceil(s.points.length / maxPoints));
    let d = '';
    let pen = false;
    for (let k = 0; k < s.points.length; k += stride) {
      const [x, y] = s.points[k]!;
      if (y === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    const color = PALETTE[i % PALETTE.length]!;
    const legend = `<text x="${width - PAD.right - 4}" y="${PAD.top + 14 * (i + 1)}" text-anchor="end" font-size="11" font-family="sans-serif" fill="${color}">${escapeXml(s.name)}</text>`;
    return `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>${series.length > 1 ? legend : ''}`;
  });
  const integerX = xs.every((x) => Number.isInteger(x));
  const xTicks = [...new Set(ticks(x0, x1).map((x) => (integerX ? Math.round(x) : x)))]
    .map(
      (x) =>
        `<text x="${sx(x).toFixed(1)}" y="${height - PAD.bottom + 14}" text-anchor="middle" font-size="10" font-family="sans-serif">${escapeXml(defaultFormat(Math.round(x * 100) / 100))}</text>`,
    )
    .join('');
  const yTicks = ticks(y0, y1)
    .map(
      (y) =>
        `<text x="${PAD.left - 6}" y="${(sy(y) + 3).toFixed(1)}" text-anchor="end" font-size="10" font-family="sans-serif">${escapeXml(formatY(y))}</text>` +
        `<line x1="${PAD.left}" y1="${sy(y).toFixed(1)}" x2="${width - PAD.right}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`,
    )
    .join('');
  return frame(options, paths.join('\n'), xTicks, yTicks);
}

/** A histogram: bars of `counts`, labelled by their bucket upper bounds. */
export function barChart(
  bounds: readonly number[],
  counts: readonly number[],
  options: ChartOptions,
): string {
  const { width = 640, height = 240, formatY = defaultFormat } = options;
  if (counts.length === 0) return frame(options, noData(width, height), '', '');
  const max = Math.max(...counts, 1);
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const bw = plotW / counts.length;
  const bars = counts
    .map((c, i) => {
      const h = (c / max) * plotH;
      return `<rect x="${(PAD.left + i * bw + 1).toFixed(1)}" y="${(height - PAD.bottom - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[0]}"><title>${escapeXml(`<= ${formatY(bounds[i]!)}: ${c}`)}</title></rect>`;
    })
    .join('');
  const step = Math.max(1, Math.ceil(counts.length / 5));
  const xTicks = bounds
    .map((b, i) =>
      i % step === 0 || i === bounds.length - 1
        ? `<text x="${(PAD.left + (i + 1) * bw).toFixed(1)}" y="${height - PAD.bottom + 14}" text-anchor="end" font-size="10" font-family="sans-serif">${escapeXml(formatY(b))}</text>`
        : '',
    )
    .join('');
  const yTicks = ticks(0, max)
    .map(
      (y) =>
        `<text x="${PAD.left - 6}" y="${(height - PAD.bottom - (y / max) * plotH + 3).toFixed(1)}" text-anchor="end" font-size="10" font-family="sans-serif">${Math.round(y)}</text>`,
    )
    .join('');
  return frame(options, bars, xTicks, yTicks);
}

function noData(width: number, height: number): string {
  return `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#888" font-family="sans-serif">no data in this run</text>`;
}
