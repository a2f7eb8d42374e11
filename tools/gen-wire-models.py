#!/usr/bin/env python3
"""Generate Oboro's wire side table from the AWS service models (botocore data files).

The AWS SDK for Java v2 model classes carry each member's wire name and location, but not
everything the server side of a protocol needs. This script extracts the rest, per service:

  - protocol family, JSON version, target prefix, signing name, API version, XML namespace
  - per operation: HTTP method and URI template, success status code (201/202/204...),
    query result wrapper, rest-xml root element names, paginator (tokens, page-size key and
    its bounds, result key)
  - per error shape: wire code (awsQueryError code where the model gives one), HTTP status,
    sender/receiver fault
  - per input structure: required members, and for input members: min/max bounds, string
    patterns, enum values (used to answer AWS validation errors for bad input)

Input: ../shared/aws-models/<service>/<api-version>/{service-2.json.gz,paginators-1.json}
       (botocore 1.43.11 data files, Apache-2.0).
Output: oboro-wire/src/main/resources/dev/oboro/wire/models/<service>.json and index.json.
Run from the repo root:  python3 tools/gen-wire-models.py [--shared ../shared]
The output is committed; regenerate when the models change.
"""
import argparse, gzip, json, os, sys

# botocore service directory -> AWS SDK for Java v2 package (software.amazon.awssdk.services.<pkg>)
SDK_PACKAGES = {
    "apigateway": "apigateway", "appsync": "appsync", "autoscaling": "autoscaling", "batch": "batch",
    "cloudfront": "cloudfront", "cloudtrail": "cloudtrail", "cloudwatch": "cloudwatch",
    "cognito-idp": "cognitoidentityprovider", "dlm": "dlm", "dynamodb": "dynamodb", "ebs": "ebs",
    "ec2": "ec2", "ecs": "ecs", "efs": "efs", "elasticbeanstalk": "elasticbeanstalk",
    "elbv2": "elasticloadbalancingv2", "events": "eventbridge", "iam": "iam", "kms": "kms",
    "lambda": "lambda", "logs": "cloudwatchlogs", "route53": "route53", "s3": "s3", "sns": "sns",
    "sqs": "sqs", "stepfunctions": "sfn", "sts": "sts", "swf": "swf", "xray": "xray",
}


def load_model(shared, svc):
    base = os.path.join(shared, "aws-models", svc)
    versions = sorted(v for v in os.listdir(base) if os.path.isdir(os.path.join(base, v)))
    vdir = os.path.join(base, versions[-1])
    with gzip.open(os.path.join(vdir, "service-2.json.gz"), "rt") as f:
        model = json.load(f)
    pag = {}
    for p in (os.path.join(vdir, "paginators-1.json"), os.path.join(base, "paginators-1.json")):
        if os.path.exists(p):
            with open(p) as f:
                pag = json.load(f).get("pagination", {})
            break
    return model, pag


def input_constraints(model, op_inputs):
    """Required members, bounds and enums of every structure reachable from operation inputs."""
    shapes = model["shapes"]
    out, enums, seen = {}, {}, set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        s = shapes[name]
        t = s["type"]
        if t == "structure":
            entry = {}
            if s.get("required"):
                entry["required"] = s["required"]
            members = {}
            for mname, ref in s.get("members", {}).items():
                target = shapes[ref["shape"]]
                c = {}
                if target["type"] in ("string", "blob", "list", "map"):
                    if "min" in target and target["min"] > 0:
                        c["minLen"] = target["min"]
                    if "max" in target:
                        c["maxLen"] = target["max"]
                    if target["type"] == "string" and "pattern" in target:
                        c["pattern"] = target["pattern"]
                elif target["type"] in ("integer", "long", "double", "float"):
                    if "min" in target:
                        c["min"] = target["min"]
                    if "max" in target:
                        c["max"] = target["max"]
                if "enum" in target:
                    c["enum"] = ref["shape"]
                    enums[ref["shape"]] = target["enum"]
                if c:
                    members[mname] = c
                visit(ref["shape"])
            if members:
                entry["members"] = members
            if entry:
                out[name] = entry
        elif t == "list":
            visit(s["member"]["shape"])
        elif t == "map":
            visit(s["key"]["shape"])
            visit(s["value"]["shape"])

    for n in op_inputs:
        visit(n)
    return out, enums


