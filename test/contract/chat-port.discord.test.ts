/** Runs the ChatPort contract against the Discord adapter (real discord.js Client on the stand-in). */
import { chatPortContract } from './chat-port.contract.js';
import { discordDriver } from './drivers/discord.js';

chatPortContract('discord (discord.js Client against the stand-in)', discordDriver);
