/**
 * Flattens a CSAF product tree into product definitions: every branch leaf with its ancestor path, every
 * `full_product_names` entry, and every relationship's new "component X in context Y" product.
 */
import { jsonPath } from '../problems.js';
import type { CsafBranch, CsafDocument, CsafFullProductName, CsafProductTree } from './schema.js';

export interface ProductDefinition {
  productId: string;
  name: string;
  path: { category: string; name: string }[];
  helper: CsafFullProductName['product_identification_helper'];
  /** Where the product id is defined, for error messages. */
  jsonPath: string;
  relationship: { category: string; productReference: string; relatesToProductReference: string } | undefined;
}

export function collectProductDefinitions(tree: CsafProductTree | undefined): ProductDefinition[] {
  const definitions: ProductDefinition[] = [];
  if (tree === undefined) return definitions;
  const walk = (branches: CsafBranch[], path: { category: string; name: string }[], at: PropertyKey[]): void => {
    branches.forEach((branch, index) => {
      const here = [...path, { category: branch.category, name: branch.name }];
      const location = [...at, index];
      if (branch.product !== undefined) {
        definitions.push(definition(branch.product, here, [...location, 'product', 'product_id'], undefined));
      }
      if (branch.branches !== undefined) walk(branch.branches, here, [...location, 'branches']);
    });
  };
  if (tree.branches !== undefined) walk(tree.branches, [], ['product_tree', 'branches']);
  tree.full_product_names?.forEach((product, index) => {
    definitions.push(definition(product, [], ['product_tree', 'full_product_names', index, 'product_id'], undefined));
  });
  tree.relationships?.forEach((relationship, index) => {
    definitions.push(
      definition(relationship.full_product_name, [], ['product_tree', 'relationships', index, 'full_product_name', 'product_id'], {
        category: relationship.category,
        productReference: relationship.product_reference,
        relatesToProductReference: relationship.relates_to_product_reference,
      }),
    );
  });
  return definitions;
}

function definition(
  product: CsafFullProductName,
  path: { category: string; name: string }[],
  at: PropertyKey[],
  relationship: ProductDefinition['relationship'],
): ProductDefinition {
  return { productId: product.product_id, name: product.name, path, helper: product.product_identification_helper, jsonPath: jsonPath(at), relationship };
}

/**
 * A place that names a product id. The JSONPath is built only for a reference that turns out wrong: the kernel RHSA
 * holds 34,000 references, and formatting each path would cost more than the checks.
 */
export interface ProductReference {
  productId: string;
  /** The containing property, shared by all references in one list. */
  at: readonly PropertyKey[];
  /** Position in that list, when the property is a list. */
  index: number | undefined;
}

export function referencePath(reference: ProductReference): string {
  return jsonPath(reference.index === undefined ? reference.at : [...reference.at, reference.index]);
}

function reference(productId: string, at: readonly PropertyKey[], index?: number): ProductReference {
  return { productId, at, index };
}

/** Every place a document refers to a product id (the list of CSAF test 6.1.1). */
export function collectProductReferences(document: CsafDocument): ProductReference[] {
  const references: ProductReference[] = [];
  const add = (ids: readonly string[] | undefined, at: PropertyKey[]) => ids?.forEach((productId, i) => references.push(reference(productId, at, i)));
  document.product_tree?.product_groups?.forEach((group, g) => add(group.product_ids, ['product_tree', 'product_groups', g, 'product_ids']));
  document.product_tree?.relationships?.forEach((relationship, r) => {
    references.push(reference(relationship.product_reference, ['product_tree', 'relationships', r, 'product_reference']));
    references.push(reference(relationship.relates_to_product_reference, ['product_tree', 'relationships', r, 'relates_to_product_reference']));
  });
  document.vulnerabilities?.forEach((vulnerability, v) => {
    const at = ['vulnerabilities', v];
    for (const [category, ids] of Object.entries(vulnerability.product_status ?? {})) add(ids, [...at, 'product_status', category]);
    vulnerability.remediations?.forEach((item, i) => add(item.product_ids, [...at, 'remediations', i, 'product_ids']));
    vulnerability.scores?.forEach((item, i) => add(item.products, [...at, 'scores', i, 'products']));
    vulnerability.threats?.forEach((item, i) => add(item.product_ids, [...at, 'threats', i, 'product_ids']));
    vulnerability.flags?.forEach((item, i) => add(item.product_ids, [...at, 'flags', i, 'product_ids']));
  });
  return references;
}

/** Every place a document refers to a product group id (CSAF test 6.1.4). */
export function collectGroupReferences(document: CsafDocument): ProductReference[] {
  const references: ProductReference[] = [];
  document.vulnerabilities?.forEach((vulnerability, v) => {
    for (const kind of ['remediations', 'threats', 'flags'] as const) {
      vulnerability[kind]?.forEach((item, i) =>
        item.group_ids?.forEach((groupId, j) => references.push(reference(groupId, ['vulnerabilities', v, kind, i, 'group_ids'], j))),
      );
    }
  });
  return references;
}
