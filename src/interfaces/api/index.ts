export { buildApiServer, parseListen, type ApiServerOptions } from './server.js';
export { RouteTable, type RouteSpec, type RouteContext } from './route.js';
export { HttpError, errorBody, type ErrorBody } from './http-errors.js';
export { ROLES, canSeeCustomer, hasRole, type Authenticator, type Principal, type Role } from './principal.js';
export { addOperationsRoutes, type OperationsDeps } from './routes/operations.js';
export { addCalendarRoutes, type CalendarDeps } from './routes/calendar.js';
