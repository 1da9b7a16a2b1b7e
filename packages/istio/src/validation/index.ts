export * from './types';
export { validateMesh, validateObject, wellFormed, withObject } from './mesh';
export { validateVirtualService } from './virtualService';
export { validateDestinationRule } from './destinationRule';
export { validatePeerAuthentication, selectorChecks } from './peerAuthentication';
export { crdSchemas, schemaChecks, pointerToPath, type CrdSchemas } from './schema';
export { hostInRegistry } from './registry';