def bounds(model, input_shape, member):
    if not input_shape or not member:
        return None
    ref = model["shapes"][input_shape].get("members", {}).get(member)
    if not ref:
        return None
    t = model["shapes"][ref["shape"]]
    b = {}
    if "min" in t:
        b["min"] = t["min"]
    if "max" in t:
        b["max"] = t["max"]
    return b or None


def generate(shared, svc):
    model, pag = load_model(shared, svc)
    md = model["metadata"]
    out = {
        "name": svc,
        "sdkPackage": "software.amazon.awssdk.services." + SDK_PACKAGES[svc],
        "serviceId": md.get("serviceId"),
        "apiVersion": md["apiVersion"],
        "protocol": md["protocol"],
        "protocols": md.get("protocols", [md["protocol"]]),
        "signingName": md.get("signingName") or md["endpointPrefix"],
        "endpointPrefix": md["endpointPrefix"],
    }
    for k in ("targetPrefix", "jsonVersion", "xmlNamespace", "globalEndpoint"):
        if md.get(k):
            out[k] = md[k]
    if "xmlNamespace" not in out and md["protocol"] == "rest-xml":
        # rest-xml models put the namespace on operation inputs rather than in the metadata
        for op in model["operations"].values():
            ns = op.get("input", {}).get("xmlNamespace", {}).get("uri")
            if ns:
                out["xmlNamespace"] = ns
                break
    if "awsQueryCompatible" in md:
        out["queryCompatible"] = True
    ops = {}
    op_inputs = []
    for name, op in sorted(model["operations"].items()):
        http = op.get("http", {})
        o = {"method": http.get("method", "POST"), "uri": http.get("requestUri", "/")}
        if http.get("responseCode", 200) != 200:
            o["code"] = http["responseCode"]
        inp, outp = op.get("input"), op.get("output")
        if inp:
            o["input"] = inp["shape"]
            op_inputs.append(inp["shape"])
            if "locationName" in inp:
                o["inputRoot"] = inp["locationName"]
        if outp:
            o["output"] = outp["shape"]
            if "resultWrapper" in outp:
                o["resultWrapper"] = outp["resultWrapper"]
            oshape = model["shapes"][outp["shape"]]
            payload = oshape.get("payload")
            if payload:
                pref = oshape["members"][payload]
                o["outputPayload"] = payload
                o["outputRoot"] = pref.get("locationName") or model["shapes"][pref["shape"]].get("locationName") or pref["shape"]
            else:
                o["outputRoot"] = outp.get("locationName") or oshape.get("locationName") or outp["shape"]
        if op.get("deprecated"):
            o["deprecated"] = True
        if name in pag:
            p = pag[name]
            pe = {}
            for k in ("input_token", "output_token", "limit_key", "more_results", "result_key"):
                if k in p:
                    pe[k] = p[k]
            b = bounds(model, o.get("input"), p.get("limit_key"))
            if b:
                pe["limit_bounds"] = b
            o["paginator"] = pe
        ops[name] = o
    out["operations"] = ops
    errors = {}
    for sname, s in sorted(model["shapes"].items()):
        if not s.get("exception"):
            continue
        e = s.get("error", {})
        entry = {"code": e.get("code", sname), "status": e.get("httpStatusCode", 400 if not s.get("fault") else 500)}
        if s.get("fault"):
            entry["fault"] = "Receiver"
        errors[sname] = entry
    out["errors"] = errors
    cons, enums = input_constraints(model, op_inputs)
    out["inputs"] = cons
    out["enums"] = enums
    return out


def main():
    ap = argparse.ArgumentParser()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(root, "oboro-wire/src/main/resources/dev/oboro/wire/models"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    index = []
    for svc in sorted(os.listdir(os.path.join(a.shared, "aws-models"))):
        if svc not in SDK_PACKAGES:
            print("skipping unknown service", svc, file=sys.stderr)
            continue
        g = generate(a.shared, svc)
        with open(os.path.join(a.out, svc + ".json"), "w") as f:
            json.dump(g, f, separators=(",", ":"), sort_keys=True)
        idx = {k: g[k] for k in ("name", "sdkPackage", "protocol", "protocols", "signingName", "endpointPrefix", "apiVersion") if k in g}
        if "targetPrefix" in g:
            idx["targetPrefix"] = g["targetPrefix"]
        index.append(idx)
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump({"source": "botocore 1.43.11 data files (Apache-2.0)", "services": index}, f, separators=(",", ":"), sort_keys=True, indent=0)
    print("wrote", len(index), "services to", a.out)


if __name__ == "__main__":
    main()
