import { runPolicyRepositoryContract } from '../../src/policy/repository-contract.ts';
import { MemoryPolicyRepository } from '../../src/policy/repository.ts';

runPolicyRepositoryContract('memory', () => new MemoryPolicyRepository());
