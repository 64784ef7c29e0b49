import fc from 'fast-check';
import { countChatTokens, countTokens, splitTokens, truncateToTokens } from '../../src/emulator/index.js';

describe('tokenizer approximation', () => {
  it('splits words into runs of up to 4 letters and punctuation into single tokens', () => {
    expect(splitTokens('Hello, world!')).toEqual(['Hell', 'o', ',', ' worl', 'd', '!']);
    expect(countTokens('')).toBe(0);
    expect(countTokens('a b c')).toBe(3);
  });

  it('joining the tokens gives the text back (without trailing whitespace)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const tokens = splitTokens(text);
        expect(tokens.join('')).toBe(text.trimEnd());
        expect(countTokens(text)).toBe(tokens.length);
      }),
    );
  });

  it('truncates at a token boundary', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(60), (text, n) => {
        const cut = truncateToTokens(text, n);
        expect(countTokens(cut.text)).toBe(Math.min(n, countTokens(text)));
        expect(cut.truncated).toBe(countTokens(text) > n);
      }),
    );
  });

  it('counts English prose near 4 characters per token', () => {
    const prose =
      'The farmer looked at the sky and decided that the rain would come before the harvest was finished, so he called his neighbours for help.';
    const ratio = prose.length / countTokens(prose);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });

  it('counts chat prompts as 3 per message + role + content, + 3', () => {
    expect(countChatTokens([{ role: 'user', content: 'hi' }])).toBe(3 + 3 + 1 + 1);
  });
});
