/**
 * Discord interactions into the chat core: `/hermes <subcommand>` (slash command), button clicks
 * and the reason modal, plus autocomplete of `profile`. Discord wants a first answer within 3 s,
 * so each handler acknowledges before the core does anything slow: commands with a deferred
 * ephemeral reply, Approve clicks and modal submissions with a silent deferred update. Deny is the
 * exception: its first answer must be the modal, which the core opens through `openReasonPrompt`
 * after its (local, fast) checks; a timer still acknowledges if the core has not answered in time.
 */
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Client,
  Events,
  type Interaction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { say } from '../../src/chat/commands/replies.js';
import type { Actor, ChatInbound, ReasonPrompt } from '../../src/chat/port.js';
import { describeError, isHermesError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { profileChoices } from './autocomplete.js';
import { REASON_INPUT_ID, reasonModal } from './blocks.js';
import { commandText } from './command-text.js';
import { COMMAND_NAME, type ScheduleSubcommand, SUBCOMMANDS, type Subcommand } from './commands.js';
import type { CustomIds } from './custom-ids.js';
import { DISCORD_PLATFORM } from './port.js';
import { InteractionReplies } from './replies.js';

export interface InboundDeps {
  core: ChatInbound;
  ids: CustomIds;
  /** The one guild Hermes answers in; interactions from anywhere else are refused. */
  guildId: string;
  /** Profiles offered by autocomplete. */
  profiles: () => string[];
  log: Logger;
  /** A Deny click the core has not answered by then is acknowledged anyway (default 2000 ms). */
  ackAfterMs?: number;
}

export interface Inbound {
  /** Resolves when every interaction being handled has been handled (tests, orderly stop). */
  idle(): Promise<void>;
  stop(): void;
}

function actorOf(i: Interaction): Actor {
  const m = i.member;
  const roles = !m ? [] : Array.isArray(m.roles) ? [...m.roles] : [...m.roles.cache.keys()];
  return { platform: DISCORD_PLATFORM, user: i.user.id, roles };
}

/** A command typed in a job thread acts for the channel the thread hangs off. */
function commandChannel(i: ChatInputCommandInteraction): string {
  const ch = i.channel;
  return ch?.isThread() ? (ch.parentId ?? i.channelId) : i.channelId;
}

/** The leaf options: under the subcommand, or under the group's subcommand (`schedule add`). */
function optionValues(i: ChatInputCommandInteraction): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const top = i.options.data[0];
  const leaf = top?.type === ApplicationCommandOptionType.SubcommandGroup ? top.options?.[0] : top;
  for (const o of leaf?.options ?? []) {
    if (o.value !== undefined) out[o.name] = o.value;
  }
  return out;
}

export function registerInbound(client: Client, deps: InboundDeps): Inbound {
  const { core, ids, log } = deps;
  const inFlight = new Set<Promise<void>>();

  // Fails closed: a direct message, another guild, or (should a caller pass none) no guild at all.
  const wrongPlace = (i: Interaction) => !deps.guildId || !i.inGuild() || i.guildId !== deps.guildId;

  async function onCommand(i: ChatInputCommandInteraction): Promise<void> {
    const replies = new InteractionReplies(i, ids);
    if (wrongPlace(i)) {
      await replies.reply(say('Hermes answers /hermes only in the channels of its own server.'));
      return;
    }
    await replies.deferReply();
    const group = i.options.getSubcommandGroup(false);
    const leaf = i.options.getSubcommand(false);
    const sub = (group ?? leaf) as Subcommand | null;
    let text: string;
    try {
      text =
        sub && SUBCOMMANDS.includes(sub)
          ? commandText(sub, optionValues(i), group ? (leaf as ScheduleSubcommand) : undefined)
          : 'help';
    } catch (e) {
      if (!isHermesError(e, 'usage')) throw e;
      await replies.reply(say(describeError(e)));
      return;
    }
    await core.handleCommand({
      actor: actorOf(i),
      channel: commandChannel(i),
      text,
      reply: (m) => replies.reply(m),
    });
    await replies.finish();
  }

  async function onButton(i: ButtonInteraction): Promise<void> {
    const replies = new InteractionReplies(i, ids);
    const decoded = ids.decode(i.customId);
    if (!decoded || decoded.kind === 'reason' || wrongPlace(i)) {
      await replies.reply(say('This button is not one Hermes knows (any more). Nothing was done.'));
      return;
    }
    const action = decoded.kind;
    let timer: NodeJS.Timeout | undefined;
    if (action === 'deny') {
      // The core normally answers with the modal long before this.
      timer = setTimeout(() => {
        replies.deferUpdate().catch((err: unknown) => log.warn({ err }, 'late acknowledgement failed'));
      }, deps.ackAfterMs ?? 2000);
    } else {
      await replies.deferUpdate();
    }
    const openReasonPrompt = async (prompt: ReasonPrompt) => {
      clearTimeout(timer);
      if (replies.acknowledged) {
        await replies.reply(say('Hermes took too long to open the form. Click Deny again.'));
        return;
      }
      replies.answeredWithModal();
      await i.showModal(reasonModal(prompt, ids));
    };
    try {
      await core.handleAction({
        actor: actorOf(i),
        channel: i.channelId,
        action,
        value: decoded.value,
        message: { channel: i.message.channelId, id: i.message.id },
        reply: (m) => replies.reply(m),
        openReasonPrompt,
      });
    } finally {
      clearTimeout(timer);
    }
    // Nothing answered at all (cannot happen with today's core, but Discord would show an error).
    if (!replies.acknowledged) await replies.deferUpdate();
  }

  async function onModal(i: ModalSubmitInteraction): Promise<void> {
    const replies = new InteractionReplies(i, ids);
    const decoded = ids.decode(i.customId);
    if (decoded?.kind !== 'reason' || wrongPlace(i)) {
      await replies.reply(say('This form is not one Hermes knows (any more). Nothing was done.'));
      return;
    }
    if (i.isFromMessage()) await replies.deferUpdate();
    else await replies.deferReply();
    let reason = '';
    try {
      reason = i.fields.getTextInputValue(REASON_INPUT_ID);
    } catch {
      // An empty optional field may be left out of the submission.
    }
    await core.handleReasonSubmitted({
      actor: actorOf(i),
      channel: i.channelId ?? '',
      token: decoded.value,
      reason,
      reply: (m) => replies.reply(m),
    });
    await replies.finish();
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const choices =
      !wrongPlace(i) && focused.name === 'profile'
        ? profileChoices(deps.profiles(), String(focused.value))
        : [];
    await i.respond(choices);
  }

  async function route(i: Interaction): Promise<void> {
    if (i.isChatInputCommand() && i.commandName === COMMAND_NAME) return onCommand(i);
    if (i.isAutocomplete() && i.commandName === COMMAND_NAME) return onAutocomplete(i);
    if (i.isButton()) return onButton(i);
    if (i.isModalSubmit()) return onModal(i);
  }

  const listener = (i: Interaction) => {
    const p = route(i)
      .catch((err: unknown) =>
        log.error({ err, interaction: i.id, user: i.user.id }, 'Discord interaction failed'),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  client.on(Events.InteractionCreate, listener);

  return {
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop() {
      client.off(Events.InteractionCreate, listener);
    },
  };
}
