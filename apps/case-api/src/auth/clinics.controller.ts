import { Body, Controller, Get, HttpStatus, Post } from '@nestjs/common';
import { CreateClinicRequestSchema, type ClinicView, type CreateClinicRequest, type TenantAccess } from '@dg/contracts';
import { Access, ApiError, RequireScope, ZodPipe } from '@dg/http';
import { ClinicNameTakenError, ClinicRepository } from './clinic.repository';

@Controller('v1/clinics')
export class ClinicsController {
  constructor(private readonly clinics: ClinicRepository) {}

  @Post()
  @RequireScope('admin')
  async create(
    @Access() access: TenantAccess,
    @Body(new ZodPipe(CreateClinicRequestSchema)) body: CreateClinicRequest,
  ): Promise<ClinicView> {
    try {
      return await this.clinics.create(access, body.name);
    } catch (error) {
      if (error instanceof ClinicNameTakenError) {
        throw new ApiError(HttpStatus.CONFLICT, 'clinic_exists', `a clinic named ${body.name} exists`);
      }
      throw error;
    }
  }

  @Get()
  @RequireScope('read')
  list(@Access() access: TenantAccess): Promise<ClinicView[]> {
    return this.clinics.list(access);
  }
}
