package dev.oboro.services.iam;

import java.util.List;
import java.util.Map;

/** What users, groups and roles share: inline policies (name → document) and attached managed policy ARNs. */
interface Principal<P extends Principal<P>> {
    String name();

    Map<String, String> inlinePolicies();

    List<String> attachedPolicies();

    P withInlinePolicies(Map<String, String> policies);

    P withAttachedPolicies(List<String> arns);
}
