import { z } from 'zod';
import type { RouteTable } from './route.js';

/** Builds the OpenAPI 3.1 document from the route table's zod schemas. */
export function buildOpenApiDocument(table: RouteTable, info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table.routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters = [
      ...objectParameters(route.params, 'path'),
      ...objectParameters(route.query, 'query'),
    ];
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses: {
        '200': route.produces !== undefined
          ? { description: 'OK', content: { [route.produces]: { schema: { type: 'string' } } } }
          : { description: 'OK', content: { 'application/json': { schema: route.response === undefined ? {} : toSchema(route.response) } } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (route.role !== 'public') operation.security = [{ bearerAuth: [] }];
    if (route.body !== undefined) operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body) } } };
    if (route.role !== 'public') operation.description = `Requires the ${route.role} role.${route.write === true ? ' Rate-limited.' : ''}`;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
      },
    },
  };
}

function toSchema(schema: z.ZodType): unknown {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function objectParameters(schema: z.ZodType | undefined, location: 'path' | 'query'): unknown[] {
  if (schema === undefined) return [];
  const json = toSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}
