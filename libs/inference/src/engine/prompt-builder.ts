import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import type { ModelConfig } from '../model/model-config';
import type { ChatPrompt } from './engine.port';

/**
 * Turns a chat prompt into token ids with the model folder's own tokenizer and chat template, and
 * expands the image placeholder as Gemma3Processor does: "<start_of_image>" becomes
 * "\n\n<start_of_image>" + 256 x "<image_soft_token>" + "<end_of_image>\n\n" before tokenizing.
 */
export class PromptBuilder {
  private constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly chatTemplate: string | undefined,
    private readonly cfg: ModelConfig,
  ) {}

  static async load(dir: string, cfg: ModelConfig): Promise<PromptBuilder> {
    // Offline by design: the hub is never reached at run time, only the folder on disk.
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = `${dirname(dir)}/`;
    const tokenizer = await AutoTokenizer.from_pretrained(basename(dir), { local_files_only: true });
    const templatePath = join(dir, 'chat_template.jinja');
    const chatTemplate = existsSync(templatePath) ? await readFile(templatePath, 'utf8') : undefined;
    return new PromptBuilder(tokenizer, chatTemplate, cfg);
  }

  /** The exact text the model sees, image tokens expanded. */
  render(prompt: ChatPrompt): string {
    const userContent = prompt.pixelValues
      ? [{ type: 'image' }, { type: 'text', text: stripControlTokens(prompt.user) }]
      : [{ type: 'text', text: stripControlTokens(prompt.user) }];
    const messages = [
      { role: 'system', content: [{ type: 'text', text: stripControlTokens(prompt.system) }] },
      { role: 'user', content: userContent },
    ];
    const text = this.tokenizer.apply_chat_template(messages as never, {
      tokenize: false,
      add_generation_prompt: true,
      chat_template: this.chatTemplate,
    }) as string;
    if (!prompt.pixelValues) return text;
    const boi = this.tokenizer.decode([this.cfg.boiTokenId]);
    const eoi = this.tokenizer.decode([this.cfg.eoiTokenId]);
    const soft = this.tokenizer.decode([this.cfg.imageTokenId]);
    return text.replace(boi, `\n\n${boi}${soft.repeat(this.cfg.imageSeqLength)}${eoi}\n\n`);
  }

  encode(prompt: ChatPrompt): number[] {
    // The template already starts with <bos>; adding special tokens again would double it.
    return this.tokenizer.encode(this.render(prompt), { add_special_tokens: false });
  }

  /** Plain text with no template and no special tokens: a candidate answer's continuation ids. */
  encodeText(text: string): number[] {
    return this.tokenizer.encode(stripControlTokens(text), { add_special_tokens: false });
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}

/**
 * Case text comes from clients. The tokenizer would read "<end_of_turn>" or "<image_soft_token>" in
 * it as control tokens, letting a client forge turns or image slots, so they are removed first.
 */
const CONTROL = /<(bos|eos|pad|start_of_turn|end_of_turn|start_of_image|end_of_image|image_soft_token)>/g;
export function stripControlTokens(text: string): string {
  return text.replace(CONTROL, '');
}
