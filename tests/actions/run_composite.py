#!/usr/bin/env python3
"""Runs a composite GitHub Action's steps for real, the way the runner does, and lints workflows.

    run_composite.py run ACTION_DIR --workspace DIR [--input NAME=VALUE]… [--github KEY=VALUE]… --result FILE
    run_composite.py job WORKFLOW JOB --workspace DIR [--github KEY=VALUE]… --result FILE
    run_composite.py lint FILE…

`run` emulates the Actions runner for `using: composite`:
  - inputs: the declared ones only (an undeclared input is an error here; the runner only warns),
    defaults evaluated as expressions (`${{ github.ref_name }}`);
  - every step gets fresh GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV, GITHUB_PATH and GITHUB_STATE
    files; outputs are read back in both `name=value` and `name<<DELIMITER` forms, GITHUB_ENV and
    GITHUB_PATH apply to the later steps; GITHUB_ACTIONS=true, CI=true, GITHUB_WORKSPACE,
    GITHUB_ACTION_PATH, RUNNER_TEMP (a new folder beside the workspace: the caller removes it with
    the workspace's parent), RUNNER_OS, RUNNER_ARCH are set; the working directory is the workspace;
  - `shell: bash` runs `bash --noprofile --norc -eo pipefail FILE` (`sh` → `sh -e FILE`), as the runner;
  - `${{ }}` in `env:`, `with:`, `if:` and the action's `outputs.*.value` is evaluated: contexts
    inputs, steps.<id>.outputs/outcome/conclusion, github (action_path, workspace, sha, ref_name, …),
    runner, env; operators == != < <= > >= && || ! and parentheses with GitHub's loose comparison
    (strings compare case-insensitively), functions success() failure() always() cancelled()
    contains() startsWith() endsWith() format() join() toJSON() fromJSON();
    a `${{ }}` inside `run:` is refused outright — the script-injection rule every action here obeys;
  - `if:` without a status function means `success() && (…)`; a failed step skips the later default
    steps and fails the action (`continue-on-error: true` excepted);
  - `uses:` of a remote action cannot run here (no network): it must be pinned to a 40-hex commit
    SHA, and is recorded as skipped with empty outputs (actions/cache: a cache miss);
  - workflow commands on stdout (::error/::warning/::notice, ::add-mask::) are collected as annotations.
The result (JSON): conclusion, outputs, per-step records (id, outcome, exit code, outputs, summary,
annotations, stdout, stderr), the joined job summary.

`job` runs one job of a workflow the same way in a workspace that stands for the checkout: workflow
and job `env:` (`${{ env.* }}`), `run` steps (no `shell:` → `bash -e`, as on Linux runners), local
actions `uses: ./…` run as above with their `with:`, remote actions recorded with their evaluated
`with:` (actions/checkout's work being the workspace itself). `--github event='{…}'` sets the event,
`--needs JSON` the earlier jobs' outputs, `--vars JSON` the repository variables, and `--artifacts DIR`
makes upload-artifact / download-artifact copy to and from DIR/<name>/ (the artefact store).

`lint` checks workflow and action files for what the schema and zizmor do not: no `${{` in any
`run:`, every remote `uses:` pinned to a commit SHA, `permissions: {}` at the top of workflows and
`permissions` on every job, `persist-credentials: false` on every checkout, and upload-artifact with
`retention-days` and `if-no-files-found: error`.
"""

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

SHA_PIN = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class ActionError(Exception):
    pass


# ---------------------------------------------------------------- expressions


