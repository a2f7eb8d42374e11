package dev.oboro.tests.xray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.oboro.services.xray.TraceWriter;
import dev.oboro.tests.support.Cli;
import dev.oboro.tests.support.Oboro;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.BatchGetTracesResponse;
import software.amazon.awssdk.services.xray.model.Edge;
import software.amazon.awssdk.services.xray.model.InvalidRequestException;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.Service;
import software.amazon.awssdk.services.xray.model.TimeRangeType;
import software.amazon.awssdk.services.xray.model.TraceSummary;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final String account = Oboro.newAccount();
    Instant now;
    double t0;
    String okTrace, faultTrace, slowTrace;

    XRayClient xray() {
        return Oboro.client(XRayClient.builder(), account);
    }

    static String id() {
        return TraceWriter.newSegmentId();
    }

    /**
     * Three traces: "shop" calls DynamoDB and then "payments" (200, fast); "shop" fails with a 500
     * (fault) after "payments" throttles; "shop" answers slowly (1.5 s) with an error (404).
     */
    @BeforeEach
    void traces() {
        now = Oboro.server().oboro().clock().instant();
        t0 = now.getEpochSecond() - 30;
        okTrace = TraceWriter.newTraceId(now.minusSeconds(30));
        faultTrace = TraceWriter.newTraceId(now.minusSeconds(20));
        slowTrace = TraceWriter.newTraceId(now.minusSeconds(10));
        String shop1 = id(), call1 = id(), pay1 = id(), ddb = id();
        String shop2 = id(), call2 = id(), pay2 = id();
        String shop3 = id();
        List<String> docs = List.of(
                seg(okTrace, shop1, null, "shop", t0, t0 + 0.2, "\"origin\":\"AWS::EC2::Instance\",\"user\":\"bob\","
                        + "\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"https://shop.example/cart\"},\"response\":{\"status\":200}},"
                        + "\"annotations\":{\"customer\":\"gold\",\"items\":3},"
                        + "\"subsegments\":[{\"id\":\"" + ddb + "\",\"name\":\"DynamoDB\",\"namespace\":\"aws\",\"start_time\":" + (t0 + 0.01) + ",\"end_time\":" + (t0 + 0.05) + "}]"),
                // sent on its own, as SDKs send long subsegments
                "{\"type\":\"subsegment\",\"trace_id\":\"" + okTrace + "\",\"parent_id\":\"" + shop1 + "\",\"id\":\"" + call1
                        + "\",\"name\":\"payments\",\"namespace\":\"remote\",\"start_time\":" + (t0 + 0.06) + ",\"end_time\":" + (t0 + 0.15) + "}",
                seg(okTrace, pay1, call1, "payments", t0 + 0.07, t0 + 0.14, "\"http\":{\"response\":{\"status\":200}}"),

                seg(faultTrace, shop2, null, "shop", t0 + 10, t0 + 10.3, "\"origin\":\"AWS::EC2::Instance\",\"fault\":true,"
                        + "\"http\":{\"request\":{\"method\":\"POST\",\"url\":\"https://shop.example/pay\"},\"response\":{\"status\":500}},"
                        + "\"annotations\":{\"customer\":\"silver\"},"
                        + "\"subsegments\":[{\"id\":\"" + call2 + "\",\"name\":\"payments\",\"namespace\":\"remote\",\"start_time\":" + (t0 + 10.01) + ",\"end_time\":" + (t0 + 10.2) + ",\"error\":true,\"throttle\":true}]"),
                seg(faultTrace, pay2, call2, "payments", t0 + 10.02, t0 + 10.19, "\"error\":true,\"throttle\":true,\"http\":{\"response\":{\"status\":429}}"),

                seg(slowTrace, shop3, null, "shop", t0 + 20, t0 + 21.5, "\"origin\":\"AWS::EC2::Instance\",\"error\":true,"
                        + "\"http\":{\"request\":{\"method\":\"GET\",\"url\":\"https://shop.example/item/9\"},\"response\":{\"status\":404}},"
                        + "\"annotations\":{\"customer\":\"gold\",\"items\":12}"));
        try (XRayClient xray = xray()) {
            PutTraceSegmentsResponse r = xray.putTraceSegments(b -> b.traceSegmentDocuments(docs));
            assertTrue(r.unprocessedTraceSegments().isEmpty(), r.unprocessedTraceSegments().toString());
        }
    }

    static String seg(String trace, String id, String parent, String name, double start, double end, String extra) {
        return "{\"trace_id\":\"" + trace + "\",\"id\":\"" + id + "\"," + (parent == null ? "" : "\"parent_id\":\"" + parent + "\",")
                + "\"name\":\"" + name + "\",\"start_time\":" + start + ",\"end_time\":" + end + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    List<String> summaries(XRayClient xray, String filter) {
        return xray.getTraceSummariesPaginator(r -> r.startTime(now.minusSeconds(120)).endTime(now.plusSeconds(60)).filterExpression(filter))
                .traceSummaries().stream().map(TraceSummary::id).sorted().toList();
    }

    List<String> sorted(String... ids) {
        return java.util.Arrays.stream(ids).sorted().toList();
    }

    @Test
    void filterExpressions() {
        try (XRayClient xray = xray()) {
            assertEquals(sorted(okTrace, faultTrace, slowTrace), summaries(xray, null));
            assertEquals(sorted(okTrace, faultTrace), summaries(xray, "service(\"payments\")"));
            assertEquals(sorted(okTrace), summaries(xray, "service(\"DynamoDB\")"));
            assertEquals(sorted(faultTrace), summaries(xray, "http.status = 500"));
            assertEquals(sorted(faultTrace), summaries(xray, "fault"));
            assertEquals(sorted(faultTrace, slowTrace), summaries(xray, "error"));
            assertEquals(sorted(faultTrace), summaries(xray, "throttle"));
            assertEquals(sorted(okTrace), summaries(xray, "ok"));
            assertEquals(sorted(slowTrace), summaries(xray, "responsetime > 1"));
            assertEquals(sorted(okTrace, slowTrace), summaries(xray, "annotation.customer = \"gold\""));
            assertEquals(sorted(slowTrace), summaries(xray, "annotation.customer = \"gold\" AND annotation.items > 5"));
            assertEquals(sorted(faultTrace, slowTrace), summaries(xray, "http.status = 500 OR responsetime >= 1.4"));
            assertEquals(sorted(okTrace, slowTrace), summaries(xray, "NOT fault"));
            assertEquals(sorted(faultTrace), summaries(xray, "service(\"payments\") { error }"));
            assertEquals(sorted(okTrace), summaries(xray, "http.url CONTAINS \"cart\" && user = \"bob\""));
            assertEquals(sorted(okTrace, faultTrace), summaries(xray, "(fault OR ok) AND http.method BEGINSWITH \"P\" OR annotation[items] = 3"));

            InvalidRequestException bad = org.junit.jupiter.api.Assertions.assertThrows(InvalidRequestException.class,
                    () -> xray.getTraceSummaries(r -> r.startTime(now.minusSeconds(60)).endTime(now).filterExpression("http.status ===")));
            assertEquals(400, bad.statusCode());
        }
    }

    @Test
    void summariesDescribeTheTrace() {
        try (XRayClient xray = xray()) {
            TraceSummary ok = xray.getTraceSummaries(r -> r.startTime(now.minusSeconds(120)).endTime(now.plusSeconds(60))
                    .filterExpression("annotation.items = 3")).traceSummaries().get(0);
            assertEquals(okTrace, ok.id());
            assertEquals(0.2, ok.responseTime(), 0.001);
            assertEquals(0.2, ok.duration(), 0.001);
            assertFalse(ok.hasFault());
            assertEquals(200, ok.http().httpStatus());
            assertEquals("GET", ok.http().httpMethod());
            assertEquals("https://shop.example/cart", ok.http().httpURL());
            assertEquals("gold", ok.annotations().get("customer").get(0).annotationValue().stringValue());
            assertEquals(3.0, ok.annotations().get("items").get(0).annotationValue().numberValue());
            assertEquals("shop", ok.entryPoint().name());
            assertEquals(List.of("bob"), ok.users().stream().map(u -> u.userName()).toList());
            assertTrue(ok.serviceIds().stream().map(s -> s.name()).collect(Collectors.toSet()).containsAll(List.of("shop", "payments", "DynamoDB")));

            // time range by the trace id's time, or by the segments' (Event)
            assertEquals(0, xray.getTraceSummaries(r -> r.startTime(now.plusSeconds(1)).endTime(now.plusSeconds(60))).traceSummaries().size());
            assertEquals(3, xray.getTraceSummaries(r -> r.startTime(now.minusSeconds(40)).endTime(now)
                    .timeRangeType(TimeRangeType.EVENT)).traceSummaries().size());
        }
    }

    @Test
    void batchGetTracesPutsLooseSubsegmentsBackInTheirSegment() throws Exception {
        try (XRayClient xray = xray()) {
            BatchGetTracesResponse r = xray.batchGetTraces(b -> b.traceIds(okTrace, "1-00000000-000000000000000000000000"));
            assertEquals(List.of("1-00000000-000000000000000000000000"), r.unprocessedTraceIds());
            assertEquals(1, r.traces().size());
            assertEquals(2, r.traces().get(0).segments().size());
            JsonNode shop = r.traces().get(0).segments().stream().map(s -> read(s.document()))
                    .filter(d -> d.get("name").asText().equals("shop")).findFirst().orElseThrow();
            List<String> subs = new java.util.ArrayList<>();
            shop.get("subsegments").forEach(s -> subs.add(s.get("name").asText()));
            assertEquals(List.of("DynamoDB", "payments"), subs);
        }
    }

    static JsonNode read(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void serviceGraphHasNodesAndEdges() {
        try (XRayClient xray = xray()) {
            List<Service> services = xray.getServiceGraph(r -> r.startTime(now.minusSeconds(120)).endTime(now.plusSeconds(60))).services();
            Map<String, Service> byName = services.stream().filter(s -> s.name() != null).collect(Collectors.toMap(Service::name, s -> s));
            Service client = services.stream().filter(s -> "client".equals(s.type())).findFirst().orElseThrow();
            Service shop = byName.get("shop"), payments = byName.get("payments"), ddb = byName.get("DynamoDB");
            assertNotNull(shop);
            assertEquals("AWS::EC2::Instance", shop.type());
            assertEquals("AWS::DynamoDB", ddb.type());
            assertTrue(shop.root());
            assertEquals(List.of(shop.referenceId()), client.edges().stream().map(Edge::referenceId).toList());
            assertEquals(3L, shop.summaryStatistics().totalCount());
            assertEquals(1L, shop.summaryStatistics().okCount());
            assertEquals(1L, shop.summaryStatistics().faultStatistics().totalCount());
            assertEquals(1L, shop.summaryStatistics().errorStatistics().otherCount());
            assertEquals(List.of(ddb.referenceId(), payments.referenceId()).stream().sorted().toList(),
                    shop.edges().stream().map(Edge::referenceId).sorted().toList());
            Edge toPayments = shop.edges().stream().filter(e -> e.referenceId().equals(payments.referenceId())).findFirst().orElseThrow();
            assertEquals(2L, toPayments.summaryStatistics().totalCount());
            assertEquals(1L, toPayments.summaryStatistics().errorStatistics().throttleCount());
            assertEquals(2L, payments.summaryStatistics().totalCount());

            List<Service> one = xray.getTraceGraph(r -> r.traceIds(slowTrace)).services();
            assertEquals(2, one.size()); // client -> shop
        }
    }

    @Test
    void badSegmentsComeBackUnprocessed() {
        try (XRayClient xray = xray()) {
            PutTraceSegmentsResponse r = xray.putTraceSegments(b -> b.traceSegmentDocuments(
                    "{not json",
                    "{\"trace_id\":\"nope\",\"id\":\"" + id() + "\",\"name\":\"x\",\"start_time\":1,\"end_time\":2}",
                    "{\"trace_id\":\"" + TraceWriter.newTraceId(now) + "\",\"id\":\"" + id() + "\",\"name\":\"x\",\"start_time\":1}",
                    "{\"trace_id\":\"" + TraceWriter.newTraceId(now) + "\",\"id\":\"" + id() + "\",\"name\":\"x\",\"start_time\":1,\"in_progress\":true}"));
            assertEquals(3, r.unprocessedTraceSegments().size());
            assertEquals("InvalidTraceId", r.unprocessedTraceSegments().get(1).errorCode());
        }
    }

    @Test
    void cliGetTraceSummaries() throws Exception {
        JsonNode out = JSON.readTree(Cli.v2(account, "xray", "get-trace-summaries", "--start-time", Long.toString(now.getEpochSecond() - 120),
                "--end-time", Long.toString(now.getEpochSecond() + 60), "--filter-expression", "fault").ok().stdout());
        assertEquals(1, out.get("TraceSummaries").size());
        assertEquals(faultTrace, out.get("TraceSummaries").get(0).get("Id").asText());
    }
}
