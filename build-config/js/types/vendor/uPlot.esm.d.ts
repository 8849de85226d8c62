// uPlot is unpacked from its webjar into the console's vendor/ folder at build time (providers/pom.xml), after
// this check runs; the console uses only its constructor, so this is all tsc needs to know of it.
export default class uPlot {
  constructor(options: object, data: unknown[], target: HTMLElement);
  setData(data: unknown[]): void;
  destroy(): void;
}
