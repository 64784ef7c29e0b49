/**
 * Deterministic answers that are useful to an agent. Hand-written: this is the emulator's own behaviour.
 *
 * The same (model, messages, seed, temperature, sample index) always gives the same answer; with temperature 0
 * the seed and the sample index are ignored (every sample is the same, like greedy decoding).
 *
 * - Choices listed in the prompt ("Choose one of: [a, b, c]", "options: a, b or c", a bulleted list after
 *   "Options:") give a JSON answer `{"action":"b","reason":"..."}` naming one of them.
 * - `response_format: json_schema` gives a value that fits the schema (enums are picked from, `required`
 *   properties are present); a string property named action/choice/decision/answer/option picks a listed choice.
 * - `response_format: json_object`, or the word JSON in the prompt, gives a JSON object.
 * - Tools with `tool_choice` "required" or a named function give a tool call whose arguments fit the tool's
 *   parameter schema; with "auto" a tool is called when the last user message names it.
 * - Anything else gives a few plain sentences.
 */
import { hashParts, type Rng, rngFor } from './random.js';

export interface AnswerMessage {
  role: string;
  content: string;
  name?: string;
}

export interface AnswerTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

export type AnswerToolChoice = 'none' | 'auto' | 'required' | { name: string };

export interface AnswerInput {
  model: string;
  messages: readonly AnswerMessage[];
  seed?: number;
  temperature?: number;
  sampleIndex?: number;
  responseFormat?: { type: 'text' | 'json_object' | 'json_schema'; schema?: unknown };
  tools?: readonly AnswerTool[];
  toolChoice?: AnswerToolChoice;
}

export interface AnswerToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Answer {
  content: string | null;
  toolCalls?: AnswerToolCall[];
}

const WORDS = (
  'the agent should consider current state and act with care given what it knows about its neighbours ' +
  'resources goals risks plan next step carefully observe trade cooperate wait move explore gather share ' +
  'rest build defend negotiate signal trust market price demand supply weather season group rule memory'
).split(' ');

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length) % items.length]!;
}

function words(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(pick(rng, WORDS));
  return out.join(' ');
}

function sentence(rng: Rng, min = 6, max = 14): string {
  const text = words(rng, min + Math.floor(rng() * (max - min + 1)));
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function cleanChoice(raw: string): string {
  return raw
    .trim()
    .replace(/^[-*•]\s+|^\d+[.)]\s+/, '')
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/[.;]+$/, '')
    .trim();
}

/**
 * Items of an inline list: split on `,` `|` `;` `/`, and on a word "or" between two items ("a, b or c",
 * "a or b"), never on an item that is itself "or" ("[or, and]").
 */
function splitList(text: string): string[] {
  const parts = text
    .split(/\s*(?:,|\||;|\/)\s*/)
    .flatMap((item) => item.split(/(?<=\S)\s+or\s+(?=\S)/i))
    .map(cleanChoice)
    .filter((s) => s.length > 0 && s.length <= 80);
  return [...new Set(parts)];
}

const BRACKETED =
  /\b(?:choose|pick|select|one of|options?|choices?|actions?|answers?)\b[^[\n]{0,40}?[:]?\s*\[([^\]\n]{1,2000})\]/i;
const INLINE = /\b(?:one of|options|choices|actions|possible answers)\s*:\s*([^\n]+)/i;
const LIST_HEADER =
  /\b(?:options|choices|actions|choose one|one of)\b[^\n]{0,40}:\s*\n((?:\s*(?:[-*•]|\d+[.)])\s+[^\n]+\n?)+)/i;

/** The choices listed in one text, or [] (exported for tests). */
export function findChoices(text: string): string[] {
  const list = LIST_HEADER.exec(text);
  if (list) {
    const items = list[1]!
      .split('\n')
      .map(cleanChoice)
      .filter((s) => s.length > 0);
    if (items.length >= 2) return [...new Set(items)];
  }
  const bracketed = BRACKETED.exec(text);
  if (bracketed) {
    const items = splitList(bracketed[1]!);
    if (items.length >= 2) return items;
  }
  const inline = INLINE.exec(text);
  if (inline) {
    const items = splitList(inline[1]!.replace(/[.?!]\s.*$/, ''));
    if (items.length >= 2) return items;
  }
  return [];
}

/** Choices from the last user message that lists some, else from the system prompt. */
function promptChoices(messages: readonly AnswerMessage[]): string[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role === 'user' || m.role === 'system' || m.role === 'developer') {
      const found = findChoices(m.content);
      if (found.length > 0) return found;
    }
  }
  return [];
}

const CHOICE_KEYS = /^(action|choice|decision|answer|option|move|selection)$/i;
const REASON_KEYS = /^(reason|reasoning|explanation|rationale|why|thought|thoughts)$/i;

interface SampleContext {
  rng: Rng;
  choices: string[];
  root: unknown;
  depth: number;
}

function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return {};
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    if (node === null || typeof node !== 'object') return {};
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node ?? {};
}

