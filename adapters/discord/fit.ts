/**
 * Discord refuses message content over 2000 characters, and the core's limits (max_text_chars,
 * default 2800) are sized for Slack. Before sending, the longest piece of text in the message
 * (a code block, or the longest text span) is cut, again and again, until the rendered content
 * fits, saying how much was left out. Escaping only adds characters, so cutting the raw text by
 * the excess always shrinks the rendering by at least as much and the loop ends.
 */
import { truncate } from '../../src/chat/message.js';
import type { Block, Span } from '../../src/chat/port.js';

/** Where a piece of cuttable text lives: a code block or a text span inside a block. */
interface Piece {
  length: number;
  cut(to: number): Block;
  block: number;
}

function piecesOf(blocks: readonly Block[]): Piece[] {
  const out: Piece[] = [];
  blocks.forEach((b, i) => {
    if (b.kind === 'code') {
      out.push({
        block: i,
        length: [...b.text].length,
        cut: (to) => ({ kind: 'code', text: truncate(b.text, to) }),
      });
      return;
    }
    const spanPieces = (spans: Span[], rebuild: (spans: Span[]) => Block) => {
      spans.forEach((s, j) => {
        if (s.kind !== 'text') return;
        out.push({
          block: i,
          length: [...s.text].length,
          cut: (to) => rebuild(spans.map((x, k) => (k === j ? { ...s, text: truncate(s.text, to) } : x))),
        });
      });
    };
    if (b.kind === 'section' || b.kind === 'context') spanPieces(b.spans, (spans) => ({ ...b, spans }));
    if (b.kind === 'fields') {
      b.fields.forEach((f, fi) => {
        spanPieces(f.value, (value) => ({
          ...b,
          fields: b.fields.map((x, k) => (k === fi ? { ...f, value } : x)),
        }));
      });
    }
  });
  return out;
}

/** Blocks whose rendering is at most `limit` characters, or undefined when cutting cannot get there. */
export function fitBlocks(
  blocks: readonly Block[],
  limit: number,
  render: (blocks: readonly Block[]) => string,
): Block[] | undefined {
  let current = [...blocks];
  for (let round = 0; round < 20; round++) {
    const excess = render(current).length - limit;
    if (excess <= 0) return current;
    const longest = piecesOf(current).sort((a, b) => b.length - a.length)[0];
    // The note truncate() appends is about 25 characters; cut past it so each round makes progress.
    if (!longest || longest.length <= 40) return undefined;
    const to = Math.max(40, longest.length - excess - 40);
    current = current.map((b, i) => (i === longest.block ? longest.cut(to) : b));
  }
  return undefined;
}
