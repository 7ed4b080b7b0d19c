package io.llmblender.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmblender.openai.OpenAiCompatibleClient;
import io.llmblender.testkit.LengthRanker;
import io.llmblender.testkit.LoopbackOpenAiServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated request bodies: the server answers each with 200 or a 4xx in OpenAI's error shape, never a
 * 5xx, never a stack trace.
 */
class RandomBodiesPropertiesTest {

    static final String VALID = "{\"model\":\"blend\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Name a colour.\"}]}],"
            + "\"temperature\":0.5,\"max_tokens\":20,\"stream\":false,\"user\":\"u1\",\"stop\":[\"\\n\"]}";
    static final String[] FIELDS = {
        "model",
        "messages",
        "role",
        "content",
        "stream",
        "temperature",
        "top_p",
        "n",
        "max_tokens",
        "stop",
        "user",
        "seed",
        "tools",
        "logprobs",
        "response_format",
        "stream_options",
        "blender",
        "type",
        "text",
        "details",
        "include_usage",
        "max_completion_tokens"
    };

    static LoopbackOpenAiServer upstream;
    static OpenAiCompatibleClient client;
    static BlenderServer server;

    @BeforeContainer
    static void start() throws Exception {
        upstream = Fixtures.upstream("alpha", "Blue.", 2, 1);
        client = Fixtures.client("alpha", upstream);
        server = BlenderServer.builder()
                .upstream(client)
                .ranker(new LengthRanker())
                .port(0)
                .limits(ServerLimits.builder()
                        .maxBodyBytes(64 * 1024)
                        .maxTextChars(5_000)
                        .build())
                .start();
    }

    @AfterContainer
    static void stop() {
        server.close();
        client.close();
        upstream.close();
    }

    @Property(tries = 250)
    void mutatedValidRequest_is200Or4xxInTheErrorShape(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        JsonNode tree = Fixtures.JSON.readTree(VALID);
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            tree = mutateTree(tree, random);
        }
        String body = tree.toString();
        if (random.nextInt(4) == 0) {
            body = mutateText(body, random);
        }
        check(body);
    }

    @net.jqwik.api.Example
    void seedThatStreamed() throws Exception {
        mutatedValidRequest_is200Or4xxInTheErrorShape(-1361L);
    }

    @Property(tries = 150)
    void randomJson_is200Or4xxInTheErrorShape(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        check(randomValue(random, 0).toString());
    }

    private static void check(String body) throws Exception {
        Fixtures.Reply r = Fixtures.post(server, "/v1/chat/completions", body);
        net.jqwik.api.statistics.Statistics.collect(r.status() == 200 ? "200" : Integer.toString(r.status()));
        assertThat(r.status())
                .as(body)
                .satisfiesAnyOf(
                        s -> assertThat(s).isEqualTo(200), s -> assertThat(s).isBetween(400, 499));
        assertThat(r.body()).as(body).doesNotContain("Exception").doesNotContain("\tat ");
        boolean stream = r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream");
        if (r.status() == 200 && stream) {
            // a mutation may turn "stream" on: then the answer is an SSE stream ending in [DONE]
            assertThat(r.body()).as(body).contains("Blue").endsWith("data: [DONE]\n\n");
        } else if (r.status() == 200) {
            assertThat(r.json()
                            .get("choices")
                            .get(0)
                            .get("message")
                            .get("content")
                            .asText())
                    .isEqualTo("Blue.");
        } else {
            Fixtures.error(r);
        }
    }

    /** Replaces, removes or adds one value somewhere in the tree. */
    private static JsonNode mutateTree(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        if (target instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            switch (random.nextInt(3)) {
                case 0 -> {
                    if (!names.isEmpty()) {
                        o.remove(names.get(random.nextInt(names.size())));
                    }
                }
                case 1 -> {
                    if (!names.isEmpty()) {
                        o.set(names.get(random.nextInt(names.size())), randomValue(random, 2));
                    }
                }
                default -> o.set(FIELDS[random.nextInt(FIELDS.length)], randomValue(random, 2));
            }
        } else if (target instanceof ArrayNode a) {
            if (a.size() > 0 && random.nextBoolean()) {
                a.remove(random.nextInt(a.size()));
            } else {
                a.add(randomValue(random, 2));
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.elements().forEachRemaining(c -> collect(c, out));
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = random.nextInt(depth > 3 ? 6 : 8);
        switch (kind) {
            case 0:
                return f.nullNode();
            case 1:
                return f.booleanNode(random.nextBoolean());
            case 2:
                return f.numberNode(random.nextInt(7) - 2);
            case 3:
                return f.numberNode(random.nextDouble() * 4 - 1);
            case 4:
                return f.textNode(randomText(random));
            case 5:
                return f.textNode(List.of("user", "assistant", "system", "tool", "blend", "alpha", "text")
                        .get(random.nextInt(7)));
            case 6: {
                ArrayNode a = f.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    a.add(randomValue(random, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = f.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    o.set(FIELDS[random.nextInt(FIELDS.length)], randomValue(random, depth + 1));
                }
                return o;
            }
        }
    }

    private static String randomText(Random random) {
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            sb.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x3000) : 'a' + random.nextInt(26));
        }
        return sb.toString();
    }

    /** Deletes, inserts or swaps characters of the text itself: broken JSON. */
    private static String mutateText(String body, Random random) {
        StringBuilder sb = new StringBuilder(body);
        for (int i = 1 + random.nextInt(3); i > 0 && sb.length() > 0; i--) {
            int at = random.nextInt(sb.length());
            switch (random.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, "{}[]\",:\\x0".charAt(random.nextInt(10)));
                default -> sb.setCharAt(at, (char) random.nextInt(128));
            }
        }
        return sb.toString();
    }
}
