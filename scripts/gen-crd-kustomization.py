#!/usr/bin/env python3
"""A kustomize tree whose build fails offline (a remote base) and that lists N CustomResourceDefinitions
of ~50 KB each (2,000: 100 MB), plus one ServiceAccount whose 5-digit account is the one finding.

    scripts/gen-crd-kustomization.py DIR [N]
"""
import os, sys
out = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
os.makedirs(f"{out}/crds", exist_ok=True)
props = "".join(f"""                field{j}:
                  type: string
                  description: "{'x' * 60}"
""" for j in range(330))
res = ["https://github.com/acme/platform//base?ref=v1.0.0"]
for i in range(n):
    name = f"widget{i}s.example{i}.acme.io"
    with open(f"{out}/crds/crd-{i:04}.yaml", "w") as f:
        f.write(f"""apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {name}
spec:
  group: example{i}.acme.io
  names: {{kind: Widget{i}, plural: widget{i}s}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
{props}""")
    res.append(f"crds/crd-{i:04}.yaml")
with open(f"{out}/serviceaccount.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: carts\n  namespace: shop\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::12345:role/carts\n")
res.append("serviceaccount.yaml")
with open(f"{out}/kustomization.yaml", "w") as f:
    f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + "".join(f"  - {r}\n" for r in res))
