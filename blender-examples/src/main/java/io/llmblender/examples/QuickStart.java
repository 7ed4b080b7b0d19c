package io.llmblender.examples;

import io.llmblender.core.BlendResult;
import io.llmblender.core.Blender;
import io.llmblender.core.fuse.LlmFuser;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.openai.OpenAiCompatibleClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Quick start: blend several models of one OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter, ...), the
 * first model fusing the answers of all. The API key, if the server needs one, is read from {@code OPENAI_API_KEY}.
 *
 * <pre>
 * mvn -B -ntp -q -pl blender-examples -am compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp blender-examples/target/classes:$(cat blender-examples/target/cp.txt) io.llmblender.examples.QuickStart \
 *     http://localhost:11434/v1 "How do I treat a cold?" llama3 mistral qwen2
 * </pre>
 */
public final class QuickStart {

    private QuickStart() {}

    /**
     * Runs the example.
     *
     * @param args the server's base URL, the prompt, then one or more model names
     */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: QuickStart BASE_URL PROMPT MODEL [MODEL...]");
            System.exit(2);
        }
        List<LlmClient> models = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            OpenAiCompatibleClient.Builder model = OpenAiCompatibleClient.builder()
                    .name(args[i])
                    .baseUrl(args[0])
                    .model(args[i]);
            if (System.getenv("OPENAI_API_KEY") != null) {
                model.apiKeyFromEnv("OPENAI_API_KEY");
            }
            models.add(model.build());
        }
        try (Blender blender = Blender.builder()
                .clients(models)
                .fuser(LlmFuser.builder(models.get(0)).build())
                .perClientTimeout(Duration.ofSeconds(60))
                .build()) {
            BlendResult result = blender.blend(Prompt.of(args[1]));
            System.out.println(result.answer());
            result.failures().forEach(f -> System.err.println("failed: " + f));
        }
    }
}
