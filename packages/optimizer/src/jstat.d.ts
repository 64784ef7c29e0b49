// Minimal typings for the parts of jstat (no bundled types, no @types package) that hp uses.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...params: number[]): number;
  }
  interface JStatStatic {
    studentt: Distribution;
    normal: Distribution;
    binomial: Distribution;
  }
  const jStat: JStatStatic;
  export default jStat;
}
