package io.llmblender.langchain4j;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on loopback that speaks just enough of the OpenAI chat-completions API:
 * {@code POST /chat/completions} is answered by a function of the request; every request is kept.
 */
final class FakeOpenAiServer implements AutoCloseable {

    /** What the server received. */
    record Received(String method, String path, String authorization, String contentType, String body) {
    }

    /** What the server answers. */
    record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Reply> responder = r -> new Reply(500, "{}");

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** The base URL to give a model: requests go to {@code baseUrl() + "/chat/completions"}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void respond(Function<Received, Reply> responder) {
        this.responder = responder;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Received r = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            received.add(r);
            Reply reply = "POST".equals(r.method()) && "/chat/completions".equals(r.path())
                    ? responder.apply(r)
                    : new Reply(404, "{\"error\":{\"message\":\"no route\"}}");
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** An OpenAI-shaped chat completion. */
    static String completion(String model, String content, String finishReason, int promptTokens,
            int completionTokens) {
        return "{\"id\":\"chatcmpl-test-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + content + "\"},\"finish_reason\":\"" + finishReason + "\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
