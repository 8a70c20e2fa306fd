#!/usr/bin/env python3
"""Checks the files under deploy/ without a cluster or a container engine: every YAML file parses,
the Kubernetes and Testkube objects have the fields their APIs require, the shard counts agree
within each file (an Indexed Job's completions, its `--shard auto/N` and the merge's list of
reports), and the pods run as non-root. With kubectl installed and a cluster answering, it also
runs `kubectl apply --dry-run=client --validate=false` on the manifests; kubectl needs a cluster's
API to map kinds even for a client-side dry run, so without one that part is skipped, and said.

usage: python3 deploy/check.py   (needs PyYAML)
"""

import pathlib
import re
import shutil
import subprocess
import sys

import yaml

DEPLOY = pathlib.Path(__file__).resolve().parent
problems = []


def check(condition, message):
    if not condition:
        problems.append(message)


def documents(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def shard_count(args):
    """N of the `--shard K/N` in a list of arguments."""
    for flag, value in zip(args, args[1:]):
        if flag == "--shard":
            return value.split("/")[-1]
    return None


def pod_is_non_root(spec, where):
    context = spec.get("securityContext", {})
    check(context.get("runAsNonRoot") is True, f"{where}: runAsNonRoot is not set")
    check(context.get("runAsUser", 0) != 0, f"{where}: runs as root")


def kubernetes():
    jobs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in documents(path):
            where = f"{path.name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
            for key in ("apiVersion", "kind", "metadata", "spec"):
                check(key in doc, f"{where}: no {key}")
            if doc.get("kind") == "Job":
                jobs[doc["metadata"]["name"]] = doc
                pod = doc["spec"]["template"]["spec"]
                check(pod.get("restartPolicy") in ("Never", "OnFailure"),
                      f"{where}: a Job's pods need restartPolicy Never or OnFailure")
                pod_is_non_root(pod, where)
    shards, merge = jobs.get("baton-shards"), jobs.get("baton-merge")
    check(shards is not None and merge is not None, "kubernetes: no baton-shards or baton-merge Job")
    if shards and merge:
        spec = shards["spec"]
        check(spec.get("completionMode") == "Indexed", "baton-shards is not an Indexed Job")
        args = spec["template"]["spec"]["containers"][0]["args"]
        n = shard_count(args)
        check(n == str(spec.get("completions")),
              f"baton-shards: --shard auto/{n} but completions is {spec.get('completions')}")
        check(any("$(JOB_COMPLETION_INDEX)" in a for a in args),
              "baton-shards: the report path does not name the pod's index")
        reports = [a for a in merge["spec"]["template"]["spec"]["containers"][0]["args"]
                   if re.fullmatch(r"/reports/shard-\d+\.json", a)]
        check(len(reports) == spec.get("completions"),
              f"baton-merge merges {len(reports)} reports of {spec.get('completions')} shards")


def testkube():
    for path in sorted((DEPLOY / "testkube").glob("*.yaml")):
        for doc in documents(path):
            where = f"{path.name}: {doc.get('kind')}"
            check(doc.get("apiVersion") == "testworkflows.testkube.io/v1", f"{where}: apiVersion")
            check(doc.get("kind") == "TestWorkflow", f"{where}: not a TestWorkflow")
            steps = doc["spec"]["steps"]
            parallel = [s["parallel"] for s in steps if "parallel" in s]
            check(len(parallel) == 1, f"{where}: no parallel step")
            if parallel:
                n = parallel[0].get("count")
                reports = [a for s in steps for a in s.get("run", {}).get("args", [])
                           if re.fullmatch(r"reports/shard-\d+\.json", a)]
                check(len(reports) == n, f"{where}: merges {len(reports)} reports of {n} workers")
            check(doc["spec"]["container"]["securityContext"].get("runAsNonRoot") is True,
                  f"{where}: runAsNonRoot is not set")


def github():
    doc = documents(DEPLOY / "github-actions.yml")[0]
    shards = doc["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    run = " ".join(s.get("run", "") for s in doc["jobs"]["shard"]["steps"])
    check(f"/{len(shards)} " in run, f"github-actions.yml: a matrix of {len(shards)} but not /{len(shards)}")
    check(doc["jobs"]["merge"]["needs"] == "shard", "github-actions.yml: merge does not need shard")


def gitlab():
    doc = documents(DEPLOY / "gitlab-ci.yml")[0]
    check(isinstance(doc["api-tests"].get("parallel"), int), "gitlab-ci.yml: no parallel:")
    check("$CI_NODE_INDEX/$CI_NODE_TOTAL" in " ".join(doc["api-tests"]["script"]),
          "gitlab-ci.yml: the shard is not CI_NODE_INDEX/CI_NODE_TOTAL")


def dockerfile():
    text = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM ", text, re.M)
    check(len(stages) >= 2, "Dockerfile: not multi-stage")
    users = re.findall(r"^USER (\S+)", text, re.M)
    check(bool(users) and not users[-1].startswith(("0", "root")), "Dockerfile: runs as root")


def kubectl_dry_run():
    if not shutil.which("kubectl"):
        return "kubectl is not installed: dry run skipped"
    reachable = subprocess.run(["kubectl", "version", "--request-timeout=3s"],
                               capture_output=True, text=True)
    if reachable.returncode != 0:
        return "kubectl reaches no cluster API (it needs one to map kinds): dry run skipped"
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        run = subprocess.run(["kubectl", "apply", "--dry-run=client", "--validate=false",
                              "-f", str(path)], capture_output=True, text=True)
        check(run.returncode == 0, f"kubectl apply --dry-run=client {path.name}: {run.stderr.strip()}")
    return "kubectl apply --dry-run=client accepted the manifests"


def main():
    for part in (kubernetes, testkube, github, gitlab, dockerfile):
        try:
            part()
        except (KeyError, IndexError, TypeError, yaml.YAMLError) as error:
            problems.append(f"{part.__name__}: unexpected shape: {error!r}")
    note = kubectl_dry_run()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"deploy/: {'problems found' if problems else 'ok'}; {note}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
