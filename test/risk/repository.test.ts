import { runRiskRepositoryContract } from '../../src/risk/repository.contract.ts';
import { createMemoryRiskRepository } from '../../src/risk/repository.ts';

runRiskRepositoryContract('memory', () => createMemoryRiskRepository());
