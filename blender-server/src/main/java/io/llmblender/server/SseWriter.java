package io.llmblender.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * Writes one response as a server-sent event stream, blocking until each event is handed to the
 * connection, so that a client that went away is seen at the next write (an {@link IOException}).
 * The headers go with the first event. Not thread-safe: one request thread writes.
 */
final class SseWriter {

    private final Response response;
    private final Runnable beforeDone;
    private boolean started;
    private boolean finished;

    /**
     * @param response the response to write
     * @param beforeDone run once before {@code [DONE]} is written: what the request holds (its key's concurrency
     *     slot) is released before the client can see the end and send its next request
     */
    SseWriter(Response response, Runnable beforeDone) {
        this.response = response;
        this.beforeDone = beforeDone;
    }

    /** Commits status 200 and the headers with an SSE comment. */
    void start(Map<String, String> headers) throws IOException {
        if (started) {
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        started = true;
        write(": blender\n\n", false);
    }

    boolean started() {
        return started;
    }

    boolean finished() {
        return finished;
    }

    /** An SSE comment: keeps proxies and clients from timing out while nothing else is sent. */
    void comment() throws IOException {
        write(": keep-alive\n\n", false);
    }

    void data(ObjectNode event) throws IOException {
        write("data: " + Json.string(event) + "\n\n", false);
    }

    /** Ends the stream as OpenAI does. */
    void done() throws IOException {
        if (!finished) {
            beforeDone.run();
        }
        finished = true;
        write("data: [DONE]\n\n", true);
    }

    private void write(String text, boolean last) throws IOException {
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), cb);
            cb.block();
        }
    }
}
