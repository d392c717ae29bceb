/** The in-memory port as a contract driver: the reference every adapter is held to. */

import { MemoryChatPort } from '../../../src/chat/memory-port.js';
import { plainText } from '../../../src/chat/message.js';
import type { Span } from '../../../src/chat/port.js';
import type { ChatPortDriver, DriverFactory } from '../chat-port.contract.js';

export const memoryDriver: DriverFactory = async (core) => {
  const port = new MemoryChatPort('memory');
  const people = port.people(core, 'C1');
  const spans = (m: NonNullable<ReturnType<MemoryChatPort['find']>>): Span[] =>
    m.content.blocks.flatMap((b) =>
      b.kind === 'section' || b.kind === 'context'
        ? b.spans
        : b.kind === 'fields'
          ? b.fields.flatMap((f) => f.value)
          : [],
    );
  const driver: ChatPortDriver = {
    port,
    channel: 'C1',
    canPing: true,
    hasButtons: true,
    users: ['U1', 'U2'],
    async read(ref) {
      const m = port.find(ref);
      if (!m) throw new Error('no such message');
      const ss = spans(m);
      return {
        text: plainText(m.content),
        buttons: m.content.blocks.flatMap((b) =>
          b.kind === 'actions' ? b.buttons.map((x) => x.action) : [],
        ),
        pings: ss.flatMap((s) => ((s.kind === 'user' || s.kind === 'group') && s.notify ? [s.id] : [])),
        links: ss.flatMap((s) => (s.kind === 'link' ? [s.url] : [])),
        thread: m.thread,
      };
    },
    inbound: {
      command: async (user, text) => void (await people.command(user, text)),
      click: async (ref, action, user) => void (await people.click(ref, action, user)),
      async submitReason(user, reason) {
        const p = port.prompts.filter((x) => x.user === user).at(-1);
        if (!p) throw new Error('no prompt open');
        await people.submitReason(p.prompt, user, reason);
      },
      privateTo: async (user) => port.replies.filter((r) => r.user === user).map((r) => plainText(r.content)),
    },
    close: async () => undefined,
  };
  return driver;
};
