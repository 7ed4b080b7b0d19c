package io.llmblender.core.llm;

import io.llmblender.core.check.Require;
import java.util.function.Function;

/** The client {@link LlmClient#of(String, Function)} makes. */
final class FunctionClient implements LlmClient {

    private final String name;
    private final Function<Prompt, Generation> generate;

    FunctionClient(String name, Function<Prompt, Generation> generate) {
        this.name = Require.nonBlank(name, "name");
        this.generate = Require.nonNull(generate, "generate");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Generation generate(Prompt prompt) {
        return generate.apply(Require.nonNull(prompt, "prompt"));
    }

    @Override
    public String toString() {
        return "LlmClient[" + name + "]";
    }
}
