package io.llmblender.spring;

import io.llmblender.core.llm.LlmClient;
import io.llmblender.openai.OpenAiCompatibleClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The upstream LLMs made from {@code blender.llms}, in order, with the model each asks. The context closes them
 * when it closes (they hold HTTP clients). Immutable; the clients are thread-safe.
 */
public final class BlenderUpstreams implements AutoCloseable {

    private final List<LlmClient> clients;
    private final Map<String, String> models;

    /**
     * Wraps clients the app made itself.
     *
     * @param clients the clients, in order; closed with this object when they are {@link AutoCloseable}
     * @param models client name to model name, for observations
     */
    public BlenderUpstreams(List<? extends LlmClient> clients, Map<String, String> models) {
        this.clients = List.copyOf(clients);
        this.models = Map.copyOf(models);
    }

    /**
     * The clients, in the order of {@code blender.llms}.
     *
     * @return an unmodifiable list
     */
    public List<LlmClient> clients() {
        return clients;
    }

    /**
     * Client name to the model it asks.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> models() {
        return models;
    }

    /**
     * The endpoint of each OpenAI-compatible client, for the health probe.
     *
     * @return client name to its chat-completions URI, in order
     */
    List<Map.Entry<String, URI>> endpoints() {
        List<Map.Entry<String, URI>> out = new ArrayList<>();
        for (LlmClient c : clients) {
            if (c instanceof OpenAiCompatibleClient o) {
                out.add(Map.entry(o.name(), o.endpoint()));
            }
        }
        return out;
    }

    /**
     * Closes every client that is {@link AutoCloseable}, in reverse order; idempotent as the clients are.
     *
     * @throws IllegalStateException if a client failed to close (the others are closed all the same)
     */
    @Override
    public void close() {
        IllegalStateException failure = null;
        for (int i = clients.size() - 1; i >= 0; i--) {
            if (clients.get(i) instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    IllegalStateException f = new IllegalStateException(
                            "closing LLM client '" + clients.get(i).name() + "' failed", e);
                    if (failure == null) {
                        failure = f;
                    } else {
                        failure.addSuppressed(f);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        clients.forEach(c -> names.add(Objects.toString(c.name())));
        return "BlenderUpstreams" + names;
    }
}
