import { lazyRequires } from '../../tools/lazy-requires/lazy-requires';

/** Runs a rewritten CommonJS module with a `require` that records what it loads, when. */
function run(source: string, modules: Record<string, unknown>): { exports: Record<string, unknown>; loaded: string[] } {
  const loaded: string[] = [];
  const fakeRequire = (specifier: string) => {
    loaded.push(specifier);
    return modules[specifier];
  };
  const exports: Record<string, unknown> = {};
  new Function('require', 'exports', source)(fakeRequire, exports);
  return { exports, loaded };
}

describe('lazyRequires', () => {
  test('a module loads when one of its names is first read, once', () => {
    const source = [
      '"use strict";',
      'const a_1 = require("./a");',
      'Object.defineProperty(exports, "A", { enumerable: true, get: function () { return a_1.A; } });',
    ].join('\n');
    const result = lazyRequires(source, 'index.js');
    expect(result.lazy).toEqual(['./a']);
    const { exports, loaded } = run(result.text, { './a': { A: 'the A' } });
    expect(loaded).toEqual([]);
    expect(exports.A).toBe('the A');
    expect(exports.A).toBe('the A');
    expect(loaded).toEqual(['./a']);
  });

  test('`new`, `extends`, calls through (0, x.f) and __importStar keep their meaning', () => {
    const source = [
      'const __importStar = (m) => m;',
      'const b_1 = require("./b");',
      'const ns = __importStar(require("./ns"));',
      'class C extends b_1.Base {}',
      'exports.make = () => new b_1.Thing(2).n + (0, ns.twice)(3);',
      'exports.C = C;',
    ].join('\n');
    const result = lazyRequires(source, 'm.js');
    expect(result.lazy).toEqual(['./b', './ns']);
    class Base {}
    class Thing {
      constructor(public readonly n: number) {}
    }
    const { exports, loaded } = run(result.text, { './b': { Base, Thing }, './ns': { twice: (x: number) => 2 * x } });
    // `extends` reads the base class while the module loads: that import is needed at once.
    expect(loaded).toEqual(['./b']);
    expect((exports.make as () => number)()).toBe(8);
    expect(Object.getPrototypeOf(exports.C)).toBe(Base);
    expect(loaded).toEqual(['./b', './ns']);
  });

  test('a binding used other than by reading its properties, or declared again, stays eager', () => {
    const source = [
      'const a_1 = require("./a");',
      'const ec2 = require("./ec2");',
      'const s3 = require("./s3");',
      'require("./side-effect");',
      'exports.all = a_1;',
      'exports.shorthand = { ec2 };',
      'function f(s3) { return s3.x; }',
      'exports.f = f;',
    ].join('\n');
    const result = lazyRequires(source, 'm.js');
    expect(result.lazy).toEqual([]);
    expect(result.text).toBe(source);
  });

  test('property names that merely spell the binding are not uses', () => {
    const source = [
      'const ec2 = require("./ec2");',
      'exports.config = { ec2: 1, other: ec2.Port };',
      'exports.read = (o) => o.ec2;',
    ].join('\n');
    const result = lazyRequires(source, 'm.js');
    expect(result.lazy).toEqual(['./ec2']);
    const { exports, loaded } = run(result.text, { './ec2': { Port: 22 } });
    expect(exports.config).toEqual({ ec2: 1, other: 22 });
    expect((exports.read as (o: object) => unknown)({ ec2: 'x' })).toBe('x');
    expect(loaded).toEqual(['./ec2']);
  });

  test('the rewrite keeps every line where it was, and a second pass changes nothing', () => {
    const source = 'const a_1 = require("./a");\nconst b_1 = require("./b");\nexports.f = () => a_1.x + b_1.y;\n';
    const once = lazyRequires(source, 'm.js').text;
    expect(once.split('\n')).toHaveLength(source.split('\n').length);
    expect(once.split('\n')[2]).toBe('exports.f = () => (a_1()).x + (b_1()).y;');
    expect(lazyRequires(once, 'm.js')).toEqual({ text: once, lazy: [] });
  });
});
