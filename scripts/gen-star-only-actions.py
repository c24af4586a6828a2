#!/usr/bin/env python3
"""Regenerate src/rules/data/star_only_actions.txt: the IAM actions that have no resource type
(AWS only authorizes them on "Resource": "*") and change something (access level Write,
Permissions management or Tagging; reads on "*" are never flagged), lower-cased, one per line.

Source: the AWS Service Authorization Reference pages that salesforce/policy_sentry (MIT) keeps
under policy_sentry/shared/data/docs/list_*.html.

Usage: scripts/gen-star-only-actions.py PATH-TO-policy_sentry-CHECKOUT [COMMIT] > src/rules/data/star_only_actions.txt
With COMMIT, the pages are read with `git show COMMIT:...` (works on a bare clone).
"""
import html.parser
import pathlib
import re
import subprocess
import sys

DOCS = "policy_sentry/shared/data/docs"

# The services pod roles (EKS add-ons and common workloads) use; the table covers only these,
# and the rule treats other services' actions as having resources.
SERVICES = sorted("""
acm appmesh aps autoscaling backup cloudformation cloudwatch cognito-idp dynamodb ebs ec2 ecr
ecr-public eks elasticache elasticfilesystem elasticloadbalancing es events firehose fsx
globalaccelerator iam kinesis kms lambda logs pricing rds route53 s3 secretsmanager
servicediscovery shield sns sqs ssm sts tag waf-regional wafv2 xray
""".split())


class Page(html.parser.HTMLParser):
    """Collects, per action of the actions table, whether any of its rows names a resource type."""

    def __init__(self):
        super().__init__()
        self.prefix = None
        self.in_code = False
        self.after_prefix_text = False
        self.actions = {}  # name -> has a resource type
        self.levels = {}  # name -> access level (List, Read, Write, Permissions management, Tagging)
        self.current = None  # action of the rows being read
        self.rows_left = 0
        self.cell = -1  # index of the td in the current row (in the action's own columns)
        self.in_table = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "code" and self.after_prefix_text and self.prefix is None:
            self.in_code = True
        if tag == "tr":
            self.cell = -1
        if tag == "td":
            self.cell += 1
            ident = a.get("id") or ""
            if self.in_table and self.cell == 0 and "-" in ident:
                self.current = ident.split("-", 1)[1]
                self.rows_left = int(a.get("rowspan", "1"))
                self.actions.setdefault(self.current, False)
                self.first_row = True
        if tag == "td" and self.current is not None and self.first_row and self.cell == 2:
            self.reading_level = True
        if tag == "a" and self.current is not None:
            # First row: columns 0..5 (resource types is 3); later rows: 0..2 (resource is 0).
            resource_col = 3 if self.first_row else 0
            if self.cell == resource_col and a.get("href", "").startswith("#"):
                self.actions[self.current] = True

    def handle_endtag(self, tag):
        if tag == "code":
            self.in_code = False
        if tag == "tr" and self.current is not None:
            self.rows_left -= 1
            self.first_row = False
            if self.rows_left <= 0:
                self.current = None
        if tag == "table":
            self.in_table = False
            self.current = None
            self.rows_left = 0

    def handle_data(self, data):
        if self.lasttag == "th" and data.strip() == "Actions":
            self.in_table = True  # the actions table (resource and condition tables follow)
        if getattr(self, "reading_level", False) and data.strip():
            self.levels[self.current] = data.strip()
            self.reading_level = False
        if "service prefix:" in data:
            self.after_prefix_text = True
        if self.in_code and self.prefix is None and data.strip():
            self.prefix = data.strip()


def pages(root, commit):
    if commit:
        names = subprocess.run(
            ["git", "-C", root, "ls-tree", "--name-only", f"{commit}:{DOCS}"],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        for n in sorted(names):
            if n.startswith("list_") and n.endswith(".html") and ".partial." not in n:
                yield n, subprocess.run(
                    ["git", "-C", root, "show", f"{commit}:{DOCS}/{n}"],
                    check=True, capture_output=True, text=True,
                ).stdout
    else:
        for p in sorted(pathlib.Path(root, DOCS).glob("list_*.html")):
            if ".partial." not in p.name:
                yield p.name, p.read_text()


def main():
    root = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else None
    out = set()
    for _, text in pages(root, commit):
        page = Page()
        page.feed(text)
        if page.prefix not in SERVICES:
            continue
        for action, has_resource in page.actions.items():
            if page.levels.get(action) in ("List", "Read"):
                continue
            if not has_resource and re.fullmatch(r"[A-Za-z0-9_]+", action):
                out.add(f"{page.prefix}:{action}".lower())
    rev = commit or "working tree"
    print("# IAM actions that change something (access level Write, Permissions management, Tagging)")
    print("# and have no resource type: AWS authorizes them only on \"Resource\": \"*\".")
    print("# Derived from the AWS Service Authorization Reference pages kept by salesforce/policy_sentry")
    print(f"# (MIT licence), policy_sentry/shared/data/docs/list_*.html at commit {rev}.")
    print("# Regenerate: scripts/gen-star-only-actions.py PATH-TO-policy_sentry [COMMIT]")
    print("# services: " + " ".join(SERVICES))
    for line in sorted(out):
        print(line)


if __name__ == "__main__":
    main()
