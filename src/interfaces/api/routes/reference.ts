import type { RouteTable } from '../route.js';

/**
 * A browsable API reference that needs no CDN (the product runs on closed networks): one self-contained page that
 * reads /openapi.json and lists every operation with its parameters, body schema and required role.
 */
export function addReferenceRoutes(table: RouteTable, document: () => Record<string, unknown>): void {
  table.add({
    method: 'GET',
    url: '/openapi.json',
    summary: 'The OpenAPI 3.1 document of this API',
    tag: 'reference',
    role: 'public',
    handler: async () => document(),
  });
  table.add({
    method: 'GET',
    url: '/api/reference',
    summary: 'A browsable reference page of this API',
    tag: 'reference',
    role: 'public',
    produces: 'text/html; charset=utf-8',
    handler: async () => REFERENCE_PAGE,
  });
}

const REFERENCE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>redback API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#7a1f1f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
main{max-width:1000px;margin:0 auto;padding:16px 24px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:12px 0;padding:10px 16px}
.m{display:inline-block;min-width:62px;font-weight:700;font-family:monospace}
.GET{color:#1a6b2f}.POST{color:#1d4fa3}.PUT,.PATCH{color:#8a5a00}.DELETE{color:#a3251d}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f0f2f5;padding:8px;overflow:auto;border-radius:4px}
h2{font-size:16px;margin:18px 0 4px;text-transform:capitalize}.role{color:#5b6472;font-size:13px}
</style></head>
<body><header><h1>redback API reference</h1></header><main id="root">Loading /openapi.json…</main>
<script>
fetch('openapi.json').then(r=>r.json()).then(doc=>{
  const root=document.getElementById('root');root.textContent='';
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [method,op] of Object.entries(ops))(byTag[op.tags[0]]??=[]).push({path,method:method.toUpperCase(),op});
  for(const [tag,items] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.append(h);
    for(const {path,method,op} of items){
      const s=document.createElement('section');
      const title=document.createElement('div');
      const m=document.createElement('span');m.className='m '+method;m.textContent=method;
      const p=document.createElement('code');p.textContent=path;
      const sum=document.createElement('div');sum.textContent=op.summary;
      const role=document.createElement('div');role.className='role';role.textContent=op.description??'Public.';
      title.append(m,p);s.append(title,sum,role);
      if(op.parameters?.length){const pre=document.createElement('pre');pre.textContent='parameters: '+op.parameters.map(x=>x.name+' ('+x.in+(x.required?', required':'')+')').join(', ');s.append(pre);}
      const body=op.requestBody?.content?.['application/json']?.schema;
      if(body){const pre=document.createElement('pre');pre.textContent='body: '+JSON.stringify(body,null,2);s.append(pre);}
      root.append(s);
    }
  }
}).catch(e=>{document.getElementById('root').textContent='Could not load /openapi.json: '+e});
</script></body></html>`;
