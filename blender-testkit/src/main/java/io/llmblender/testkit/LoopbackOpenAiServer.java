package io.llmblender.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real HTTP server on loopback that speaks the chat-completions wire format with scripted
 * replies, and records every request. Replies are taken in order; the last one repeats.
 */
public final class LoopbackOpenAiServer implements AutoCloseable {

    /** What the server received. */
    public record Request(String method, String path, Map<String, List<String>> headers, String body) {
        /** The first value of a header, case-insensitively, or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** One scripted reply. */
    @FunctionalInterface
    public interface Reply {
        void write(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Deque<Reply> replies = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile Function<Request, Reply> responder;
    private volatile boolean recording = true;

    public LoopbackOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL to give a client, ending in /v1. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /**
     * Answers every request by a function of it instead of the script, for replies that depend on
     * the request (the model asked for, the body).
     */
    public LoopbackOpenAiServer answering(Function<Request, Reply> responder) {
        this.responder = responder;
        return this;
    }

    /**
     * Whether {@link #requests()} keeps every request (the default). Turn it off for long load and soak runs, where
     * the kept bodies would grow the heap being measured.
     */
    public LoopbackOpenAiServer recording(boolean keep) {
        this.recording = keep;
        return this;
    }

    /** Adds replies to the script. */
    public synchronized LoopbackOpenAiServer reply(Reply... next) {
        replies.addAll(List.of(next));
        return this;
    }

    /** Every request received, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Request request = new Request(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getPath(),
                Map.copyOf(exchange.getRequestHeaders()),
                body);
        if (recording) {
            requests.add(request);
        }
        Reply reply;
        if (responder != null) {
            reply = responder.apply(request);
        } else {
            synchronized (this) {
                reply = replies.size() > 1 ? replies.poll() : replies.peek();
            }
        }
        try {
            if (reply == null) {
                json(500, "{\"error\":{\"message\":\"no reply scripted\"}}").write(exchange);
            } else {
                reply.write(exchange);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exchange.close();
        }
    }

    // ------------------------------------------------------------------ replies

    /** A JSON answer with a status and optional header pairs. */
    public static Reply json(int status, String body, String... headerPairs) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                exchange.getResponseHeaders().set(headerPairs[i], headerPairs[i + 1]);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        };
    }

    /** A chat completion in OpenAI's shape. */
    public static Reply completion(String content, String finishReason, int promptTokens, int completionTokens) {
        return json(200, completionJson("gpt-4o-mini", content, finishReason, promptTokens, completionTokens));
    }

    /** The JSON body of a chat completion in OpenAI's shape, from the given model. */
    public static String completionJson(
            String model, String content, String finishReason, int promptTokens, int completionTokens) {
        return "{\"id\":\"chatcmpl-abc123\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":" + quote(model) + ",\"system_fingerprint\":\"fp_44709d6fcb\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":" + quote(content) + ",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}],\"usage\":{\"prompt_tokens\":"
                + promptTokens + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                + (promptTokens + completionTokens) + "}}";
    }

    /** A server-sent event stream of the given data payloads, then [DONE] when {@code done}. */
    public static Reply sse(boolean done, String... dataPayloads) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (String data : dataPayloads) {
                out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (done) {
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
            out.close();
        };
    }

    /** Answers {@code reply} after a pause. */
    public static Reply delayed(long millis, Reply reply) {
        return exchange -> {
            Thread.sleep(millis);
            reply.write(exchange);
        };
    }

    /** Starts a stream, sends one chunk, then stays silent until the server closes. */
    public Reply sseThenStall(String dataPayload) {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(("data: " + dataPayload + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            release.await(30, TimeUnit.SECONDS);
        };
    }

    /** Closes the connection without answering. */
    public static Reply reset() {
        return exchange -> exchange.getHttpContext().getServer(); // handle() closes the exchange unanswered
    }

    /** Holds the request open, answering nothing, until the server closes. */
    public Reply hang() {
        return exchange -> release.await(30, TimeUnit.SECONDS);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
