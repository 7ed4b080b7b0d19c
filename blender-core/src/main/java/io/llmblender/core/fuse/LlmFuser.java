package io.llmblender.core.fuse;

import io.llmblender.core.check.Require;
import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fuser that asks an LLM to write the final answer from the ranked candidates, in the style of
 * Mixture-of-Agents' aggregator. Needs no native code: any {@link LlmClient} can fuse.
 *
 * <p>The LLM receives a system message ({@link #DEFAULT_SYSTEM_PROMPT} unless replaced) and one
 * user message made from a template ({@link #DEFAULT_TEMPLATE} unless replaced) with two
 * placeholders:
 * <ul>
 *   <li>{@code {task}}: the prompt's {@link Prompt#task() task}, its instruction and input
 *       separated by a newline when both are present;</li>
 *   <li>{@code {candidates}}: the candidates best first, each as {@code "Answer k:\n<text>"}
 *       (k from 1), separated by blank lines.</li>
 * </ul>
 * Placeholders are substituted in one pass, so candidate text that itself contains
 * {@code {task}} is left alone.
 *
 * <pre>{@code
 * Fuser fuser = LlmFuser.builder(judgeClient).build();
 * Fusion f = fuser.fuse(Prompt.of("Name a prime."), List.of("7", "9 is prime"));
 * }</pre>
 *
 * <p>Immutable and thread-safe if its client is. It does not own its client: {@link #close()}
 * does nothing.
 */
public final class LlmFuser implements Fuser {

    /** The system message sent by default. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You merge several answers to the same task into one"
            + " better answer. The answers come from different assistants and are listed from the most to the"
            + " least preferred by a ranking model. Keep what is correct and useful, fix what is wrong, remove"
            + " repetition, and follow the task's own instructions on format. Reply with the final answer only,"
            + " without mentioning the other answers.";

    /** The user message template used by default. */
    public static final String DEFAULT_TEMPLATE =
            "Task:\n{task}\n\nAnswers, best first:\n\n{candidates}\n\nWrite the final answer to the task.";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(task|candidates)\\}");

    private final LlmClient client;
    private final String systemPrompt;
    private final String template;

    private LlmFuser(Builder builder) {
        this.client = builder.client;
        this.systemPrompt = builder.systemPrompt != null ? builder.systemPrompt : DEFAULT_SYSTEM_PROMPT;
        this.template = builder.template != null ? builder.template : DEFAULT_TEMPLATE;
    }

    /**
     * Starts a builder.
     *
     * @param client the LLM that writes the fused answer
     * @return a new builder with the default prompts
     */
    public static Builder builder(LlmClient client) {
        return new Builder(client);
    }

    /**
     * {@code "llm:"} followed by the client's name.
     *
     * @return the name
     */
    @Override
    public String name() {
        return "llm:" + client.name();
    }

    /**
     * Asks the LLM to fuse the candidates.
     *
     * @param prompt what the candidates answer
     * @param ranked the candidates, best first, at least one
     * @return the fusion; its token count is the completion tokens the provider reported
     * @throws LlmCallException if the LLM call fails or answers nothing
     */
    @Override
    public Fusion fuse(Prompt prompt, List<String> ranked) {
        Prompt request = Prompt.of(userMessage(prompt, ranked)).withSystem(systemPrompt);
        Generation g = client.generate(request);
        if (g == null) {
            throw new LlmCallException(client.name(), "returned no generation to fuse with");
        }
        return Fusion.ofLlmCall(name(), ranked.size(), client.name(), g);
    }

    /**
     * The user message this fuser sends for a prompt and its candidates.
     *
     * @param prompt what the candidates answer
     * @param ranked the candidates, best first, at least one
     * @return the message text
     * @throws IllegalArgumentException if there is no candidate
     */
    public String userMessage(Prompt prompt, List<String> ranked) {
        Require.nonNull(prompt, "prompt");
        Require.nonNull(ranked, "ranked");
        if (ranked.isEmpty()) {
            throw new IllegalArgumentException("ranked must hold at least one candidate");
        }
        StringBuilder candidates = new StringBuilder();
        for (int k = 0; k < ranked.size(); k++) {
            if (k > 0) {
                candidates.append("\n\n");
            }
            candidates
                    .append("Answer ")
                    .append(k + 1)
                    .append(":\n")
                    .append(Require.nonNull(ranked.get(k), "ranked[" + k + "]"));
        }
        String task = prompt.task();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(1).equals("task") ? task : candidates.toString();
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return "LlmFuser[" + client.name() + "]";
    }

    /**
     * Configures an {@link LlmFuser}. Not thread-safe.
     *
     * <p>Each setter may be called at most once; a second call throws {@link IllegalStateException}
     * naming the setting and both values (Caffeine style). The value is validated first: an invalid
     * value is refused with its own exception even on a second call.
     */
    public static final class Builder {

        private final LlmClient client;
        private String systemPrompt;
        private String template;

        private Builder(LlmClient client) {
            this.client = Require.nonNull(client, "client");
        }

        /**
         * The system message. Default: {@link #DEFAULT_SYSTEM_PROMPT}.
         *
         * @param systemPrompt the text, not blank
         * @return this builder
         * @throws IllegalStateException if called a second time
         */
        public Builder systemPrompt(String systemPrompt) {
            Require.nonBlank(systemPrompt, "systemPrompt");
            Require.unset(this.systemPrompt, "systemPrompt", systemPrompt, Require::quote);
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * The user message template. Default: {@link #DEFAULT_TEMPLATE}. Must contain
         * {@code {candidates}}; may contain {@code {task}}.
         *
         * @param template the template
         * @return this builder
         * @throws IllegalArgumentException if the template lacks {@code {candidates}}
         * @throws IllegalStateException if called a second time
         */
        public Builder template(String template) {
            Require.nonBlank(template, "template");
            if (!template.contains("{candidates}")) {
                throw new IllegalArgumentException(
                        "template must contain {candidates}, found " + Require.quote(template));
            }
            Require.unset(this.template, "template", template, Require::quote);
            this.template = template;
            return this;
        }

        /**
         * Makes the fuser.
         *
         * @return the fuser
         */
        public LlmFuser build() {
            return new LlmFuser(this);
        }
    }
}