/** A value that fits a JSON schema (the common subset: type, enum, const, properties, items, anyOf, $ref). */
export function sampleSchema(schema: unknown, ctx: SampleContext, key = ''): unknown {
  if (ctx.depth > 8 || schema === null || typeof schema !== 'object') return null;
  const s = schema as Record<string, unknown>;
  if (typeof s.$ref === 'string') {
    return sampleSchema(resolveRef(ctx.root, s.$ref), { ...ctx, depth: ctx.depth + 1 }, key);
  }
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return pick(ctx.rng, s.enum);
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union) && union.length > 0) {
    const options = union.filter(
      (o) => !(o && typeof o === 'object' && (o as { type?: unknown }).type === 'null'),
    );
    return sampleSchema(
      pick(ctx.rng, options.length > 0 ? options : union),
      { ...ctx, depth: ctx.depth + 1 },
      key,
    );
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    return sampleSchema(s.allOf[0], { ...ctx, depth: ctx.depth + 1 }, key);
  }
  let type = s.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = s.properties ? 'object' : s.items ? 'array' : 'string';
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      for (const [name, sub] of Object.entries(props)) {
        out[name] = sampleSchema(sub, { ...ctx, depth: ctx.depth + 1 }, name);
      }
      return out;
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 1;
      const max = typeof s.maxItems === 'number' ? s.maxItems : Math.max(min, 3);
      const n = min + Math.floor(ctx.rng() * (max - min + 1));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++)
        out.push(sampleSchema(s.items ?? {}, { ...ctx, depth: ctx.depth + 1 }, key));
      return out;
    }
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : 0;
      const max = typeof s.maximum === 'number' ? s.maximum : min + 100;
      const v = min + ctx.rng() * (max - min);
      return type === 'integer' ? Math.round(v) : Math.round(v * 100) / 100;
    }
    case 'boolean':
      return ctx.rng() < 0.5;
    case 'null':
      return null;
    default: {
      if (ctx.choices.length > 0 && CHOICE_KEYS.test(key)) return pick(ctx.rng, ctx.choices);
      if (REASON_KEYS.test(key)) return sentence(ctx.rng);
      const text = words(ctx.rng, 1 + Math.floor(ctx.rng() * 3));
      return typeof s.maxLength === 'number' ? text.slice(0, s.maxLength) : text;
    }
  }
}

function reasonFor(rng: Rng, choice: string): string {
  return `${choice} best fits the current situation; ${words(rng, 4 + Math.floor(rng() * 6))}.`;
}

function answerRng(input: AnswerInput): Rng {
  const greedy = (input.temperature ?? 1) === 0;
  return rngFor(
    'answer',
    input.model,
    input.messages,
    input.responseFormat ?? null,
    input.tools?.map((t) => t.name) ?? null,
    greedy ? 0 : (input.seed ?? 0),
    greedy ? 0 : (input.temperature ?? 1),
    greedy ? 0 : (input.sampleIndex ?? 0),
  );
}

function toolToCall(input: AnswerInput): AnswerTool | undefined {
  const tools = input.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice = input.toolChoice ?? 'auto';
  if (choice === 'none') return undefined;
  if (typeof choice === 'object') return tools.find((t) => t.name === choice.name);
  const last = input.messages[input.messages.length - 1];
  if (choice === 'auto') {
    if (!last || last.role !== 'user') return undefined;
    return tools.find((t) => new RegExp(`\\b${t.name.replace(/[^\w]/g, '\\$&')}\\b`, 'i').test(last.content));
  }
  // required: the tool the last message names, else a deterministic pick
  const named = last ? tools.find((t) => last.content.includes(t.name)) : undefined;
  return named ?? tools[hashParts(input.messages) % tools.length];
}

export function generateAnswer(input: AnswerInput): Answer {
  const rng = answerRng(input);
  const choices = promptChoices(input.messages);
  const tool = toolToCall(input);
  if (tool) {
    const args = tool.parameters
      ? sampleSchema(tool.parameters, { rng, choices, root: tool.parameters, depth: 0 })
      : {};
    const id = `call_${hashParts(input.messages, tool.name, input.sampleIndex ?? 0).toString(36)}`;
    return { content: null, toolCalls: [{ id, name: tool.name, arguments: JSON.stringify(args) }] };
  }
  const format = input.responseFormat;
  if (format?.type === 'json_schema' && format.schema && typeof format.schema === 'object') {
    return {
      content: JSON.stringify(sampleSchema(format.schema, { rng, choices, root: format.schema, depth: 0 })),
    };
  }
  if (choices.length > 0) {
    const choice = pick(rng, choices);
    return { content: JSON.stringify({ action: choice, reason: reasonFor(rng, choice) }) };
  }
  const asksJson =
    format?.type === 'json_object' ||
    input.messages.some((m) => (m.role === 'user' || m.role === 'system') && /\bjson\b/i.test(m.content));
  if (asksJson)
    return { content: JSON.stringify({ answer: sentence(rng), confidence: Math.round(rng() * 100) / 100 }) };
  const n = 1 + Math.floor(rng() * 3);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(sentence(rng));
  return { content: out.join(' ') };
}
