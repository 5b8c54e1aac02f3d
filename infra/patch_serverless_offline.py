"""Make serverless-offline's Python runner survive handler errors and timeouts (idempotent).

As published (13.10.1), a Python handler that raises kills the warm `invoke.py` process, the pending
invocation then waits for the Lambda timeout, and the dead process stays in the pool: every later
invocation of that function hangs until it times out too. Real Lambda reports the error
(`X-Amz-Function-Error: Unhandled`) and starts a fresh runtime. These small edits restore that:
- invoke.py reports a handler exception as an error line and keeps serving;
- the runner turns that line (or the process exiting) into a rejected invocation;
- after a timeout or a dead process, the next invocation starts a new Python process;
- Python is started without a shell in between, so stopping a runner really stops its process.
Run after `npm install` / `npm ci` (the Makefile does). Exits non-zero if the files do not look as
expected (another version), so a silent no-op cannot hide a broken local stack.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "node_modules" / "serverless-offline"
MARKER = "pybase-patch"

INVOKE_OLD = """        context = FakeLambdaContext(**input.get('context', {}))
        result = handler(input['event'], context)
"""
INVOKE_NEW = """        context = FakeLambdaContext(**input.get('context', {}))
        try:  # pybase-patch: report handler errors instead of dying
            result = handler(input['event'], context)
        except Exception as exc:
            import traceback
            sys.stdout.write(json.dumps({'__offline_error__': {
                'errorMessage': str(exc), 'errorType': type(exc).__name__,
                'stackTrace': traceback.format_exc().splitlines()}}, default=str))
            sys.stdout.write('\\n')
            continue
"""

RUNNER_PARSE_OLD = """      if (
        json &&
        typeof json === "object" &&
        hasOwn(json, PythonRunner.#payloadIdentifier)
      ) {"""
RUNNER_PARSE_NEW = """      if (json && typeof json === "object" && hasOwn(json, "__offline_error__")) {
        // pybase-patch: a handler exception becomes a failed invocation
        const info = json.__offline_error__ || {}
        const error = new Error(info.errorMessage || "Unhandled Python error")
        error.name = info.errorType || "Error"
        error.stack = (info.stackTrace || []).join("\\n")
        throw error
      } else if (
        json &&
        typeof json === "object" &&
        hasOwn(json, PythonRunner.#payloadIdentifier)
      ) {"""

RUNNER_RUN_OLD = """      this.#handlerProcess.stdout.readline.on("line", onLine)
      this.#handlerProcess.stderr.on("data", onErr)
"""
RUNNER_RUN_NEW = """      const onExit = (code) => {
        // pybase-patch: the Python process died (crash, os._exit): fail this invocation now
        this.#handlerProcess.stdout.readline.removeListener("line", onLine)
        this.#handlerProcess.stderr.removeListener("data", onErr)
        rej(new Error(`Python runtime exited (code ${code})`))
      }
      if (this.#handlerProcess.exitCode !== null || this.#handlerProcess.signalCode !== null) {
        rej(new Error("Python runtime is not running"))
        return
      }
      this.#handlerProcess.once("exit", onExit)
      this.#handlerProcess.stdout.readline.on("line", onLine)
      this.#handlerProcess.stderr.on("data", onErr)
"""

RUNNER_ONLINE_OLD = """          if (parsed) {
            this.#handlerProcess.stdout.readline.removeListener("line", onLine)
            this.#handlerProcess.stderr.removeListener("data", onErr)
            res(parsed)
          }
        } catch (err) {
          rej(err)
        }"""
RUNNER_ONLINE_NEW = """          if (parsed) {
            this.#handlerProcess.stdout.readline.removeListener("line", onLine)
            this.#handlerProcess.stderr.removeListener("data", onErr)
            this.#handlerProcess.removeAllListeners("exit")
            res(parsed)
          }
        } catch (err) {
          // pybase-patch: stop listening once the invocation failed
          this.#handlerProcess.stdout.readline.removeListener("line", onLine)
          this.#handlerProcess.stderr.removeListener("data", onErr)
          this.#handlerProcess.removeAllListeners("exit")
          rej(err)
        }"""

RUNNER_SPAWN_OLD = """        env: assign(process.env, this.#env),
        shell: true,
"""
RUNNER_SPAWN_NEW = """        env: assign(process.env, this.#env),
        // pybase-patch: no shell in between, so stopping the runner stops Python itself
        // (killing the shell left the Python process running, orphaned)
        shell: false,
"""
RUNNER_PAYLOAD_OLD = """        payload = json[PythonRunner.#payloadIdentifier]
"""
RUNNER_PAYLOAD_NEW = """        // pybase-patch: boxed, so a handler returning None still completes
        payload = { value: json[PythonRunner.#payloadIdentifier] }
"""
RUNNER_RES_OLD = """            res(parsed)
"""
RUNNER_RES_NEW = """            res(parsed.value)
"""

HANDLER_OLD = """  cleanup() {
    // TODO console.log('handler runner cleanup')
    return this.#runner.cleanup()
  }"""
HANDLER_NEW = """  cleanup() {
    // pybase-patch: forget the stopped runner so the next invocation starts a fresh one
    const runner = this.#runner
    this.#runner = null
    return runner ? runner.cleanup() : undefined
  }"""

HANDLER_RUN_OLD = """    try {
      return await this.#runner.run(event, context)
    } catch (err) {
      log.error(
"""
HANDLER_RUN_NEW = """    const runner = this.#runner
    try {
      return await runner.run(event, context)
    } catch (err) {
      // pybase-patch: a runtime that died is replaced on the next invocation (only if it is
      // still the current one: a timeout may already have replaced it)
      if (err && String(err.message).startsWith("Python runtime") && this.#runner === runner) {
        this.#runner = null
        runner.cleanup()
      }
      log.error(
"""

EDITS = [
    ("src/lambda/handler-runner/python-runner/invoke.py", [(INVOKE_OLD, INVOKE_NEW)]),
    (
        "src/lambda/handler-runner/python-runner/PythonRunner.js",
        [
            (RUNNER_SPAWN_OLD, RUNNER_SPAWN_NEW),
            (RUNNER_PARSE_OLD, RUNNER_PARSE_NEW),
            (RUNNER_PAYLOAD_OLD, RUNNER_PAYLOAD_NEW),
            (RUNNER_ONLINE_OLD, RUNNER_ONLINE_NEW),
            (RUNNER_RES_OLD, RUNNER_RES_NEW),
            (RUNNER_RUN_OLD, RUNNER_RUN_NEW),
        ],
    ),
    (
        "src/lambda/handler-runner/HandlerRunner.js",
        [(HANDLER_OLD, HANDLER_NEW), (HANDLER_RUN_OLD, HANDLER_RUN_NEW)],
    ),
]


def main() -> int:
    if not PKG.is_dir():
        print("serverless-offline is not installed (run npm ci first)", file=sys.stderr)
        return 1
    for relative, edits in EDITS:
        path = PKG / relative
        text = path.read_text()
        if MARKER in text:
            continue
        for old, new in edits:
            if old not in text:
                print(f"unexpected content in {path}: cannot patch (version changed?)", file=sys.stderr)
                return 1
            text = text.replace(old, new, 1)
        path.write_text(text)
        print(f"patched {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
