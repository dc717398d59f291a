import type { CaseText, Modality, TaskName } from '@dg/contracts';

/** What a task's prompt is built from. */
export interface TaskInput {
  modality?: Modality;
  caseText?: CaseText;
}

export interface TaskOutput {
  contract: string;
  parseStatus: 'parsed' | 'partial' | 'unparsed';
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
  parse(text: string): TaskOutput;
}

/** The one system prompt the model was trained with (model card); never varied per task. */
export const SYSTEM_PROMPT = 'You are an expert dental clinician and radiologist AI assistant.';
