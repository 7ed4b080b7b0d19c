package io.llmblender.server;

/**
 * An error a request caused or met, answered in OpenAI's error shape
 * {@code {"error":{"message","type","param","code"}}} with its HTTP status. Thrown inside the
 * request handling and caught once at its top; never escapes the server. Immutable.
 */
final class ApiError extends RuntimeException {

    final int status;
    final String type;
    final String param;
    final String code;
    final String retryAfterSeconds;

    private ApiError(int status, String type, String param, String code, String message, String retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: the request is malformed or breaks a rule; {@code param} names the field, or null. */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, "invalid_value", message, null);
    }

    /** 401: no key, or a key that matches none configured. */
    static ApiError unauthorized(String message) {
        return new ApiError(401, "authentication_error", null, "invalid_api_key", message, null);
    }

    /** 403: a valid key not allowed to use this model. */
    static ApiError forbidden(String param, String message) {
        return new ApiError(403, "permission_error", param, "model_not_allowed", message, null);
    }

    /** 404: no such path or model. */
    static ApiError notFound(String param, String code, String message) {
        return new ApiError(404, "not_found_error", param, code, message, null);
    }

    /** 405: a known path asked with the wrong method. */
    static ApiError methodNotAllowed(String message) {
        return new ApiError(405, "invalid_request_error", null, "method_not_allowed", message, null);
    }

    /** 408: the request (its body) did not arrive in time. */
    static ApiError requestTimeout(String message) {
        return new ApiError(408, "invalid_request_error", null, "request_timeout", message, null);
    }

    /** 413: the body is larger than the limit. */
    static ApiError tooLarge(String message) {
        return new ApiError(413, "invalid_request_error", null, "request_too_large", message, null);
    }

    /** 415: the body is not JSON. */
    static ApiError unsupportedMediaType(String message) {
        return new ApiError(415, "invalid_request_error", null, "unsupported_media_type", message, null);
    }

    /** 429: too many requests of this key at once; retry after the given seconds. */
    static ApiError tooMany(String message, int retryAfterSeconds) {
        return new ApiError(
                429, "rate_limit_error", null, "rate_limit_exceeded", message, Integer.toString(retryAfterSeconds));
    }

    /** 502: no upstream LLM answered. */
    static ApiError upstream(String message) {
        return new ApiError(502, "upstream_error", null, "no_answer", message, null);
    }

    /** 503: the server is stopping or not ready. */
    static ApiError unavailable(String message) {
        return new ApiError(503, "server_error", null, "unavailable", message, null);
    }

    /** 504: the request deadline passed. */
    static ApiError deadline(String message) {
        return new ApiError(504, "timeout_error", null, "deadline_exceeded", message, null);
    }

    /** A status Jetty itself answered (a malformed request, headers too large): {@code code} is {@code http_<status>}. */
    static ApiError protocol(int status, String message) {
        return new ApiError(status, "invalid_request_error", null, "http_" + status, message, null);
    }

    /** 500: a fault of the server itself; the message says no more than that. */
    static ApiError internal(String message) {
        return new ApiError(500, "server_error", null, "internal_error", message, null);
    }
}
