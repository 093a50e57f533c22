/**
 * Lua functions that write a host run's event and audit entry body from its stored record, inside the store
 * scripts that start and end the run (store/runs.ts, store/run-end.ts). The record already holds the batch,
 * occurrence, window, customer, host and playbooks; building the texts where the record is saves sending them
 * (a third of a run's bytes) and building them in Node for every run.
 *
 * cjson writes keys in no fixed order and "/" as "\/": both are the same JSON to every reader, and an audit entry's
 * hash is computed from its parsed fields (store/audit.ts), not from its text.
 */
export const RUN_TEXTS_LUA = `
local function run_playbook_id(run)
  if type(run.playbooks) == 'table' then return table.concat(run.playbooks, ',') end
  return cjson.null
end
local function run_event(run, kind, at, failure_class, reason)
  local event = {type = kind, batchId = run.batchId, occurrenceId = run.occurrenceId, windowId = run.windowId,
    customerId = run.customerId, hostId = run.hostId, playbookId = run_playbook_id(run),
    failureClass = failure_class or cjson.null, runId = run.id, at = at}
  if reason then event.reason = reason end
  return cjson.encode(event)
end
local function run_audit(run, actor, action, at, before, after, reason)
  return cjson.encode({at = at, actor = actor, action = action, subject = 'run/' .. run.id,
    customerId = run.customerId or cjson.null, before = before, after = after, reason = reason or cjson.null})
end`;
