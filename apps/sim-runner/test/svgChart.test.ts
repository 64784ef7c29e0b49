import { barChart, escapeXml, lineChart } from '../src/svgChart.js';

describe('svg charts', () => {
  it('draws lines with gaps, legends and escaped titles', () => {
    const svg = lineChart(
      [
        {
          name: 'a<b',
          points: [
            [0, 1],
            [1, null],
            [2, 3],
          ],
        },
        {
          name: 'c',
          points: [
            [0, 2],
            [2, 2],
          ],
        },
      ],
      { title: 'T & "q"' },
    );
    expect(svg).toContain('T &#38; &#34;q&#34;');
    expect(svg).toContain('a&#60;b');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toMatch(/d="M[^"]*M/);
    expect(lineChart([], { title: 'empty' })).toContain('no data');
  });

  it('draws bars', () => {
    const svg = barChart([1, 2, 3], [5, 0, 2], { title: 'h' });
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(barChart([], [], { title: 'h' })).toContain('no data');
    expect(escapeXml(`<&>"'`)).toBe('&#60;&#38;&#62;&#34;&#39;');
  });
});
