export { consolePlugin, type ConsolePluginOptions } from './console-plugin.js';
export { addConsoleRoutes } from './console-routes.js';
export { queueDashboardPlugin, QUEUE_DASHBOARD_PATH, type QueueDashboardOptions } from './queue-dashboard.js';
