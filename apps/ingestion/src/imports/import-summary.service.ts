import { Injectable } from '@nestjs/common';
import { defaultTasks, type ImportSummary, type Modality, type TaskName, type TenantId } from '@dg/contracts';
import { ImportAnalysisRepository } from './import-analysis.repository';
import { ImportRepository, type ImportRow } from './import.repository';

/** What a scan found, and what analyzing it would cost on this platform's engine. */
@Injectable()
export class ImportSummaryService {
  constructor(
    private readonly imports: ImportRepository,
    private readonly analysis: ImportAnalysisRepository,
  ) {}

  async summarize(tenant: TenantId, imp: ImportRow): Promise<ImportSummary> {
    const figures = await this.imports.scanFigures(tenant, imp.id);
    const toAnalyze = Math.max(
      0,
      figures.files - figures.refused - figures.duplicatesInArchive - figures.duplicatesOfExisting,
    );
    // Modality is known per image only once it is decoded; a scan assumes what archives mostly hold.
    const modality = (imp.modality ?? 'panoramic') as Modality;
    const tasks = (imp.tasks.length ? imp.tasks : defaultTasks({ modality })) as TaskName[];
    const speed = await this.analysis.engineSpeed();
    const assumed = imp.tasks.length
      ? `tasks ${tasks.join(', ')}`
      : `the ${modality} default tasks (${tasks.join(', ')})`;
    return {
      ...figures,
      toAnalyze,
      gpuEstimate: speed
        ? {
            seconds: (toAnalyze * tasks.reduce((ms, t) => ms + (speed.msByTask.get(t) ?? speed.meanMs), 0)) / 1000,
            tasksPerImage: tasks.length,
            measuredTokensPerSecond: Math.round(speed.tokensPerSecond * 10) / 10,
            basis: `${assumed}, at the engine's mean time per task over this platform's ${speed.samples} most recent completed assessments`,
          }
        : {
            seconds: null,
            tasksPerImage: tasks.length,
            measuredTokensPerSecond: null,
            basis: `${assumed}; no assessment has completed on this platform yet, so there is no measured engine speed`,
          },
    };
  }
}
