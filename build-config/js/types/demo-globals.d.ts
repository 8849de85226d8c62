// What the demo plugin pages (plugin-host/demo) leave on window for the browser tests to read.
interface Window {
  received: unknown[];
  pluginLog: unknown[];
  pluginSent: unknown[];
  pluginClicks: unknown[];
}
