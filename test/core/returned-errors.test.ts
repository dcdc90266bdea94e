/**
 * A kernel error the engine returns instead of throwing (src/kernel/errno.ts `refusal`) is a
 * result its caller must pass on: dropped, the operation would go on as if the kernel had said
 * yes. TypeScript does not object to a call whose value is unused, so this test asks the type
 * checker: every call in src/ whose value can be a KernelError must have its value used (returned,
 * assigned, tested, or handed to `orThrow`), not stand as a statement of its own or be the body of
 * a callback whose value nobody reads.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function program(files: string[]): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('tsconfig.json does not parse');
  return ts.createProgram({ rootNames: files, options: config.options });
}

/** True when a value of `type` can be a KernelError (or a subclass of it). */
function canBeKernelError(checker: ts.TypeChecker, type: ts.Type): boolean {
  const types = type.isUnion() ? type.types : [type];
  return types.some((t) => {
    for (let s: ts.Type | undefined = t; s; s = checker.getBaseTypes(s as ts.InterfaceType)[0]) {
      if (s.getSymbol()?.getName() === 'KernelError') return true;
      if (!(s.flags & ts.TypeFlags.Object) || !((s as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
    }
    return false;
  });
}

/** Calls in these files whose possible KernelError is dropped: "file:line: call". */
function droppedErrors(files: string[]): string[] {
  const p = program(files);
  const checker = p.getTypeChecker();
  const out: string[] = [];
  /** a call of a function of this project's own that may return a KernelError (a library's generic `T` is not one) */
  const returnsError = (call: ts.CallExpression) => {
    const decl = checker.getResolvedSignature(call)?.getDeclaration();
    return decl !== undefined && !decl.getSourceFile().fileName.includes('/node_modules/') && canBeKernelError(checker, checker.getTypeAtLocation(call));
  };
  const report = (call: ts.Node) => {
    const sf = call.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(call.getStart());
    out.push(`${path.relative(root, sf.fileName)}:${line + 1}: ${call.getText().split('\n')[0]}`);
  };
  for (const sf of p.getSourceFiles()) {
    if (!files.includes(path.resolve(sf.fileName))) continue;
    const visit = (n: ts.Node): void => {
      // a call standing alone: `offlineBlock(tx, id);`
      if (ts.isExpressionStatement(n) && ts.isCallExpression(n.expression) && returnsError(n.expression)) report(n.expression);
      // a callback's body whose value its caller does not read: `blocks.forEach((b) => offlineBlock(tx, b))`
      if (ts.isArrowFunction(n) && ts.isCallExpression(n.body) && returnsError(n.body)) {
        const sig = checker.getContextualType(n)?.getCallSignatures()[0];
        if (sig && checker.getReturnTypeOfSignature(sig).flags & ts.TypeFlags.Void) report(n.body);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return ts.sys.readDirectory(dir, ['.ts']).map((f) => path.resolve(f));
}

describe('a returned kernel error is never dropped', () => {
  it('no call in src/ drops a KernelError it may return', () => {
    expect(droppedErrors(sourceFiles(path.join(root, 'src')))).toEqual([]);
  }, 120_000);

  it('the check finds a dropped one (a statement, and a callback nobody reads)', () => {
    const file = path.join(root, 'test/core/__dropped-error.ts');
    ts.sys.writeFile(
      file,
      [
        "import { KernelError, refusal } from '../../src/kernel/errno.ts';",
        'function lookUp(n: number): KernelError | void { if (n < 0) return refusal("ENOENT", "none"); }',
        'export function dropsIt(): void {',
        '  lookUp(-1);',
        '  [1, 2].forEach((n) => lookUp(n));',
        '  const kept = lookUp(2); if (kept) throw kept;',
        '}',
        '',
      ].join('\n'),
    );
    try {
      expect(droppedErrors([file])).toEqual(['test/core/__dropped-error.ts:4: lookUp(-1)', 'test/core/__dropped-error.ts:5: lookUp(n)']);
    } finally {
      ts.sys.deleteFile?.(file);
    }
  }, 120_000);
});
