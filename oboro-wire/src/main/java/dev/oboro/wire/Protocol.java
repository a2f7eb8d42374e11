package dev.oboro.wire;

/** The AWS wire protocol families. */
public enum Protocol {
    EC2, QUERY, JSON, REST_JSON, REST_XML, RPCV2_CBOR;

    public static Protocol fromModel(String name) {
        return switch (name) {
            case "ec2" -> EC2;
            case "query" -> QUERY;
            case "json" -> JSON;
            case "rest-json" -> REST_JSON;
            case "rest-xml" -> REST_XML;
            case "smithy-rpc-v2-cbor" -> RPCV2_CBOR;
            default -> throw new IllegalArgumentException("unknown protocol " + name);
        };
    }

    public boolean isXmlResponse() {
        return this == EC2 || this == QUERY || this == REST_XML;
    }
}
