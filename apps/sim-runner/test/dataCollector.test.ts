import { Agent } from '../src/agent.js';
import { csvField, toCsv } from '../src/csv.js';
import { DataCollector } from '../src/dataCollector.js';
import { Model } from '../src/model.js';

class Person extends Agent {
  age = 30;
  name = 'x';
  label(): string {
    return `p${this.uniqueId}`;
  }
}
class Town extends Model {
  population = 2;
  mood(): string {
    return 'fine';
  }
}

describe('DataCollector', () => {
  it('collects model and agent reporters (attribute names, methods and functions)', () => {
    const m = new Town({ seed: 1 });
    new Person(m);
    new Person(m).age = 40;
    const dc = new DataCollector<Town, Person>({
      modelReporters: { Population: 'population', Mood: 'mood', Twice: (t) => t.population * 2 },
      agentReporters: { Age: 'age', Label: 'label', Older: (a) => a.age + 1 },
    });
    dc.collect(m);
    m.step();
    m.population = 3;
    dc.collect(m);
    expect(dc.modelVars()).toEqual([
      { Step: 0, Population: 2, Mood: 'fine', Twice: 4 },
      { Step: 1, Population: 3, Mood: 'fine', Twice: 6 },
    ]);
    expect(dc.agentVars()[1]).toEqual({ Step: 0, AgentID: 2, Age: 40, Label: 'p2', Older: 41 });
    expect(dc.agentVars()).toHaveLength(4);
    expect(dc.modelSeries('Population')).toEqual([2, 3]);
    expect(dc.toCSV('agent').split('\r\n')[0]).toBe('Step,AgentID,Age,Label,Older');
  });

  it('names an unknown reporter attribute', () => {
    const m = new Town({ seed: 1 });
    const dc = new DataCollector<Town>({ modelReporters: { X: 'nope' } });
    expect(() => dc.collect(m)).toThrow(/"nope"/);
  });

  it('tables take rows with their declared columns', () => {
    const dc = new DataCollector({ tables: { trades: ['from', 'to', 'note'] } });
    dc.addTableRow('trades', { from: 1, to: 2, note: 'a, "quoted" note' });
    dc.addTableRow('trades', { from: 3, to: 4 }, true);
    expect(() => dc.addTableRow('trades', { from: 1 })).toThrow(/"to"/);
    expect(() => dc.addTableRow('nope', {})).toThrow(/nope/);
    expect(dc.tableRows('trades')).toEqual([
      { from: 1, to: 2, note: 'a, "quoted" note' },
      { from: 3, to: 4, note: null },
    ]);
    expect(dc.toCSV({ table: 'trades' })).toBe('from,to,note\r\n1,2,"a, ""quoted"" note"\r\n3,4,\r\n');
    expect(JSON.parse(JSON.stringify(dc)).tables.trades).toHaveLength(2);
  });

  it('round-trips its state', () => {
    const m = new Town({ seed: 1 });
    const dc = new DataCollector<Town>({ modelReporters: { P: 'population' }, tables: { t: ['a'] } });
    dc.collect(m);
    dc.addTableRow('t', { a: 1 });
    const copy = new DataCollector<Town>({ modelReporters: { P: 'population' } });
    copy.setState(JSON.parse(JSON.stringify(dc.getState())));
    expect(copy.toJSON()).toEqual(dc.toJSON());
  });
});

describe('CSV', () => {
  it('quotes what RFC 4180 requires', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(toCsv([{ a: 1 }, { b: 2 }])).toBe('a,b\r\n1,\r\n,2\r\n');
  });
});
