package io.llmblender.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (a malformed request line, headers too large, a bad URI) in
 * OpenAI's error JSON instead of Jetty's HTML page, with no stack and no cause.
 */
final class JsonErrorHandler extends ErrorHandler {

    JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
        setShowOrigin(false);
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        ApiError e = code >= 500
                ? ApiError.internal("the server failed to answer")
                : ApiError.protocol(code, "HTTP " + code + (message == null ? "" : ": " + message));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        String body = Json.string(Json.error(e));
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
