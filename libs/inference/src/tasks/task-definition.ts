import type { CaseText, Modality, TaskName } from '@dg/contracts';
import type { z } from 'zod';
import type { ScoringSpec } from './shared/scoring';

/** What a task's prompt is built from. */
export interface TaskInput {
  modality?: Modality;
  caseText?: CaseText;
}

/** What the worker knows about a generation besides its text; every field optional. */
export interface ParseContext {
  /** 'max-new-tokens' means the answer was cut off: the output is flagged as truncated. */
  stopReason?: 'stop-token' | 'max-new-tokens';
  /** ISO date of the assessment: follow-up schedules get due dates relative to it. */
  assessmentDate?: string;
}

export const PARSE_STATUSES = ['parsed', 'partial', 'unparsed'] as const;
export type ParseStatus = (typeof PARSE_STATUSES)[number];

export interface TaskOutput {
  contract: string;
  parseStatus: ParseStatus;
  [field: string]: unknown;
}

export interface TaskDefinition {
  name: TaskName;
  /** Bumped whenever the prompt text changes: stored with every assessment for reproducibility. */
  promptVersion: string;
  contractVersion: string;
  needsImage: boolean;
  /** The card's settings: 300 new tokens for images, 512 for clinical cases. */
  maxNewTokens: 'image' | 'text';
  buildPrompt(input: TaskInput): string;
  parse(text: string, ctx?: ParseContext): TaskOutput;
  /** The zod schema of `parse`'s result: the single source of the contract. */
  outputSchema?: z.ZodType;
  /** The same contract as JSON Schema, for API docs and consumers in other languages. */
  jsonSchema?: Record<string, unknown>;
  /** Class fields that candidate scoring can fill; absent when the task has none. */
  scoring?: ScoringSpec[];
}

/** The one system prompt the model was trained with (model card); never varied per task. */
export const SYSTEM_PROMPT = 'You are an expert dental clinician and radiologist AI assistant.';