def tokenize(src):
    tokens, i = [], 0
    while i < len(src):
        c = src[i]
        if c.isspace():
            i += 1
        elif c == "'":
            j, buf = i + 1, []
            while True:
                if j >= len(src):
                    raise ActionError(f"unterminated string in expression: {src}")
                if src[j] == "'":
                    if j + 1 < len(src) and src[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(src[j])
                j += 1
            tokens.append(("str", "".join(buf)))
            i = j + 1
        elif src.startswith(("==", "!=", "<=", ">=", "&&", "||"), i):
            tokens.append(("op", src[i : i + 2]))
            i += 2
        elif c in "()[],.!<>*":
            tokens.append(("op", c))
            i += 1
        elif c.isdigit() or (c == "-" and i + 1 < len(src) and src[i + 1].isdigit()):
            m = re.match(r"-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)", src[i:])
            text = m.group(0)
            tokens.append(("num", float(int(text, 16)) if "x" in text else float(text)))
            i += len(text)
        elif c.isalpha() or c == "_":
            m = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", src[i:])
            tokens.append(("id", m.group(0)))
            i += len(m.group(0))
        else:
            raise ActionError(f"unexpected {c!r} in expression: {src}")
    return tokens


def to_str(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, indent=2)
    return str(v)


def truthy(v):
    if v is None or v is False:
        return False
    if isinstance(v, float):
        return v != 0 and v == v
    if isinstance(v, str):
        return v != ""
    return True


def to_num(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return 0.0
        try:
            return float(int(s, 16)) if s.lower().startswith("0x") else float(s)
        except ValueError:
            return float("nan")
    return float("nan")


def loose_eq(a, b):
    if type(a) is type(b) or (a is None and b is None):
        if isinstance(a, str):
            return a.casefold() == b.casefold()
        return a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return to_num(a) == to_num(b)


def compare(a, b, op):
    if isinstance(a, str) and isinstance(b, str):
        x, y = a.casefold(), b.casefold()
    else:
        x, y = to_num(a), to_num(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


class Expr:
    def __init__(self, src, ctx, status):
        self.toks, self.pos, self.ctx, self.status = tokenize(src), 0, ctx, status
        self.src = src

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else (None, None)

    def take(self, kind=None, value=None):
        tok = self.peek()
        if tok[0] is None or (kind and tok[0] != kind) or (value and tok[1] != value):
            raise ActionError(f"expected {value or kind} at token {self.pos} in: {self.src}")
        self.pos += 1
        return tok

    def parse(self):
        v = self.or_()
        if self.pos != len(self.toks):
            raise ActionError(f"trailing tokens in expression: {self.src}")
        return v

    def or_(self):
        v = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            rhs = self.and_()
            v = v if truthy(v) else rhs
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            rhs = self.cmp()
            v = rhs if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            rhs = self.unary()
            if op == "==":
                v = loose_eq(v, rhs)
            elif op == "!=":
                v = not loose_eq(v, rhs)
            else:
                v = compare(v, rhs, op)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.postfix()

    def postfix(self):
        v = self.primary()
        while True:
            if self.peek() == ("op", "."):
                self.take()
                name = self.take("id")[1]
                v = v.get(name) if isinstance(v, dict) else None
            elif self.peek() == ("op", "["):
                self.take()
                key = self.or_()
                self.take("op", "]")
                if isinstance(v, dict):
                    v = v.get(to_str(key))
                elif isinstance(v, list) and isinstance(key, float) and 0 <= key < len(v):
                    v = v[int(key)]
                else:
                    v = None
            else:
                return v

    def primary(self):
        kind, val = self.take()
        if kind in ("str", "num"):
            return val
        if (kind, val) == ("op", "("):
            v = self.or_()
            self.take("op", ")")
            return v
        if kind == "id":
            if val in ("true", "false"):
                return val == "true"
            if val == "null":
                return None
            if self.peek() == ("op", "("):
                self.take()
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.or_())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take("op", ")")
                return self.call(val, args)
            if val not in self.ctx:
                raise ActionError(f"unknown context {val!r} in: {self.src}")
            return self.ctx[val]
        raise ActionError(f"unexpected {val!r} in expression: {self.src}")

    def call(self, name, args):
        n = name.lower()
        if n == "success":
            return self.status == "success"
        if n == "failure":
            return self.status == "failure"
        if n == "always":
            return True
        if n == "cancelled":
            return False
        if n == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(loose_eq(x, needle) for x in hay)
            return to_str(needle).casefold() in to_str(hay).casefold()
        if n == "startswith":
            return to_str(args[0]).casefold().startswith(to_str(args[1]).casefold())
        if n == "endswith":
            return to_str(args[0]).casefold().endswith(to_str(args[1]).casefold())
        if n == "format":
            out = to_str(args[0])
            for i, a in enumerate(args[1:]):
                out = out.replace("{" + str(i) + "}", to_str(a))
            return out
        if n == "join":
            sep = to_str(args[1]) if len(args) > 1 else ","
            return sep.join(to_str(x) for x in args[0]) if isinstance(args[0], list) else to_str(args[0])
        if n == "tojson":
            return json.dumps(args[0], indent=2)
        if n == "fromjson":
            return json.loads(to_str(args[0]))
        raise ActionError(f"function {name}() is not supported by this harness")


def evaluate(src, ctx, status="success"):
    return Expr(src, ctx, status).parse()


def interpolate(value, ctx, status="success"):
    """A string with ${{ }} parts, as the runner renders it (a lone expression keeps its type)."""
    if not isinstance(value, str):
        return value
    m = EXPR.fullmatch(value.strip())
    if m and "}}" not in m.group(1):
        return to_str(evaluate(m.group(1), ctx, status))
    return EXPR.sub(lambda m: to_str(evaluate(m.group(1), ctx, status)), value)


def condition(expr, ctx, status):
    if expr is None:
        expr = "success()"
    if isinstance(expr, bool):
        expr = "true" if expr else "false"
    expr = str(expr).strip()
    m = EXPR.fullmatch(expr)
    if m and "}}" not in m.group(1):
        expr = m.group(1).strip()
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", expr):
        expr = f"success() && ({expr})"
    return truthy(evaluate(expr, ctx, status))


# ---------------------------------------------------------------- runner files


def parse_kv_file(path):
    """GITHUB_OUTPUT / GITHUB_ENV: `name=value` lines and `name<<DELIM` … `DELIM` blocks."""
    out = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line == "":
            continue
        heredoc = line.find("<<")
        equals = line.find("=")
        if heredoc > 0 and (equals < 0 or heredoc < equals):
            name, delim = line[:heredoc], line[heredoc + 2 :]
            if not delim:
                raise ActionError(f"{path}: empty heredoc delimiter for {name}")
            body = []
            while True:
                if i >= len(lines):
                    raise ActionError(f"{path}: no closing delimiter {delim!r} for {name}")
                if lines[i] == delim:
                    i += 1
                    break
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif equals > 0:
            out[line[:equals]] = line[equals + 1 :]
        else:
            raise ActionError(f"{path}: malformed line {line!r}")
    return out


COMMAND = re.compile(r"^::([a-z-]+)( [^:]*)?::(.*)$")


def unescape(s):
    return s.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def annotations(stdout):
    found = []
    for line in stdout.splitlines():
        m = COMMAND.match(line)
        if not m or m.group(1) not in ("error", "warning", "notice"):
            continue
        props = {}
        for part in (m.group(2) or "").strip().split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                props[k.strip()] = unescape(v.replace("%3A", ":").replace("%2C", ","))
        found.append({"level": m.group(1), **props, "message": unescape(m.group(3))})
    return found


# ---------------------------------------------------------------- the runner


def default_github(workspace, github_extra):
    github = {
        "workspace": workspace,
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "ref": "refs/tags/v1.4.0",
        "ref_name": "v1.4.0",
        "ref_type": "tag",
        "repository": "example/infusion-pump",
        "event_name": "push",
        "event": {},
        "run_id": "1",
        "run_number": "1",
        "server_url": "https://github.com",
        "token": "",
    }
    for k, v in github_extra.items():
        github[k] = json.loads(v) if k == "event" else v
    return github


def runner_env(workspace, github, temp):
    env = dict(os.environ)
    env.update(
        {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": workspace,
            "GITHUB_SHA": github["sha"],
            "GITHUB_REF": github["ref"],
            "GITHUB_REF_NAME": github["ref_name"],
            "GITHUB_REPOSITORY": github["repository"],
            "GITHUB_EVENT_NAME": github["event_name"],
            "RUNNER_TEMP": temp,
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
        }
    )
    return env


def run_steps(steps, ctx, base_env, scope_env, workspace, temp, in_composite, shared):
    """Runs steps as the runner does; returns (status, records). `scope_env`: workflow + job `env:`
    (jobs) — evaluated already; `shared`: GITHUB_ENV / GITHUB_PATH state of the job."""
    status = "success"
    records = []
    for index, step in enumerate(steps or []):
        sid = step.get("id") or f"__step{index}"
        record = {"id": sid, "name": step.get("name"), "uses": step.get("uses")}
        records.append(record)
        ctx["env"] = {**scope_env, **shared["env"]}
        if not condition(step.get("if"), ctx, status):
            record["outcome"] = "skipped"
            ctx["steps"][sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            continue
        with_ = {k: interpolate(to_str(v), ctx, status) for k, v in (step.get("with") or {}).items()}
        if "uses" in step:
            uses = step["uses"]
            if uses.startswith("./") and not in_composite:
                nested = run_action(os.path.join(workspace, uses), workspace, with_, ctx["github"], shared)
                outcome = nested["conclusion"]
                record.update(
                    {
                        "with": with_,
                        "outcome": outcome,
                        "outputs": nested["outputs"],
                        "summary": nested["summary"],
                        "annotations": nested["annotations"],
                        "steps": nested["steps"],
                    }
                )
            elif uses.startswith("./") or uses.startswith("docker://"):
                raise ActionError(f"step {sid}: `uses: {uses}` inside a composite is not supported here")
            elif not SHA_PIN.match(uses):
                raise ActionError(f"step {sid}: `uses: {uses}` is not pinned to a commit SHA")
            else:
                # A remote action cannot run here (no network): recorded with its inputs, no outputs;
                # with --artifacts, upload-artifact and download-artifact use that folder as the store.
                record.update({"with": with_, "outcome": "skipped-remote"})
                artefact_store(uses, with_, workspace, ctx)
                ctx["steps"][sid] = {"outputs": {}, "outcome": "success", "conclusion": "success"}
                continue
        else:
            script = step.get("run")
            if script is None:
                raise ActionError(f"step {sid}: neither run nor uses")
            if "${{" in script:
                raise ActionError(f"step {sid}: `${{{{ }}}}` inside run: (inputs must reach scripts through env:)")
            shell = step.get("shell")
            if not shell and in_composite:
                raise ActionError(f"step {sid}: composite run steps need `shell:`")
            files = {}
            step_dir = tempfile.mkdtemp(prefix=f"step-{index}-", dir=temp)
            for var in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"):
                files[var] = os.path.join(step_dir, var.lower())
                open(files[var], "w").close()
            env = dict(base_env)
            env.update(scope_env)
            env.update(shared["env"])
            if shared["path"]:
                env["PATH"] = os.pathsep.join(reversed(shared["path"])) + os.pathsep + env.get("PATH", "")
            step_env = {k: interpolate(to_str(v), ctx, status) for k, v in (step.get("env") or {}).items()}
            env.update(step_env)
            env.update(files)
            env["GITHUB_ACTION"] = sid
            script_path = os.path.join(step_dir, "script")
            with open(script_path, "w", encoding="utf-8") as f:
                f.write(script)
            if shell is None:  # a workflow step without shell: on Linux, `bash -e {0}` (no pipefail)
                argv = ["bash", "-e", script_path]
            elif shell == "bash":
                argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", script_path]
            elif shell == "sh":
                argv = ["sh", "-e", script_path]
            elif shell == "python":
                argv = [sys.executable, script_path]
            else:
                raise ActionError(f"step {sid}: shell {shell!r} not supported here")
            cwd = os.path.join(workspace, interpolate(step.get("working-directory", ""), ctx, status))
            proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            outputs = parse_kv_file(files["GITHUB_OUTPUT"])
            shared["env"].update(parse_kv_file(files["GITHUB_ENV"]))
            with open(files["GITHUB_PATH"], encoding="utf-8") as f:
                shared["path"].extend(p for p in f.read().splitlines() if p)
            with open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8") as f:
                summary = f.read()
            outcome = "success" if proc.returncode == 0 else "failure"
            record.update(
                {
                    "outcome": outcome,
                    "exit": proc.returncode,
                    "env": step_env,
                    "outputs": outputs,
                    "summary": summary,
                    "annotations": annotations(proc.stdout),
                    "stdout": proc.stdout,
                    "stderr": proc.stderr,
                }
            )
        outcome = record["outcome"]
        conclusion = "success" if outcome == "success" or step.get("continue-on-error") is True else "failure"
        if conclusion == "failure":
            status = "failure"
            ctx["job"]["status"] = "failure"
        ctx["steps"][sid] = {"outputs": record.get("outputs", {}), "outcome": outcome, "conclusion": conclusion}
    return status, records


def flatten(records, key):
    out = []
    for r in records:
        if key == "summary" and r.get("summary"):
            out.append(r["summary"])
        elif key == "annotations":
            out.extend(r.get("annotations", []))
    return out


def run_action(action_dir, workspace, given_inputs, github_extra, shared=None):
    action_dir = os.path.abspath(action_dir)
    workspace = os.path.abspath(workspace)
    path = os.path.join(action_dir, "action.yml")
    if not os.path.exists(path):
        path = os.path.join(action_dir, "action.yaml")
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        raise ActionError(f"{path}: not a composite action")

    temp = tempfile.mkdtemp(prefix="runner-temp-", dir=os.path.dirname(workspace))
    # Top level: the harness's github context; nested in a job: the job's.
    github = dict(github_extra) if shared is not None else default_github(workspace, github_extra)
    github["action_path"] = action_dir
    runner = {"os": "Linux", "arch": "X64", "temp": temp, "name": "harness"}
    ctx = {"github": github, "runner": runner, "env": {}, "steps": {}, "job": {"status": "success"}}

    declared = action.get("inputs") or {}
    unknown = sorted(set(given_inputs) - set(declared))
    if unknown:
        raise ActionError(f"{path}: inputs not declared by the action: {', '.join(unknown)}")
    inputs = {}
    for name, spec in declared.items():
        spec = spec or {}
        if name in given_inputs:
            inputs[name] = given_inputs[name]
        else:
            inputs[name] = to_str(interpolate(to_str(spec.get("default", "")), ctx))
    ctx["inputs"] = inputs

    base_env = runner_env(workspace, github, temp)
    base_env["GITHUB_ACTION_PATH"] = action_dir
    shared = shared if shared is not None else {"env": {}, "path": []}
    status, records = run_steps(runs.get("steps"), ctx, base_env, {}, workspace, temp, True, shared)
    outputs = {}
    for name, spec in (action.get("outputs") or {}).items():
        outputs[name] = to_str(interpolate(to_str((spec or {}).get("value", "")), ctx, status))
    return {
        "conclusion": status,
        "inputs": inputs,
        "outputs": outputs,
        "steps": records,
        "summary": "\n".join(flatten(records, "summary")),
        "annotations": flatten(records, "annotations"),
    }


def artefact_store(uses, with_, workspace, ctx):
    """`--artifacts DIR`: upload-artifact copies each path (a folder's content, a file by its name)
    to DIR/<name>/; download-artifact copies DIR/<name>/ to `path` (relative to the workspace)."""
    store = ctx.get("artifacts")
    if not store:
        return
    name = with_.get("name", "")
    at = lambda p: p if os.path.isabs(p) else os.path.join(workspace, p)
    if uses.startswith("actions/upload-artifact@"):
        dest = os.path.join(store, name)
        os.makedirs(dest, exist_ok=True)
        paths = [at(p) for p in filter(None, (line.strip() for line in with_.get("path", "").splitlines()))]
        paths = [p for p in paths if os.path.exists(p)]
        if not paths:
            return
        # As upload-artifact: paths are kept relative to their least common ancestor.
        root = os.path.commonpath(paths) if len(paths) > 1 else paths[0]
        root = root if os.path.isdir(root) else os.path.dirname(root)
        for p in paths:
            target = os.path.join(dest, os.path.relpath(p, root))
            if os.path.isdir(p):
                shutil.copytree(p, target, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(p, target)
    elif uses.startswith("actions/download-artifact@"):
        dest = at(with_.get("path") or ".")
        if with_.get("pattern"):
            # As download-artifact: each match into path/<name>/, or all into path with merge-multiple.
            names = sorted(n for n in os.listdir(store) if fnmatch.fnmatchcase(n, with_["pattern"]))
            merge = str(with_.get("merge-multiple", "false")).lower() == "true"
            for n in names:
                target = dest if merge else os.path.join(dest, n)
                shutil.copytree(os.path.join(store, n), target, dirs_exist_ok=True)
            return
        source = os.path.join(store, name)
        if not os.path.isdir(source):
            raise ActionError(f"download-artifact: no artefact {name!r} in {store}")
        shutil.copytree(source, dest, dirs_exist_ok=True)


def run_job(workflow_path, job_id, workspace, github_extra, needs=None, artifacts=None, vars_=None):
    """One job of a workflow, in `workspace` (already the checkout): `run` steps, local actions
    (`uses: ./…`, run as above), remote actions recorded with their inputs (actions/checkout's
    work is the workspace itself)."""
    workspace = os.path.abspath(workspace)
    with open(workflow_path, encoding="utf-8") as f:
        workflow = yaml.safe_load(f)
    job = (workflow.get("jobs") or {}).get(job_id)
    if job is None:
        raise ActionError(f"{workflow_path}: no job {job_id}")
    temp = tempfile.mkdtemp(prefix="runner-temp-", dir=os.path.dirname(workspace))
    github = default_github(workspace, github_extra)
    runner = {"os": "Linux", "arch": "X64", "temp": temp, "name": "harness"}
    ctx = {"github": github, "runner": runner, "env": {}, "steps": {}, "job": {"status": "success"},
           "needs": needs or {}, "vars": vars_ or {}, "artifacts": artifacts}
    scope_env = {}
    for level in (workflow.get("env") or {}, job.get("env") or {}):
        ctx["env"] = dict(scope_env)
        scope_env.update({k: to_str(interpolate(to_str(v), ctx)) for k, v in level.items()})
    if job.get("if") is not None and not condition(job.get("if"), ctx, "success"):
        return {"conclusion": "skipped", "outputs": {}, "steps": [], "summary": "", "annotations": []}
    shared = {"env": {}, "path": []}
    status, records = run_steps(
        job.get("steps"), ctx, runner_env(workspace, github, temp), scope_env, workspace, temp, False, shared
    )
    outputs = {k: to_str(interpolate(to_str(v), ctx, status)) for k, v in (job.get("outputs") or {}).items()}
    return {
        "conclusion": status,
        "outputs": outputs,
        "steps": records,
        "summary": "\n".join(flatten(records, "summary")),
        "annotations": flatten(records, "annotations"),
    }


# ---------------------------------------------------------------- lint


def lint(paths):
    problems = []

    def check_steps(where, steps):
        for i, step in enumerate(steps or []):
            label = f"{where}: step {step.get('id') or step.get('name') or i}"
            script = step.get("run")
            if isinstance(script, str) and "${{" in script:
                problems.append(f"{label}: `${{{{ }}}}` inside run: (pass it through env:)")
            uses = step.get("uses")
            if uses and not uses.startswith("./") and not SHA_PIN.match(uses):
                problems.append(f"{label}: `uses: {uses}` is not pinned to a 40-hex commit SHA")
            name = (uses or "").split("@")[0]
            w = step.get("with") or {}
            if name == "actions/checkout" and w.get("persist-credentials") is not False:
                problems.append(f"{label}: actions/checkout without persist-credentials: false")
            if name == "actions/upload-artifact":
                if "retention-days" not in w:
                    problems.append(f"{label}: upload-artifact without retention-days")
                if w.get("if-no-files-found") != "error":
                    problems.append(f"{label}: upload-artifact without if-no-files-found: error")

    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        if "runs" in doc:
            check_steps(path, (doc.get("runs") or {}).get("steps"))
            continue
        if doc.get("permissions") != {}:
            problems.append(f"{path}: the workflow must start from `permissions: {{}}`")
        for job_id, job in (doc.get("jobs") or {}).items():
            if "permissions" not in job:
                problems.append(f"{path}: job {job_id} must grant its own permissions")
            check_steps(f"{path}: job {job_id}", job.get("steps"))
    return problems


def main(argv):
    if len(argv) >= 2 and argv[1] == "lint":
        problems = lint(argv[2:])
        for p in problems:
            print(p)
        return 1 if problems else 0
    if len(argv) < 3 or argv[1] not in ("run", "job"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, target, rest = argv[1], argv[2], argv[3:]
    job_id = None
    if mode == "job":
        if not rest:
            print("job needs WORKFLOW JOB", file=sys.stderr)
            return 2
        job_id, rest = rest[0], rest[1:]
    workspace, result, inputs, github, needs, artifacts, vars_ = None, None, {}, {}, {}, None, {}
    args = iter(rest)
    for a in args:
        if a == "--workspace":
            workspace = next(args)
        elif a == "--needs":
            needs = json.loads(next(args))
        elif a == "--vars":
            vars_ = json.loads(next(args))
        elif a == "--artifacts":
            artifacts = os.path.abspath(next(args))
        elif a == "--result":
            result = next(args)
        elif a in ("--input", "--github"):
            k, _, v = next(args).partition("=")
            (inputs if a == "--input" else github)[k] = v
        else:
            print(f"unknown argument {a}", file=sys.stderr)
            return 2
    if not workspace or not result:
        print("--workspace and --result are required", file=sys.stderr)
        return 2
    try:
        if mode == "run":
            outcome = run_action(target, workspace, inputs, github)
        else:
            outcome = run_job(target, job_id, workspace, github, needs, artifacts, vars_)
    except ActionError as e:
        print(f"harness: {e}", file=sys.stderr)
        return 2
    with open(result, "w", encoding="utf-8") as f:
        json.dump(outcome, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
