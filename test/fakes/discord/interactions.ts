/**
 * Builders for the interactions Discord sends in INTERACTION_CREATE: slash command (type 2),
 * button click (3), autocomplete (4) and modal submit (5). Every one carries the fields discord.js
 * reads unconditionally (`entitlements`, `authorizing_integration_owners`, `member.user`, …);
 * without them discord.js throws inside its socket handler and the process dies.
 */
import type { Json } from './messages.js';
import { APP_PERMISSIONS, DISCORD, MEMBER_PERMISSIONS, type UserInput, userObject } from './objects.js';
import type { DiscordState } from './state.js';

export type OptionValue = string | number | boolean;

export interface Actor {
  /** Who clicked / typed; DISCORD.user unless told. */
  user?: UserInput;
  /** Role ids of the member (authorisation checks read these). */
  roles?: string[];
  /** Member permissions bit set as a decimal string. */
  permissions?: string;
  /** Where it happened; the default text channel unless told (threads work too). */
  channelId?: string;
}

export interface SlashCommandInput extends Actor {
  name?: string;
  subcommand?: string;
  /** The subcommand's group (`schedule` in `/hermes schedule add`). */
  group?: string;
  /** Leaf options by name; the option type follows the JS type (string 3, integer 4, boolean 5, number 10). */
  options?: Record<string, OptionValue>;
}

export interface AutocompleteInput extends SlashCommandInput {
  /** Name of the option being typed; its value is the partial input. */
  focused: string;
}

export interface ButtonInput extends Actor {
  customId: string;
  /** The message the button is on: a message object, or the id of one the stand-in stored. */
  message: Json | string;
}

export interface ModalSubmitInput extends Actor {
  customId: string;
  /** Text input custom_id -> submitted value. */
  fields: Record<string, string>;
  /** Set when the modal was opened from a button (then `update()` is allowed). */
  message?: Json | string;
  /** Action rows (ModalBuilder + ActionRowBuilder) or label components (newer modal layout). */
  layout?: 'action_row' | 'label';
}

export interface InteractionBuilders {
  slashCommand(input?: SlashCommandInput): Json;
  autocomplete(input: AutocompleteInput): Json;
  button(input: ButtonInput): Json;
  modalSubmit(input: ModalSubmitInput): Json;
}

const optionType = (value: OptionValue) =>
  typeof value === 'string' ? 3 : typeof value === 'boolean' ? 5 : Number.isInteger(value) ? 4 : 10;

export function createInteractionBuilders(state: DiscordState): InteractionBuilders {
  const commandIds = new Map<string, string>();

  function commandId(name: string, guildId: string): string {
    const registered = state.commands.get(guildId)?.find((c) => c.name === name)?.id;
    if (typeof registered === 'string') return registered;
    if (!commandIds.has(name)) commandIds.set(name, state.nextId());
    return commandIds.get(name)!;
  }

  function resolveMessage(message: Json | string): Json {
    if (typeof message !== 'string') return message;
    const stored = state.messages.get(message);
    if (stored === undefined) throw new Error(`the Discord stand-in has no message ${message}`);
    return structuredClone(stored);
  }

  function base(type: number, actor: Actor, fallbackChannelId: string = DISCORD.channelId): Json {
    const channelId = actor.channelId ?? fallbackChannelId;
    const channel = state.channels.get(channelId);
    if (channel === undefined) throw new Error(`the Discord stand-in has no channel ${channelId}`);
    const guildId = String(channel.guild_id);
    return {
      id: state.nextId(),
      application_id: DISCORD.applicationId,
      type,
      token: state.nextInteractionToken(),
      version: 1,
      guild_id: guildId,
      guild: { id: guildId, locale: 'en-US', features: [] },
      channel_id: channelId,
      channel: { ...channel, permissions: APP_PERMISSIONS },
      member: {
        user: userObject(actor.user ?? DISCORD.user),
        roles: actor.roles ?? [],
        permissions: actor.permissions ?? MEMBER_PERMISSIONS,
        joined_at: state.nowIso(),
        nick: null,
        avatar: null,
        banner: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        premium_since: null,
        communication_disabled_until: null,
      },
      app_permissions: APP_PERMISSIONS,
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
    };
  }

  function commandData(input: SlashCommandInput, guildId: string, focused?: string): Json {
    const name = input.name ?? 'hermes';
    const leaves = Object.entries(input.options ?? {}).map(([optionName, value]) => ({
      name: optionName,
      type: optionType(value),
      value,
      ...(optionName === focused ? { focused: true } : {}),
    }));
    const sub =
      input.subcommand === undefined ? leaves : [{ name: input.subcommand, type: 1, options: leaves }];
    return {
      id: commandId(name, guildId),
      name,
      type: 1,
      guild_id: guildId,
      options: input.group === undefined ? sub : [{ name: input.group, type: 2, options: sub }],
    };
  }

  return {
    slashCommand(input = {}) {
      const interaction = base(2, input);
      return { ...interaction, data: commandData(input, String(interaction.guild_id)) };
    },

    autocomplete(input) {
      const interaction = base(4, input);
      return { ...interaction, data: commandData(input, String(interaction.guild_id), input.focused) };
    },

    button(input) {
      const message = resolveMessage(input.message);
      const interaction = base(3, input, String(message.channel_id));
      return { ...interaction, message, data: { custom_id: input.customId, component_type: 2 } };
    },

    modalSubmit(input) {
      const message = input.message === undefined ? undefined : resolveMessage(input.message);
      const interaction = base(5, input, message ? String(message.channel_id) : undefined);
      const components = Object.entries(input.fields).map(([customId, value]) =>
        input.layout === 'label'
          ? { type: 18, component: { type: 4, custom_id: customId, value } }
          : { type: 1, components: [{ type: 4, custom_id: customId, value }] },
      );
      return {
        ...interaction,
        ...(message ? { message } : {}),
        data: { custom_id: input.customId, components },
      };
    },
  };
}
