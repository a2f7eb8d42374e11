package dev.oboro.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * What Oboro needs to know about one AWS service's wire protocol that the SDK model classes do
 * not carry. Generated from the botocore service models by {@code tools/gen-wire-models.py}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServiceModel(
        String name,
        String sdkPackage,
        String serviceId,
        String apiVersion,
        String protocol,
        List<String> protocols,
        String signingName,
        String endpointPrefix,
        String targetPrefix,
        String jsonVersion,
        String xmlNamespace,
        boolean queryCompatible,
        Map<String, Operation> operations,
        Map<String, ErrorShape> errors,
        Map<String, InputShape> inputs,
        Map<String, List<String>> enums) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Operation(
            String method,
            String uri,
            Integer code,
            String input,
            String output,
            String resultWrapper,
            String inputRoot,
            String outputRoot,
            String outputPayload,
            Paginator paginator) {
        public int successCode() {
            return code == null ? 200 : code;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Paginator(
            @JsonProperty("input_token") Object inputToken,
            @JsonProperty("output_token") Object outputToken,
            @JsonProperty("limit_key") String limitKey,
            @JsonProperty("more_results") String moreResults,
            @JsonProperty("result_key") Object resultKey,
            @JsonProperty("limit_bounds") Map<String, Long> limitBounds) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ErrorShape(String code, int status, String fault) {
        public boolean senderFault() {
            return fault == null;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InputShape(List<String> required, Map<String, Constraint> members) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Constraint(Long minLen, Long maxLen, Double min, Double max, @JsonProperty("enum") String enumName,
                             String pattern) {
    }

    public Operation operation(String name) {
        return operations.get(name);
    }

    public Protocol defaultProtocol() {
        return Protocol.fromModel(protocol);
    }

    /** The error shape for a wire code or shape name, or null. */
    public ErrorShape error(String codeOrShape) {
        ErrorShape e = errors.get(codeOrShape);
        if (e != null) return e;
        for (ErrorShape s : errors.values()) {
            if (s.code().equals(codeOrShape)) return s;
        }
        return null;
    }

    /** The shape name of the error whose wire code (or shape name) is given, or null. */
    public String errorShapeName(String codeOrShape) {
        if (errors.containsKey(codeOrShape)) return codeOrShape;
        for (Map.Entry<String, ErrorShape> e : errors.entrySet()) {
            if (e.getValue().code().equals(codeOrShape)) return e.getKey();
        }
        return null;
    }
}
