/**
 * A deterministic approximation of a BPE tokenizer, hand-written because the emulator needs token counts that
 * are cheap, stable and explainable rather than exact for one vendor's vocabulary.
 *
 * Rule: a token is a run of up to 4 letters/digits, or one other non-space character; the whitespace before it
 * belongs to it. "Hello, world!" is `Hell|o|,| worl|d|!` = 6 tokens. English prose comes out near the usual
 * "~4 characters per token". Joining the tokens of a text gives the text back (without trailing whitespace), so
 * a text can be cut at a token boundary (`max_tokens`).
 *
 * Chat prompts are counted like OpenAI documents for its chat format: 3 tokens per message + the tokens of its
 * role, content (and name), plus 3 tokens that prime the reply.
 */
const TOKEN = /\s*(?:[\p{L}\p{N}_]{1,4}|[^\s\p{L}\p{N}_])/gu;

export function splitTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function countTokens(text: string): number {
  let n = 0;
  TOKEN.lastIndex = 0;
  while (TOKEN.exec(text) !== null) n++;
  return n;
}

/** The first `maxTokens` tokens of `text`, and whether it was cut. */
export function truncateToTokens(text: string, maxTokens: number): { text: string; truncated: boolean } {
  const tokens = splitTokens(text);
  if (tokens.length <= maxTokens) return { text, truncated: false };
  return { text: tokens.slice(0, Math.max(0, maxTokens)).join(''), truncated: true };
}

/** Tokens of a chat prompt: 3 per message + role + content (+ name) + 3 for the reply's priming. */
export function countChatTokens(
  messages: readonly { role: string; content: string; name?: string }[],
): number {
  let n = 3;
  for (const m of messages) {
    n += 3 + countTokens(m.role) + countTokens(m.content);
    if (m.name) n += 1 + countTokens(m.name);
  }
  return n;
}
