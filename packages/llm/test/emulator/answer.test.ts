import fc from 'fast-check';
import { findChoices, generateAnswer } from '../../src/emulator/index.js';

describe('findChoices', () => {
  it.each([
    ['Choose one of: [a, b, c]', ['a', 'b', 'c']],
    ['Pick one from ["buy", "sell", "hold"].', ['buy', 'sell', 'hold']],
    ['Your options: north, south or wait.', ['north', 'south', 'wait']],
    ['Actions: trade | rest | explore', ['trade', 'rest', 'explore']],
    [
      'What next? Options:\n- gather food\n- build shelter\n- sleep\n',
      ['gather food', 'build shelter', 'sleep'],
    ],
    ['Choose one:\n1. cooperate\n2. defect\n', ['cooperate', 'defect']],
    ['Tell me a story.', []],
    // a choice that is the word "or" is an item, not a separator (fast-check found ["or", "a"] -> "a]")
    ['Choose one of: [or, a]', ['or', 'a']],
    ['Options: stay or go', ['stay', 'go']],
  ])('%j', (text, expected) => {
    expect(findChoices(text)).toEqual(expected);
  });
});

describe('generateAnswer', () => {
  it('always answers valid JSON naming one of the choices', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 2, maxLength: 6 }),
        fc.integer(),
        fc.nat(10),
        (choices, seed, sampleIndex) => {
          const content = `Situation report. Choose one of: [${choices.join(', ')}]`;
          const answer = generateAnswer({
            model: 'm',
            messages: [{ role: 'user', content }],
            seed,
            sampleIndex,
          });
          const parsed = JSON.parse(answer.content!) as { action: string };
          expect(choices).toContain(parsed.action);
        },
      ),
      { seed: -682960390, numRuns: 300 },
    );
  });

  it('picks every choice sometimes across seeds', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 60; seed++) {
      const a = generateAnswer({
        model: 'm',
        messages: [{ role: 'user', content: 'Choose one of: [x, y, z]' }],
        seed,
      });
      seen.add((JSON.parse(a.content!) as { action: string }).action);
    }
    expect([...seen].sort()).toEqual(['x', 'y', 'z']);
  });

  it('fills a json_schema with $ref, arrays, anyOf and choices for an "action" string', () => {
    const schema = {
      type: 'object',
      $defs: {
        item: {
          type: 'object',
          properties: { name: { type: 'string' }, qty: { type: 'integer', minimum: 1, maximum: 5 } },
        },
      },
      properties: {
        action: { type: 'string' },
        items: { type: 'array', items: { $ref: '#/$defs/item' }, minItems: 2, maxItems: 2 },
        note: { anyOf: [{ type: 'null' }, { type: 'string' }] },
        reason: { type: 'string' },
      },
    };
    const a = generateAnswer({
      model: 'm',
      messages: [{ role: 'user', content: 'options: attack, retreat' }],
      responseFormat: { type: 'json_schema', schema },
    });
    const v = JSON.parse(a.content!) as {
      action: string;
      items: { name: string; qty: number }[];
      note: string;
      reason: string;
    };
    expect(['attack', 'retreat']).toContain(v.action);
    expect(v.items).toHaveLength(2);
    expect(v.items[0]!.qty).toBeGreaterThanOrEqual(1);
    expect(typeof v.note).toBe('string');
    expect(v.reason.endsWith('.')).toBe(true);
  });

  it('calls a named tool, calls with "auto" only when the user names the tool, never with "none"', () => {
    const tools = [
      { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'buy' },
    ];
    const user = (content: string) => [{ role: 'user', content }];
    expect(
      generateAnswer({ model: 'm', messages: user('hi'), tools, toolChoice: { name: 'buy' } }).toolCalls![0]!
        .name,
    ).toBe('buy');
    expect(
      generateAnswer({ model: 'm', messages: user('please lookup prices'), tools, toolChoice: 'auto' })
        .toolCalls![0]!.name,
    ).toBe('lookup');
    expect(
      generateAnswer({ model: 'm', messages: user('hello'), tools, toolChoice: 'auto' }).toolCalls,
    ).toBeUndefined();
    expect(
      generateAnswer({ model: 'm', messages: user('lookup'), tools, toolChoice: 'none' }).toolCalls,
    ).toBeUndefined();
    const call = generateAnswer({ model: 'm', messages: user('go'), tools, toolChoice: 'required' })
      .toolCalls![0]!;
    expect(() => JSON.parse(call.arguments)).not.toThrow();
  });
});
