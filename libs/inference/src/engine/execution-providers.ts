import * as ort from 'onnxruntime-node';

export type ProviderName = 'cpu' | 'cuda' | 'webgpu';

export interface SessionSettings {
  /** Tried in order. onnxruntime-node throws instead of falling back, so the chain is ours. */
  providers: ProviderName[];
  intraOpThreads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  enableCpuMemArena: boolean;
  /**
   * Keep the decoder's KV cache on the GPU between steps where the provider can (WebGPU
   * 'gpu-buffer' outputs). The CUDA provider of onnxruntime-node returns every output to host
   * memory, so there this has no effect (see the README for the measured cost).
   */
  deviceCache?: boolean;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  providers: ['cpu'],
  intraOpThreads: 0,
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
  deviceCache: true,
};

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: ProviderName;
}

/**
 * Opens a graph on the first provider of the chain that works, logging each one that does not, so
 * a worker that silently lands on CPU instead of CUDA is visible in its logs and its info.
 */
export async function openSession(
  path: string,
  settings: SessionSettings,
  log: (msg: string) => void,
  deviceOutputs: string[] = [],
): Promise<OpenedSession> {
  const failures: string[] = [];
  for (const provider of settings.providers) {
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: [provider],
        graphOptimizationLevel: settings.graphOptimizationLevel,
        enableCpuMemArena: settings.enableCpuMemArena,
        // 0 means "let ONNX Runtime choose" (one per core); the binding refuses an explicit undefined.
        ...(settings.intraOpThreads > 0 ? { intraOpNumThreads: settings.intraOpThreads } : {}),
        ...(provider === 'webgpu' && settings.deviceCache && deviceOutputs.length
          ? { preferredOutputLocation: Object.fromEntries(deviceOutputs.map((n) => [n, 'gpu-buffer' as const])) }
          : {}),
      });
      if (failures.length) log(`${path}: fell back to ${provider} after ${failures.join('; ')}`);
      return { session, provider };
    } catch (error) {
      failures.push(`${provider} failed (${(error as Error).message.split('\n')[0]})`);
    }
  }
  throw new Error(`cannot open ${path} with any provider: ${failures.join('; ')}`);
}
