import type { ResourceTemplateDefinition } from '@org/mcp-oauth-core';
import { repoContents } from './repo-contents.js';

/** Every resource template of the GitHub provider. */
export const githubResourceTemplates: readonly ResourceTemplateDefinition[] = [repoContents];
