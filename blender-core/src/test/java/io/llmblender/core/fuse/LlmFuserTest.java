package io.llmblender.core.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmblender.core.error.LlmCallException;
import io.llmblender.core.llm.ChatMessage;
import io.llmblender.core.llm.FinishReason;
import io.llmblender.core.llm.Generation;
import io.llmblender.core.llm.LlmClient;
import io.llmblender.core.llm.Prompt;
import io.llmblender.core.llm.TokenUsage;
import io.llmblender.testkit.ScriptedClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmFuserTest {

    private final ScriptedClient echo = ScriptedClient.echo("judge");
    private final LlmFuser fuser = LlmFuser.builder(echo).build();

    @Test
    void userMessage_defaultTemplateOneCandidate_exact() {
        assertThat(fuser.userMessage(Prompt.of("Name a prime.", "Below 10."), List.of("7")))
                .isEqualTo("Task:\nName a prime.\nBelow 10.\n\nAnswers, best first:\n\nAnswer 1:\n7\n\n"
                        + "Write the final answer to the task.");
    }

    @Test
    void userMessage_defaultTemplateThreeCandidates_exact() {
        assertThat(fuser.userMessage(Prompt.of("Name a prime.", "Below 10."), List.of("7", "9 is prime", "2")))
                .isEqualTo("Task:\nName a prime.\nBelow 10.\n\nAnswers, best first:\n\n"
                        + "Answer 1:\n7\n\nAnswer 2:\n9 is prime\n\nAnswer 3:\n2\n\n"
                        + "Write the final answer to the task.");
    }

    @Test
    void userMessage_emptyInput_taskIsInstructionOnly() {
        assertThat(fuser.userMessage(Prompt.of("Name a prime."), List.of("7")))
                .isEqualTo("Task:\nName a prime.\n\nAnswers, best first:\n\nAnswer 1:\n7\n\n"
                        + "Write the final answer to the task.");
    }

    @Test
    void userMessage_emptyInstruction_taskIsInputOnly() {
        assertThat(fuser.userMessage(Prompt.of("", "hello, how are you!"), List.of("fine")))
                .isEqualTo("Task:\nhello, how are you!\n\nAnswers, best first:\n\nAnswer 1:\nfine\n\n"
                        + "Write the final answer to the task.");
    }

    @Test
    void userMessage_candidateContainingTaskPlaceholder_notSubstituted() {
        assertThat(fuser.userMessage(Prompt.of("Q"), List.of("see {task} and {candidates}")))
                .contains("Answer 1:\nsee {task} and {candidates}\n")
                .doesNotContain("see Q");
    }

    @Test
    void userMessage_instructionContainingPlaceholder_notSubstituted() {
        assertThat(fuser.userMessage(Prompt.of("echo {candidates}"), List.of("x")))
                .startsWith("Task:\necho {candidates}\n\n");
    }

    @Test
    void userMessage_dollarAndBackslash_keptLiterally() {
        assertThat(fuser.userMessage(Prompt.of("cost $1"), List.of("\\$2 $0")))
                .contains("Task:\ncost $1\n")
                .contains("Answer 1:\n\\$2 $0");
    }

    @Test
    void userMessage_customTemplate_substitutesBothPlaceholders() {
        LlmFuser custom = LlmFuser.builder(echo)
                .template("T={task}|C={candidates}|T={task}")
                .build();

        assertThat(custom.userMessage(Prompt.of("i", "x"), List.of("a", "b")))
                .isEqualTo("T=i\nx|C=Answer 1:\na\n\nAnswer 2:\nb|T=i\nx");
    }

    @Test
    void userMessage_noCandidates_throws() {
        assertThatThrownBy(() -> fuser.userMessage(Prompt.of("Q"), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranked");
    }

    @Test
    void userMessage_nullCandidate_throwsNamingIndex() {
        assertThatThrownBy(() -> fuser.userMessage(Prompt.of("Q"), java.util.Arrays.asList("a", null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("ranked[1]");
    }

    @Test
    void template_withoutCandidates_throws() {
        assertThatThrownBy(() -> LlmFuser.builder(echo).template("Task: {task}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{candidates}");
    }

    @Test
    void systemPrompt_blank_throws() {
        assertThatThrownBy(() -> LlmFuser.builder(echo).systemPrompt("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("systemPrompt");
    }

    @Test
    void builder_nullClient_throwsNamingField() {
        assertThatThrownBy(() -> LlmFuser.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("client");
    }

    @Test
    void name_isLlmPrefixedClientName() {
        assertThat(fuser.name()).isEqualTo("llm:judge");
    }

    @Test
    void fuse_sendsDefaultSystemPromptAndUserMessage() {
        Prompt prompt = Prompt.of("Name a prime.", "Below 10.");
        List<String> ranked = List.of("7", "9 is prime");

        fuser.fuse(prompt, ranked);

        Prompt sent = echo.lastPrompt();
        assertThat(sent.system()).contains(LlmFuser.DEFAULT_SYSTEM_PROMPT);
        assertThat(sent.messages())
                .containsExactly(
                        ChatMessage.system(LlmFuser.DEFAULT_SYSTEM_PROMPT),
                        ChatMessage.user(fuser.userMessage(prompt, ranked)));
    }

    @Test
    void fuse_customSystemPrompt_isSent() {
        LlmFuser custom = LlmFuser.builder(echo).systemPrompt("Merge.").build();

        custom.fuse(Prompt.of("Q"), List.of("a"));

        assertThat(echo.lastPrompt().system()).contains("Merge.");
    }

    @Test
    void fuse_callsClientOnce() {
        fuser.fuse(Prompt.of("Q"), List.of("a", "b"));

        assertThat(echo.prompts()).hasSize(1);
    }

    @Test
    void fuse_fusionCarriesProvenance() {
        ScriptedClient client = ScriptedClient.echo("gpt", FinishReason.LENGTH, new TokenUsage(100, 17));

        Fusion f = LlmFuser.builder(client).build().fuse(Prompt.of("Q"), List.of("a", "b", "c"));

        assertThat(f.fuserName()).isEqualTo("llm:gpt");
        assertThat(f.candidatesUsed()).isEqualTo(3);
        assertThat(f.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(f.generatedTokens()).hasValue(17);
    }

    @Test
    void fuse_textIsClientAnswer() {
        Fusion f = fuser.fuse(Prompt.of("Q"), List.of("a"));

        assertThat(f.text())
                .isEqualTo(LlmFuser.DEFAULT_SYSTEM_PROMPT + "\n" + fuser.userMessage(Prompt.of("Q"), List.of("a")));
    }

    @Test
    void fuse_unknownUsage_generatedTokensEmpty() {
        assertThat(fuser.fuse(Prompt.of("Q"), List.of("a")).generatedTokens()).isEmpty();
    }

    @Test
    void fuse_failingClient_propagatesLlmCallException() {
        LlmFuser failing = LlmFuser.builder(ScriptedClient.failing("down", "endpoint unreachable"))
                .build();

        assertThatThrownBy(() -> failing.fuse(Prompt.of("Q"), List.of("a")))
                .isInstanceOf(LlmCallException.class)
                .satisfies(e -> assertThat(((LlmCallException) e).clientName()).isEqualTo("down"));
    }

    @Test
    void fuse_clientReturningNull_throwsLlmCallException() {
        LlmClient nullClient = new LlmClient() {
            @Override
            public String name() {
                return "nil";
            }

            @Override
            public Generation generate(Prompt prompt) {
                return null;
            }
        };

        assertThatThrownBy(() -> LlmFuser.builder(nullClient).build().fuse(Prompt.of("Q"), List.of("a")))
                .isInstanceOf(LlmCallException.class)
                .hasMessageContaining("nil");
    }

    @Test
    void fuse_unmodifiableCandidates_notModified() {
        List<String> ranked = Collections.unmodifiableList(new ArrayList<>(List.of("b", "a")));

        fuser.fuse(Prompt.of("Q"), ranked);

        assertThat(ranked).containsExactly("b", "a");
    }

    @Test
    void fuse_chatPrompt_usesLastUserMessageAsTask() {
        Prompt chat = Prompt.chat(
                List.of(ChatMessage.user("first"), ChatMessage.assistant("ok"), ChatMessage.user("second")));

        fuser.fuse(chat, List.of("a"));

        assertThat(echo.lastPrompt().messages().get(1).content()).startsWith("Task:\nsecond\n\n");
    }

    @Test
    void fuseAll_sizeMismatch_throws() {
        assertThatThrownBy(() -> fuser.fuseAll(List.of(Prompt.of("a"), Prompt.of("b")), List.of(List.of("x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2")
                .hasMessageContaining("1");
    }

    @Test
    void fuseAll_resultsInOrder() {
        List<Fusion> out = fuser.fuseAll(
                List.of(Prompt.of("a"), Prompt.of("b"), Prompt.of("c")),
                List.of(List.of("x"), List.of("y", "z"), List.of("w")));

        assertThat(out).extracting(Fusion::candidatesUsed).containsExactly(1, 2, 1);
        assertThat(echo.prompts())
                .extracting(p -> p.instruction().substring(0, 7))
                .containsExactly("Task:\na", "Task:\nb", "Task:\nc");
    }

    @Test
    void fuseAll_empty_returnsEmpty() {
        assertThat(fuser.fuseAll(List.of(), List.of())).isEmpty();
        assertThat(echo.prompts()).isEmpty();
    }

    @Test
    void close_doesNotAffectFuser() {
        fuser.close();

        assertThat(fuser.fuse(Prompt.of("Q"), List.of("a")).text()).isNotEmpty();
    }
}
