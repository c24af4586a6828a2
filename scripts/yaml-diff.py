#!/usr/bin/env python3
"""Differential test of kubectl-irsa's YAML reader against PyYAML.

    scripts/yaml-diff.py DIR_OR_FILE...            # every *.yaml / *.yml under them
    scripts/yaml-diff.py --ours OURS.jsonl DIR...  # our side already computed (the cargo test)

Our side is `target/debug/examples/yaml_json` (`cargo build --example yaml_json` is run first):
one JSON line per file, {"path", "documents", "error"}. PyYAML's side is its composed node graph with every scalar as written (no YAML 1.1 typing, no merge keys: our tree has
neither), so what is compared is the structure and the scalar texts.

Prints one JSON line per disagreement, {"path", "kind", "ours", "pyyaml"}, and a count on stderr.
Exit code 0 whatever was found: the caller decides which disagreements are known.
PyYAML comes from .tools/venv (scripts/install-test-tools.sh); run this with that python.
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
READER = os.path.join(ROOT, "target", "debug", "examples", "yaml_json")
MAX_DEPTH = 256


def yaml_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = sorted(d for d in dirnames if d not in (".git", "node_modules"))
            for name in sorted(filenames):
                if name.endswith((".yaml", ".yml")):
                    yield os.path.join(dirpath, name)


def raw(node, depth=0):
    """A composed node as JSON, every scalar as written (what `Node::to_raw_json` gives)."""
    if depth > MAX_DEPTH:
        raise RecursionError("recursive alias")
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [raw(item, depth + 1) for item in node.value]
    out = {}
    for key, value in node.value:
        k = key.value if isinstance(key, yaml.ScalarNode) else json.dumps(raw(key, depth + 1), separators=(",", ":"))
        out[k] = raw(value, depth + 1)
    return out


def pyyaml_view(path):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return {"documents": None, "error": {"message": str(e), "line": 0}}
    docs = []
    try:
        for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
            docs.append(None if node is None else raw(node))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        return {"documents": docs, "error": {"message": str(e.problem), "line": mark.line + 1 if mark else 0}}
    except (yaml.YAMLError, RecursionError) as e:
        return {"documents": docs, "error": {"message": str(e), "line": 0}}
    return {"documents": docs, "error": None}


def our_views(files, ours_path):
    if ours_path is None:
        subprocess.run(["cargo", "build", "--quiet", "--example", "yaml_json"], cwd=ROOT, check=True)
        run = subprocess.run([READER], input="\n".join(files), capture_output=True, text=True, check=True)
        lines = run.stdout.splitlines()
    else:
        with open(ours_path) as f:
            lines = f.read().splitlines()
    return {r["path"]: r for r in map(json.loads, lines)}


def compare(path, ours, theirs):
    """The disagreement between the two views of one file, or None."""
    if ours is None:
        return {"kind": "not read by ours", "ours": None, "pyyaml": theirs["error"]}
    ours_err, their_err = ours["error"], theirs["error"]
    if (ours_err is None) != (their_err is None):
        kind = "only ours refuses" if ours_err else "only pyyaml refuses"
        return {"kind": kind, "ours": ours_err, "pyyaml": their_err}
    if ours_err is None:
        # A document that is empty is null in PyYAML and an empty plain scalar in ours.
        mine = ["" if d is None else d for d in ours["documents"]]
        them = ["" if d is None else d for d in theirs["documents"]]
        if mine != them:
            return {"kind": "values differ", "ours": first_difference(mine, them), "pyyaml": None}
    return None


def first_difference(a, b, where="$"):
    if type(a) is not type(b):
        return f"{where}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{where}.{k}")
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where}: {json.dumps(a)[:80]} vs {json.dumps(b)[:80]}"


def main(argv):
    ours_path = None
    if argv[:1] == ["--ours"]:
        ours_path, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    files = list(yaml_files(argv))
    ours = our_views(files, ours_path)
    found = 0
    for path in files:
        diff = compare(path, ours.get(path), pyyaml_view(path))
        if diff:
            found += 1
            print(json.dumps({"path": path, **diff}))
    print(f"yaml-diff: {len(files)} files, {found} disagreements", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
