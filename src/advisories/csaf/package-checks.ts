/** Refuses a CSAF document whose machine-readable package identifiers could smuggle shell syntax. */
import { isSafePackageName, isSafePackageVersion, SAFE_PACKAGE_NAME_HINT, SAFE_PACKAGE_VERSION_HINT } from '../identifiers/package-safety.js';
import type { AdvisoryProblem } from '../problems.js';
import { productFromDefinition } from './normalise.js';
import type { ProductDefinition } from './product-tree.js';

export function unsafePackageIdentifiers(definitions: ProductDefinition[]): AdvisoryProblem[] {
  const problems: AdvisoryProblem[] = [];
  for (const definition of definitions) {
    const product = productFromDefinition(definition);
    const at = product.purl === undefined ? definition.jsonPath : definition.jsonPath.replace(/\.product_id$/, '.product_identification_helper.purl');
    const names: string[] = [];
    const versions: string[] = [];
    if (product.purl !== undefined) {
      names.push(product.purl.namespace === undefined ? product.purl.name : `${product.purl.namespace}/${product.purl.name}`);
      if (product.purl.version !== undefined) versions.push(product.purl.version);
    }
    if (product.nevra !== undefined) {
      if (product.purl === undefined) names.push(product.nevra.name);
      versions.push(product.nevra.version, product.nevra.release, ...(product.nevra.arch === undefined ? [] : [product.nevra.arch]));
    }
    for (const name of new Set(names)) {
      if (!isSafePackageName(name)) problems.push({ path: at, message: `the package name "${name}" is refused: a package name may only contain ${SAFE_PACKAGE_NAME_HINT}` });
    }
    for (const version of new Set(versions)) {
      if (!isSafePackageVersion(version)) problems.push({ path: at, message: `the package version or arch "${version}" is refused: it may only contain ${SAFE_PACKAGE_VERSION_HINT}` });
    }
  }
  return problems;
}
