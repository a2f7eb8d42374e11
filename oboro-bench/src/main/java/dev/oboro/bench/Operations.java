package dev.oboro.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The catalogue of operations {@code --ops} can name. Adding one is one line: build its request with
 * {@link RequestTemplate#awsQuery}, {@link RequestTemplate#awsJson} or {@link RequestTemplate#awsRest}.
 */
final class Operations {
    private Operations() {
    }

    static final Map<String, RequestTemplate> ALL = new LinkedHashMap<>();

    static {
        ALL.put("sts", RequestTemplate.awsQuery("sts", "GetCallerIdentity", "2011-06-15", null,
                "GetCallerIdentityResponse"));
        ALL.put("ec2", RequestTemplate.awsQuery("ec2", "DescribeAvailabilityZones", "2016-11-15", null,
                "us-east-1a"));
        ALL.put("ec2-regions", RequestTemplate.awsQuery("ec2", "DescribeRegions", "2016-11-15", null,
                "regionName"));
        ALL.put("kms", RequestTemplate.awsJson("kms", "TrentService.ListKeys", "1.1", "{}", "Keys"));
        ALL.put("sfn", RequestTemplate.awsJson("states", "AWSStepFunctions.ListStateMachines", "1.0", "{}",
                "stateMachines"));
        ALL.put("lambda", RequestTemplate.awsRest("lambda", "ListFunctions", "GET", "/2015-03-31/functions/",
                null, null, "Functions"));
        ALL.put("route53", RequestTemplate.awsRest("route53", "ListHostedZones", "GET", "/2013-04-01/hostedzone",
                null, null, "HostedZones"));
        // A mutating call: every request creates a new zone, so it also measures durable writes.
        ALL.put("route53-create", RequestTemplate.awsRest("route53", "CreateHostedZone", "POST",
                "/2013-04-01/hostedzone", "application/xml",
                "<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                        + "<Name>bench-" + RequestTemplate.SEQ + ".example.com</Name>"
                        + "<CallerReference>bench-" + RequestTemplate.SEQ + "</CallerReference>"
                        + "</CreateHostedZoneRequest>", "HostedZone"));
        ALL.put("health", RequestTemplate.get("oboro:health", "/_oboro/health", null));
    }

    static RequestTemplate named(String name) {
        RequestTemplate t = ALL.get(name);
        if (t == null) throw new IllegalArgumentException("unknown operation '" + name + "'; known: " + ALL.keySet());
        return t;
    }
}
